"""permessage-deflate with a third independent client, Node's ws (perMessageDeflate, compressing every message it
sends): echoes and broadcasts of small, large and fragmented messages come back byte for byte, compressed or not."""
import base64
import json
import os
import queue
import shutil
import subprocess
import threading

import pytest

from conftest import MIB, broadcast, metric

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_client.mjs")
# Debian's node-ws (scripts/setup.sh installs it with nodejs) puts ws where require finds it through NODE_PATH.
DEBIAN_NODE_MODULES = "/usr/share/nodejs"


def chat(count):
    """Compressible text with non-ASCII UTF-8 in it (2, 3 and 4 bytes a character)."""
    return "".join(f'{{"from":"user{i % 7}","room":"café ☕","text":"message {i} für alle, 日本語 🎉"}}'
                   for i in range(count))


class NodeClient:
    """tests/e2e/node_client.mjs connected to a URL: commands go in on stdin, events come out on stdout."""

    def __init__(self, url):
        node = shutil.which("node")
        assert node, "no node on PATH: scripts/setup.sh test installs nodejs"
        assert os.path.isdir(os.path.join(DEBIAN_NODE_MODULES, "ws")), "no ws: scripts/setup.sh test installs node-ws"
        self.process = subprocess.Popen([node, CLIENT, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                        env={**os.environ, "NODE_PATH": DEBIAN_NODE_MODULES})
        self.events = queue.Queue()
        threading.Thread(target=self._collect, daemon=True).start()
        opened = self.next_event()
        assert opened["event"] == "open", opened
        self.extensions = opened["extensions"]
        self.accepted = opened["accepted"]

    def _collect(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))
        self.events.put(None)

    def next_event(self, timeout=30):
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the node client said nothing for {timeout} s") from None
        assert event is not None, "the node client exited: " + self.process.stderr.read()
        return event

    def command(self, **command):
        self.process.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def receive(self):
        """The next message's payload, as the bytes that arrived; it must be a text message."""
        event = self.next_event()
        assert event["event"] == "message" and not event["binary"], event
        return base64.b64decode(event["base64"])

    def close(self):
        self.command(close=1000)
        assert self.next_event() == {"event": "close", "code": 1000, "reason": ""}
        assert self.process.wait(timeout=10) == 0

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdin.close()


@pytest.fixture
def node_client():
    """Starts Node clients; each is killed at the end of the test if it has not exited."""
    started = []

    def start(url):
        client = NodeClient(url)
        started.append(client)
        return client

    yield start
    for client in started:
        client.kill()


def exchange_everything(server, client):
    """Echoes and broadcasts of small, large and fragmented messages, each compared byte for byte."""
    small = "héllo ☕"  # 10 bytes in UTF-8
    large = chat(MIB // 60).encode()[:MIB].decode(errors="ignore")  # 1 MiB, less a character cut in two
    for text in (small, large):
        client.command(send=text)
        assert client.receive() == ("Server echo: " + text).encode()
    parts = [large[:1000], large[1000:1001], large[1001:MIB // 2], "", large[MIB // 2:]]
    client.command(send_fragments=parts)
    assert client.receive() == ("Server echo: " + large).encode()
    for text in (small, large):
        assert broadcast(server, text) == 1
        assert client.receive() == text.encode()


def test_node_ws_negotiates_permessage_deflate_and_every_message_comes_back_byte_for_byte(start_server, node_client):
    server = start_server()
    client = node_client(server.ws_url(1))
    assert "permessage-deflate" in client.extensions
    # As README's Compression section says: the server keeps its history, the client compresses each message alone.
    assert set(client.accepted.split("; ")) == {"permessage-deflate", "client_no_context_takeover"}
    exchange_everything(server, client)
    client.close()

    received = metric(server, 'wshub_deflate_message_bytes_total{direction="received"}')
    received_wire = metric(server, 'wshub_deflate_wire_bytes_total{direction="received"}')
    sent = metric(server, 'wshub_deflate_message_bytes_total{direction="sent"}')
    sent_wire = metric(server, 'wshub_deflate_wire_bytes_total{direction="sent"}')
    assert received > 2 * MIB - 8 and sent > 3 * MIB - 8
    assert 0 < received_wire < received / 3
    assert 0 < sent_wire < sent / 3


def test_with_compression_off_node_ws_gets_no_extension_and_everything_still_works(start_server, node_client):
    server = start_server(env={"WS_PER_MESSAGE_DEFLATE": "false"})
    client = node_client(server.ws_url(1))
    assert client.extensions == "" and client.accepted == ""
    exchange_everything(server, client)
    client.close()
    assert metric(server, 'wshub_deflate_message_bytes_total{direction="received"}') == 0
