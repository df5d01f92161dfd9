"""wss:// and https:// on one port: a test CA and server certificate made with the openssl CLI, clients that check
them (python3-websockets, urllib, curl), refused protocol versions, plain HTTP and stalled handshakes, bad settings,
and the alternative: haproxy terminating TLS in front of a plain node."""
import asyncio
import http.client
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import time
import urllib.request

import pytest
import websockets

from certificates import Authority
from conftest import BINARY, ENV_SETTINGS, RawWebSocket, metrics_text, read_until_closed, run
from load_balancer import Haproxy


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    ca = Authority(tmp_path_factory.mktemp("pki"), "ca")
    certificate, key = ca.issue("server")
    other_certificate, other_key = ca.issue("other")
    return {"ca": ca.cert, "cert": certificate, "key": key, "other_cert": other_certificate, "other_key": other_key}


def client_context(pki, **versions):
    context = ssl.create_default_context(cafile=str(pki["ca"]))
    for name, version in versions.items():
        setattr(context, name, version)
    return context


@pytest.fixture
def start_tls_server(start_server, pki):
    def start(*args):
        return start_server("--tls-cert-file", str(pki["cert"]), "--tls-key-file", str(pki["key"]), *args)
    return start


def wss_url(server, client_id):
    return f"wss://127.0.0.1:{server.port}/ws/{client_id}"


def https(server, pki, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"https://127.0.0.1:{server.port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, context=client_context(pki), timeout=10) as response:
        return response.status, json.loads(response.read() or b"null")


def handshakes(text, result):
    return float(re.search(rf'^wshub_tls_handshakes_total{{result="{result}"}} (\S+)$', text, re.MULTILINE).group(1))


def test_the_listening_line_says_https(start_tls_server):
    server = start_tls_server()
    assert any(f"listening on https://127.0.0.1:{server.port}" in line for line in server.lines)


def test_echo_over_wss_with_compression_negotiated(start_tls_server, pki):
    server = start_tls_server()

    async def scenario():
        async with websockets.connect(wss_url(server, 1), ssl=client_context(pki)) as ws:
            assert ws.response_headers.get("Sec-WebSocket-Extensions", "").startswith("permessage-deflate")
            for text in ["hello", "é" * 3000, "x" * 100]:
                await ws.send(text)
                assert await ws.recv() == f"Server echo: {text}"
    run(scenario())


def test_large_and_fragmented_messages_over_wss(start_tls_server, pki):
    server = start_tls_server()
    large = os.urandom(600_000).hex()  # 1.2 MB of text, incompressible enough to span many TLS records

    async def scenario():
        async with websockets.connect(wss_url(server, 2), ssl=client_context(pki), max_size=None,
                                      compression=None) as ws:
            await ws.send(large)
            assert await ws.recv() == f"Server echo: {large}"
            await ws.send(iter(["frag", "mented ", "message"]))
            assert await ws.recv() == "Server echo: fragmented message"
            # Many messages at once: the replies leave in corked batches, each at most one record.
            for index in range(200):
                await ws.send(f"burst {index}")
            for index in range(200):
                assert await ws.recv() == f"Server echo: burst {index}"
    run(scenario())


def test_broadcast_by_https_reaches_wss_clients_and_the_close_handshake_completes(start_tls_server, pki):
    server = start_tls_server()

    async def scenario():
        context = client_context(pki)
        async with websockets.connect(wss_url(server, 3), ssl=context) as first, \
                websockets.connect(wss_url(server, 4), ssl=context) as second:
            status, body = await asyncio.to_thread(https, server, pki, "POST", "/broadcast-to-all",
                                                   {"message": "to all"})
            assert (status, body["sent"]) == (200, 2)
            assert await first.recv() == "to all"
            assert await second.recv() == "to all"
            status, listed = await asyncio.to_thread(https, server, pki, "GET", "/clients")
            assert sorted(listed["clients"]) == [3, 4]
            await first.close()
            assert first.close_code == 1000
    run(scenario())


def test_haproxy_can_terminate_tls_in_front_of_a_plain_node(start_server, pki, tmp_path):
    """The README's alternative to TLS in wshub: haproxy holds the certificate, wshub speaks plain HTTP behind it."""
    node = start_server()
    pem = tmp_path / "haproxy.pem"
    pem.write_text(pki["cert"].read_text() + pki["key"].read_text())
    proxy = Haproxy(tmp_path / "haproxy.cfg", {"n0": node.port}, tls_pem=pem)

    async def scenario():
        async with websockets.connect(wss_url(proxy, 8), ssl=client_context(pki)) as ws:
            await ws.send("through haproxy")
            assert await ws.recv() == "Server echo: through haproxy"
            status, body = await asyncio.to_thread(https, proxy, pki, "POST", "/broadcast-to-all",
                                                   {"message": "over https to haproxy"})
            assert (status, body["sent"]) == (200, 1)
            assert await ws.recv() == "over https to haproxy"
    try:
        run(scenario())
    finally:
        proxy.stop()


def test_keepalive_pings_a_silent_wss_client_and_drops_it_at_the_idle_timeout(start_tls_server, pki):
    server = start_tls_server("--ping-interval-sec", "0.3", "--idle-timeout-sec", "1")
    client = RawWebSocket(server, "/ws/5", tls=client_context(pki))
    try:
        assert client.recv_frame()[0] == 0x9  # a ping
        with pytest.raises((ConnectionError, ssl.SSLError)):
            while True:  # no pong: the server gives up at the idle timeout
                client.recv_frame()
    finally:
        client.close()


def test_a_wss_client_is_closed_by_the_server_with_a_close_frame(start_tls_server, pki):
    server = start_tls_server()
    client = RawWebSocket(server, "/ws/6", tls=client_context(pki))
    try:
        client.send_frame(0x1, b"hello")
        assert client.recv_frame() == (0x1, b"Server echo: hello")
        client.send_frame(0x8, b"\x03\xe8bye")
        assert client.recv_close()[0] == 1000
        assert read_until_closed(client.sock) == b""
    finally:
        client.close()


def test_a_wss_client_that_stops_reading_is_dropped_as_a_slow_consumer_with_its_close_frame(start_tls_server, pki):
    server = start_tls_server()
    silent = RawWebSocket(server, "/ws/7", tls=client_context(pki))
    api = http.client.HTTPSConnection("127.0.0.1", server.port, context=client_context(pki), timeout=30)
    try:
        # Frames of a little under a TLS record (16 KiB), so that nearly every record holds the end of one frame and
        # the start of the next. When the socket is full, OpenSSL holds the last record half sent; it must go out
        # whole before the close frame, or the client reads a frame cut short and no close.
        message = "x" * 16000
        body = json.dumps({"message": message})
        for _ in range(2000):  # 32 MB at most: the 4 MiB cap and the socket buffers between the two
            api.request("POST", "/broadcast-to-all", body, {"Content-Type": "application/json"})
            assert api.getresponse().read()
            if any("client 7 is a slow consumer" in line for line in server.lines):
                break
        server.wait_for_log(r"client 7 is a slow consumer: over 4194304 bytes queued; closing it with 1008")
        opcode, payload = silent.recv_frame()
        while opcode == 0x1:
            assert payload == message.encode()
            opcode, payload = silent.recv_frame()
        assert opcode == 0x8
        assert payload == struct.pack("!H", 1008) + b"slow consumer: too many bytes queued"
    finally:
        api.close()
        silent.close()


def test_curl_with_the_test_ca_reads_every_kind_of_route(start_tls_server, pki):
    server = start_tls_server()
    base = f"https://localhost:{server.port}"
    for path, expected in [("/healthz", b'"ok"'), ("/metrics", b"wshub_"), ("/", b"<html"), ("/openapi.json", b"{")]:
        result = subprocess.run(["curl", "--silent", "--show-error", "--fail", "--cacert", str(pki["ca"]),
                                 "--http1.1", base + path], capture_output=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout, (path, result.stdout[:200])


def test_alpn_answers_http_1_1(start_tls_server, pki):
    server = start_tls_server()
    context = client_context(pki)
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "http/1.1"


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_tls_1_0_and_1_1_are_refused(start_tls_server, pki, version):
    server = start_tls_server()
    context = client_context(pki)
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = version
    context.set_ciphers("ALL:@SECLEVEL=0")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(raw, server_hostname="localhost")
    assert https(server, pki, "GET", "/healthz")[0] == 200


def test_min_version_1_3_refuses_a_1_2_client(start_tls_server, pki):
    server = start_tls_server("--tls-min-version", "1.3")
    old = client_context(pki, maximum_version=ssl.TLSVersion.TLSv1_2)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            old.wrap_socket(raw, server_hostname="localhost")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with client_context(pki).wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.3"


def test_a_1_2_client_is_served_by_default(start_tls_server, pki):
    server = start_tls_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        context = client_context(pki, maximum_version=ssl.TLSVersion.TLSv1_2)
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.2"
            tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            assert read_until_closed(tls).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("garbage", [b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", os.urandom(3000),
                                     b"\x16\x03\x01\x00\x05hello"])
def test_plain_http_or_garbage_is_closed_cleanly_and_the_server_goes_on(start_tls_server, pki, garbage):
    server = start_tls_server("--log-level", "DEBUG")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(garbage)
        # A FIN (b"" at the end) rather than a reset: the client could read anything the server sent.
        assert not read_until_closed(raw).startswith(b"HTTP/")
    server.wait_for_log(r"refused a TLS handshake")
    assert https(server, pki, "GET", "/healthz")[0] == 200


def test_a_stalled_handshake_is_dropped_at_the_request_timeout(start_tls_server, pki):
    server = start_tls_server("--request-timeout-sec", "1", "--log-level", "DEBUG")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"\x16\x03\x01\x02\x00\x01")  # the start of a ClientHello, and then nothing
        started = time.monotonic()
        try:
            read_until_closed(raw)
        except ConnectionResetError:
            pass
        waited = time.monotonic() - started
    assert 0.9 <= waited < 5, waited
    server.wait_for_log(r"longer than the request timeout to finish its TLS handshake")
    assert https(server, pki, "GET", "/healthz")[0] == 200
    assert handshakes(metrics_text(server, tls_context=client_context(pki)), "timed_out") == 1


def test_handshakes_are_counted_by_result(start_tls_server, pki):
    server = start_tls_server("--log-level", "DEBUG")
    context = client_context(pki)  # a session is resumed only through the context that made it

    def get_healthz(**wrap):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="localhost", **wrap) as tls:
                tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                assert read_until_closed(tls).startswith(b"HTTP/1.1 200")
                return tls.session, tls.session_reused

    session, reused = get_healthz()
    assert not reused and get_healthz(session=session)[1]
    socket.create_connection(("127.0.0.1", server.port), timeout=10).close()
    server.wait_for_log(r"a client left during its TLS handshake: End of file")
    reset = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST, as health checks do
    reset.close()
    server.wait_for_log(r"a client left during its TLS handshake: Connection reset by peer")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        read_until_closed(raw)
    text = metrics_text(server, tls_context=client_context(pki))
    counted = {result: handshakes(text, result) for result in ("full", "resumed", "failed", "abandoned", "timed_out")}
    assert counted == {"full": 2, "resumed": 1, "failed": 1, "abandoned": 2, "timed_out": 0}


def cpu_seconds(pid):
    """User and system CPU the process has used, from /proc/PID/stat (fields 14 and 15, in clock ticks)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tls_by_hand(server, pki):
    """A handshake done through memory BIOs over a raw socket, so that the test decides where records are cut:
    (the socket, the TLS object, its incoming and outgoing BIOs)."""
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = client_context(pki).wrap_bio(incoming, outgoing, server_hostname="localhost")
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            raw.sendall(outgoing.read())
            incoming.write(raw.recv(65536))
    raw.sendall(outgoing.read())
    return raw, tls, incoming, outgoing


def decrypted(tls, incoming, received):
    """The plaintext of what the server sent, up to its close_notify or its FIN."""
    incoming.write(received)
    incoming.write_eof()
    text = b""
    try:
        while chunk := tls.read(65536):
            text += chunk
    except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
        pass
    return text


def test_a_record_cut_short_is_waited_for_without_spinning_and_then_answered(start_tls_server, pki):
    # The server once took bytes OpenSSL held of an unfinished record for bytes to read at once, and asked again and
    # again: one client holding half a record kept an I/O thread at 100% CPU.
    server = start_tls_server("--threads", "1")
    raw, tls, incoming, outgoing = tls_by_hand(server, pki)
    with raw:
        tls.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        record = outgoing.read()
        raw.sendall(record[:10])
        before = cpu_seconds(server.process.pid)
        time.sleep(1)  # what is measured is the CPU the server spends over this second, not an event to await
        assert cpu_seconds(server.process.pid) - before < 0.2
        raw.sendall(record[10:])
        assert decrypted(tls, incoming, read_until_closed(raw)).startswith(b"HTTP/1.1 200")


def test_a_request_sent_with_the_last_handshake_message_is_answered_during_a_drain(start_tls_server, pki):
    # OpenSSL reads ahead: the request that came in the same segment as the client's Finished is inside OpenSSL, not
    # in the socket, when a draining server asks whether a request has begun.
    server = start_tls_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = client_context(pki).wrap_bio(incoming, outgoing, server_hostname="localhost")
        with pytest.raises(ssl.SSLWantReadError):
            tls.do_handshake()
        raw.sendall(outgoing.read())  # the ClientHello
        while True:
            incoming.write(raw.recv(65536))
            try:
                tls.do_handshake()  # the client's side is done; its Finished waits in `outgoing`
                break
            except ssl.SSLWantReadError:
                continue
        server.signal(signal.SIGTERM)
        server.wait_for_log(r"received SIGTERM")
        tls.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        raw.sendall(outgoing.read())  # the Finished and the request, in one segment
        assert decrypted(tls, incoming, read_until_closed(raw)).startswith(b"HTTP/1.1 200")


def run_binary(*args):
    env = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
    return subprocess.run([BINARY, "--port", "0", *args], env=env, capture_output=True, text=True, timeout=30)


def assert_refused(result, *named):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for name in named:
        assert name in lines[0], lines[0]


def test_a_certificate_without_a_key_is_refused(pki):
    assert_refused(run_binary("--tls-cert-file", str(pki["cert"])), "--tls-cert-file", "--tls-key-file")


def test_a_key_without_a_certificate_is_refused(pki):
    env_result = subprocess.run([BINARY, "--port", "0"], capture_output=True, text=True, timeout=30,
                                env={**{k: v for k, v in os.environ.items() if k not in ENV_SETTINGS},
                                     "TLS_KEY_FILE": str(pki["key"])})
    assert_refused(env_result, "TLS_KEY_FILE", "--tls-cert-file")


def test_an_unreadable_file_is_refused(pki, tmp_path):
    assert_refused(run_binary("--tls-cert-file", str(tmp_path / "missing.pem"), "--tls-key-file", str(pki["key"])),
                   "--tls-cert-file", "missing.pem", "No such file")


def test_a_file_that_is_not_pem_is_refused(pki, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    assert_refused(run_binary("--tls-cert-file", str(pki["cert"]), "--tls-key-file", str(junk)), "--tls-key-file")


def test_a_key_that_is_not_the_certificates_is_refused(pki):
    assert_refused(run_binary("--tls-cert-file", str(pki["cert"]), "--tls-key-file", str(pki["other_key"])),
                   "--tls-key-file", "--tls-cert-file", "not the key")


def test_a_bad_min_version_is_refused(pki):
    assert_refused(run_binary("--tls-min-version", "1.1"), "--tls-min-version", "1.1")


LOADGEN = os.environ.get("WSHUB_LOADGEN")


def loadgen_over_tls(server, ca, scenario, *args):
    """The benchmark's load generator over TLS, its checks on: (exit status, RESULT figures, stderr)."""
    assert LOADGEN, "WSHUB_LOADGEN must name the load generator (CTest sets it)"
    done = subprocess.run([LOADGEN, scenario, "--port", str(server.port), "--tls", "--tls-ca-file", str(ca),
                           "--warmup", "0.2", "--timeout", "30", *args], capture_output=True, text=True, timeout=120)
    result = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return done.returncode, json.loads(result[len("RESULT "):]), done.stderr


def test_the_load_generator_checks_every_echo_and_broadcast_over_tls(start_tls_server, pki):
    server = start_tls_server()
    status, echo, errors = loadgen_over_tls(server, pki["ca"], "echo", "--connections", "10", "--seconds", "1")
    assert (status, echo["errors"]) == (0, 0) and echo["messages"] > 0, errors
    status, fanout, errors = loadgen_over_tls(server, pki["ca"], "fanout", "--clients", "100", "--rounds", "5")
    assert (status, fanout["errors"]) == (0, 0), errors


def test_the_load_generator_resumes_tls_sessions_only_when_asked(start_tls_server, pki):
    server = start_tls_server()
    churn = ["--concurrency", "4", "--seconds", "1"]
    status, full, errors = loadgen_over_tls(server, pki["ca"], "churn", *churn)
    assert status == 0 and full["connections"] > 0 and full["tls_resumed"] == 0, errors
    status, resumed, errors = loadgen_over_tls(server, pki["ca"], "churn", *churn, "--tls-resume")
    # Only the 4 loops' first connections can find no ticket yet; every later one resumes a ticket the server gave.
    assert status == 0 and resumed["tls_resumed"] >= resumed["connections"] - 4, (resumed, errors)


def test_a_tls_connection_is_not_held_back_by_delayed_acknowledgements(start_tls_server, pki):
    # The server writes its session tickets and then the 101. With Nagle's algorithm on, the 101 waited for the
    # client's delayed ACK of the tickets (40 ms on Linux), so every cycle took 40 ms or more; without it, a few.
    status, churn, errors = loadgen_over_tls(start_tls_server(), pki["ca"], "churn", "--concurrency", "1",
                                             "--seconds", "1")
    assert status == 0 and churn["connections"] > 0, errors
    assert churn["cycle_p50_us"] < 40_000, churn


def test_the_load_generator_refuses_a_certificate_its_ca_did_not_sign(start_tls_server, tmp_path):
    other_ca = Authority(tmp_path, "other-ca")
    status, echo, errors = loadgen_over_tls(start_tls_server(), other_ca.cert, "echo", "--connections", "1",
                                            "--seconds", "0.2")
    assert status != 0 and echo["errors"] > 0
    assert "certificate verify failed" in errors
