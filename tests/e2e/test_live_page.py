"""The live page at / in a real browser (Debian's headless chromium via selenium): the client list, the broadcast
form, sending to one client and disconnecting it, the WebSocket console, close codes, the API token prompt, a
phone-sized screen and dark mode, and all of it over https:// and wss://.
WSHUB_SCREENSHOT=PATH saves a screenshot (make screenshot rewrites docs/live-page.png)."""
import asyncio
import os
import queue
import threading

import pytest
import websockets
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from certificates import Authority, spki_fingerprint
from conftest import metric

TOKEN = "page-t0ken"
PAGE_ID = 4242
PYTHON_ID = 7


def start_chromium(tmp_path_factory, *extra_arguments):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium')}", "--window-size=1100,760",
                     *extra_arguments]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(tmp_path_factory)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    ca = Authority(tmp_path_factory.mktemp("pki"), "ca")
    return ca.issue("server")


@pytest.fixture(scope="module")
def tls_browser(tmp_path_factory, pki):
    """A Chromium that trusts the test server's key, as it would a certificate from a CA in its store."""
    driver = start_chromium(tmp_path_factory, f"--ignore-certificate-errors-spki-list={spki_fingerprint(pki[0])}")
    yield driver
    driver.quit()


def wait_for(browser, condition, what):
    return WebDriverWait(browser, 10, poll_frequency=0.05).until(lambda _: condition(), message=f"waiting for {what}")


# Read in one script each: the page replaces its list every poll, so element references would go stale.
def console_lines(browser, kind):
    return browser.execute_script(
        "return [...document.querySelectorAll(`#console-log .${arguments[0]} .text`)].map(e => e.textContent)", kind)


def listed_ids(browser):
    return set(browser.execute_script(
        "return [...document.querySelectorAll('#client-list li')].map(item => item.dataset.id)"))


def client_count(browser):
    return browser.execute_script("return document.getElementById('client-count').textContent")


def submit(browser, field_id, text):
    field = browser.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(text + Keys.ENTER)


def fill_and_submit(browser, *fields):
    """Types each (field id, text) into its field, then submits the form with Enter in the last one."""
    for field_id, text in fields[:-1]:
        field = browser.find_element(By.ID, field_id)
        field.clear()
        field.send_keys(text)
    submit(browser, *fields[-1])


def result_text(browser, result_id):
    return browser.find_element(By.ID, result_id).text


def connect_console(browser, client_id):
    field = browser.find_element(By.ID, "console-id")
    field.clear()
    field.send_keys(str(client_id))
    browser.find_element(By.ID, "console-connect").click()


def csp_violations(browser):
    return [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]


class EchoingClient:
    """A python3-websockets client on its own thread, echoing until stopped."""

    def __init__(self, server, client_id):
        self.url = server.ws_url(client_id)
        self.connected = threading.Event()
        self.echoes_ok = 0
        self.other_messages = []
        self.error = None
        self._stop = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._run(),))
        self._thread.start()
        assert self.connected.wait(10), self.error

    async def _run(self):
        self._stop = asyncio.Event()
        try:
            async with websockets.connect(self.url) as ws:
                self.connected.set()
                count = 0
                while not self._stop.is_set():
                    await ws.send(f"from python {count}")
                    while (answer := await ws.recv()) != f"Server echo: from python {count}":
                        self.other_messages.append(answer)
                    self.echoes_ok += 1
                    count += 1
                    await asyncio.sleep(0.01)  # pacing, not waiting: a hundred echoes a second, leaving CPU to chromium
        except Exception as error:  # reported by stop()
            self.error = error
            self.connected.set()

    def stop(self):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        assert self.error is None, self.error
        return self.echoes_ok, self.other_messages


class ListeningClient:
    """A python3-websockets client on its own thread that sends nothing, keeps what arrives and how it was closed."""

    def __init__(self, server, client_id):
        self.url = server.ws_url(client_id)
        self.messages = queue.Queue()
        self.connected = threading.Event()
        self.closed = threading.Event()
        self.close_code = self.close_reason = self.error = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._run(),))
        self._thread.start()
        assert self.connected.wait(10), self.error

    async def _run(self):
        try:
            async with websockets.connect(self.url) as ws:
                self.connected.set()
                try:
                    async for message in ws:
                        self.messages.put(message)
                except websockets.ConnectionClosed:
                    pass  # a close code other than 1000 or 1001; ws keeps it, as for those
                self.close_code, self.close_reason = ws.close_code, ws.close_reason
        except Exception as error:  # reported by wait_closed()
            self.error = error
            self.connected.set()
        self.closed.set()

    def next_message(self):
        return self.messages.get(timeout=10)

    def wait_closed(self):
        """(code, reason) of the close the server sent, and every message that arrived after those already read."""
        assert self.closed.wait(10), "the server did not close the connection"
        self._thread.join(10)
        assert self.error is None, self.error
        rest = []
        while not self.messages.empty():
            rest.append(self.messages.get())
        return (self.close_code, self.close_reason), rest


def test_the_page_lists_clients_broadcasts_and_shows_only_its_own_traffic(browser, server):
    browser.get(f"http://127.0.0.1:{server.port}/")
    wait_for(browser, lambda: client_count(browser) == "0", "the empty client list")
    connect_console(browser, PAGE_ID)
    wait_for(browser, lambda: f"connected as {PAGE_ID}" in console_lines(browser, "sys"), "the console to connect")
    wait_for(browser, lambda: listed_ids(browser) == {str(PAGE_ID)}, "the page's id in the list")

    python_client = EchoingClient(server, PYTHON_ID)
    wait_for(browser, lambda: listed_ids(browser) == {str(PAGE_ID), str(PYTHON_ID)}, "both ids in the list")
    assert client_count(browser) == "2"
    submit(browser, "console-message", "hello from the page")
    wait_for(browser, lambda: "Server echo: hello from the page" in console_lines(browser, "in"), "the echo")
    submit(browser, "broadcast-message", "hello everyone")
    wait_for(browser, lambda: "hello everyone" in console_lines(browser, "in"), "the broadcast in the console")
    wait_for(browser, lambda: browser.find_element(By.ID, "broadcast-result").text == "sent 2", "sent 2")
    if path := os.environ.get("WSHUB_SCREENSHOT"):
        browser.save_screenshot(path)

    echoes, others = python_client.stop()
    assert echoes > 0
    assert others == ["hello everyone"]
    assert console_lines(browser, "in") == ["Server echo: hello from the page", "hello everyone"]
    assert console_lines(browser, "out") == ["hello from the page"]
    wait_for(browser, lambda: listed_ids(browser) == {str(PAGE_ID)}, "the python client to leave the list")
    assert csp_violations(browser) == []


def test_the_pages_websocket_is_compressed_both_ways(browser, server):
    chat = '{"from":"page","room":"lobby","text":"a chat message long enough to be worth compressing"}'
    browser.get(f"http://127.0.0.1:{server.port}/")
    connect_console(browser, PAGE_ID)
    wait_for(browser, lambda: f"connected as {PAGE_ID}" in console_lines(browser, "sys"), "the console to connect")
    submit(browser, "console-message", chat)
    wait_for(browser, lambda: f"Server echo: {chat}" in console_lines(browser, "in"), "the echo")
    submit(browser, "broadcast-message", chat * 3)
    wait_for(browser, lambda: chat * 3 in console_lines(browser, "in"), "the broadcast")
    assert console_lines(browser, "in") == [f"Server echo: {chat}", chat * 3]
    # Chromium offered permessage-deflate, compressed what it sent and inflated what it got.
    for direction in ("received", "sent"):
        text = metric(server, f'wshub_deflate_message_bytes_total{{direction="{direction}"}}')
        wire = metric(server, f'wshub_deflate_wire_bytes_total{{direction="{direction}"}}')
        assert 0 < wire < text, direction


def test_the_page_sends_to_one_client_and_disconnects_it(browser, server):
    browser.get(f"http://127.0.0.1:{server.port}/")
    wait_for(browser, lambda: client_count(browser) == "0", "the empty client list")
    client = ListeningClient(server, PYTHON_ID)
    wait_for(browser, lambda: listed_ids(browser) == {str(PYTHON_ID)}, "the python client in the list")

    fill_and_submit(browser, ("send-id", str(PYTHON_ID)), ("send-message", "just for you"))
    wait_for(browser, lambda: result_text(browser, "send-result") == "sent 1", "sent 1")
    assert client.next_message() == "just for you"

    fill_and_submit(browser, ("disconnect-id", str(PYTHON_ID)), ("disconnect-code", "4321"),
                    ("disconnect-reason", "bye from the page"))
    wait_for(browser, lambda: result_text(browser, "disconnect-result") == "closed 1", "closed 1")
    assert client.wait_closed() == ((4321, "bye from the page"), [])
    wait_for(browser, lambda: listed_ids(browser) == set(), "the python client to leave the list")

    fill_and_submit(browser, ("send-id", str(PYTHON_ID)), ("send-message", "anyone there?"))
    wait_for(browser, lambda: result_text(browser, "send-result") == "not sent: 404 Client not connected",
             "the 404 of a send to an id nobody holds")
    fill_and_submit(browser, ("send-id", "seven"), ("send-message", "anyone there?"))
    wait_for(browser, lambda: result_text(browser, "send-result")
             == "not sent: 422 path.clientId: value is not a valid integer", "the 422 of an id that is no integer")
    fill_and_submit(browser, ("disconnect-id", str(PYTHON_ID)), ("disconnect-code", ""), ("disconnect-reason", ""))
    wait_for(browser, lambda: result_text(browser, "disconnect-result") == "not closed: 404 Client not connected",
             "the 404 of a disconnect of an id nobody holds")
    assert csp_violations(browser) == []


def test_a_refused_close_code_leaves_the_client_and_empty_fields_take_the_defaults(browser, server):
    browser.get(f"http://127.0.0.1:{server.port}/")
    client = ListeningClient(server, PYTHON_ID)
    fill_and_submit(browser, ("disconnect-id", str(PYTHON_ID)), ("disconnect-code", "1001"),
                    ("disconnect-reason", ""))
    wait_for(browser, lambda: result_text(browser, "disconnect-result").startswith("not closed: 422 query.code: "),
             "the 422 of a close code the API may not send")
    fill_and_submit(browser, ("send-id", str(PYTHON_ID)), ("send-message", "still here"))
    assert client.next_message() == "still here"
    fill_and_submit(browser, ("disconnect-id", str(PYTHON_ID)), ("disconnect-code", ""), ("disconnect-reason", ""))
    wait_for(browser, lambda: result_text(browser, "disconnect-result") == "closed 1", "closed 1")
    assert client.wait_closed() == ((1000, "closed by the server"), [])


def test_the_console_shows_close_codes_and_reasons(browser, server):
    browser.get(f"http://127.0.0.1:{server.port}/")
    connect_console(browser, "not-a-number")
    wait_for(browser, lambda: any(line.startswith("closed 1008 ") for line in console_lines(browser, "sys")),
             "the 1008 for an invalid id")
    connect_console(browser, PAGE_ID)
    wait_for(browser, lambda: f"connected as {PAGE_ID}" in console_lines(browser, "sys"), "the console to connect")
    browser.find_element(By.ID, "console-connect").click()
    wait_for(browser, lambda: "closed 1000" in console_lines(browser, "sys"),
             "the console's own close")
    wait_for(browser, lambda: listed_ids(browser) == set(), "the id to leave the list")


def test_with_an_api_token_the_page_asks_for_it_and_then_works(browser, start_server):
    server = start_server("--api-token", TOKEN)
    browser.get(f"http://127.0.0.1:{server.port}/")
    panel = browser.find_element(By.ID, "token-panel")
    wait_for(browser, panel.is_displayed, "the token prompt")
    submit(browser, "token-input", "wrong-token")
    wait_for(browser, lambda: "refused" in browser.find_element(By.ID, "token-hint").text, "the refusal")
    submit(browser, "token-input", TOKEN)
    wait_for(browser, lambda: not panel.is_displayed(), "the prompt to go")
    connect_console(browser, PAGE_ID)
    wait_for(browser, lambda: listed_ids(browser) == {str(PAGE_ID)}, "the page's id in the list")
    submit(browser, "broadcast-message", "with a token")
    wait_for(browser, lambda: browser.find_element(By.ID, "broadcast-result").text == "sent 1", "sent 1")
    wait_for(browser, lambda: "with a token" in console_lines(browser, "in"), "the broadcast in the console")
    fill_and_submit(browser, ("send-id", str(PAGE_ID)), ("send-message", "to the page, with a token"))
    wait_for(browser, lambda: result_text(browser, "send-result") == "sent 1", "the send's sent 1")
    wait_for(browser, lambda: "to the page, with a token" in console_lines(browser, "in"), "the send in the console")


def test_the_page_fits_a_phone_and_follows_dark_mode(browser, server):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        browser.get(f"http://127.0.0.1:{server.port}/")
        wait_for(browser, lambda: client_count(browser) == "0", "the client list")
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        background, text = browser.execute_script(
            "const style = getComputedStyle(document.body); return [style.backgroundColor, style.color]")
        assert brightness(background) < 64 < 192 < brightness(text), (background, text)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def brightness(css_color):
    """The mean of the channels of an 'rgb(r, g, b)' colour."""
    channels = [int(part) for part in css_color[css_color.index("(") + 1:css_color.index(")")].split(",")[:3]]
    return sum(channels) / 3


def test_the_page_works_over_https_and_wss(tls_browser, start_server, pki):
    server = start_server("--tls-cert-file", str(pki[0]), "--tls-key-file", str(pki[1]))
    tls_browser.get(f"https://localhost:{server.port}/")
    wait_for(tls_browser, lambda: client_count(tls_browser) == "0", "the empty client list")
    assert tls_browser.execute_script("return window.isSecureContext && location.protocol") == "https:"
    connect_console(tls_browser, PAGE_ID)
    wait_for(tls_browser, lambda: f"connected as {PAGE_ID}" in console_lines(tls_browser, "sys"),
             "the console to connect over wss://")
    submit(tls_browser, "console-message", "hello over tls")
    wait_for(tls_browser, lambda: "Server echo: hello over tls" in console_lines(tls_browser, "in"), "the echo")
    submit(tls_browser, "broadcast-message", "to everyone over tls")
    wait_for(tls_browser, lambda: result_text(tls_browser, "broadcast-result") == "sent 1", "sent 1")
    wait_for(tls_browser, lambda: "to everyone over tls" in console_lines(tls_browser, "in"), "the broadcast")
    assert csp_violations(tls_browser) == []
