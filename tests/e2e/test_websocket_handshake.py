"""The WebSocket opening handshake as RFC 6455 section 4.2 describes it: the 101, and every refusal's answer."""
import base64
import hashlib
import json
import os
import socket
import time

import pytest
import websockets

from conftest import run, send_raw

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def upgrade_request(method="GET", omit=(), **fields):
    """An upgrade request to /ws/1 with the headers a browser sends, minus `omit`, with `fields` replaced."""
    headers = {"Host": "127.0.0.1", "Upgrade": "websocket", "Connection": "Upgrade",
               "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(), "Sec-WebSocket-Version": "13"}
    headers.update({name.replace("_", "-"): value for name, value in fields.items()})
    lines = [f"{method} /ws/1 HTTP/1.1"] + [f"{name}: {value}" for name, value in headers.items() if name not in omit]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_response(data):
    """(status, lowercased header names -> values, body) of one HTTP response."""
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode().split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


def expected_accept(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def tokens(value):
    return {token.strip().lower() for token in value.split(",")}


def masked_text_frame(text):
    payload, mask = text.encode(), os.urandom(4)
    return bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def assert_still_echoes(server):
    async def scenario():
        async with websockets.connect(server.ws_url(2)) as ws:
            await ws.send("still here")
            return await ws.recv()

    assert run(scenario()) == "Server echo: still here"


def test_a_handshake_gets_101_with_the_accept_for_its_key_and_the_connection_echoes(server):
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(upgrade_request(Sec_WebSocket_Key=key))
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(4096)
        status, headers, rest = parse_response(received)
        assert status == 101
        assert headers["sec-websocket-accept"] == expected_accept(key)
        assert headers["upgrade"].lower() == "websocket"
        assert "upgrade" in tokens(headers["connection"])
        assert headers["server"].startswith("wshub/")
        # Nothing but frames follows the 101: the first bytes after it are the echo's frame header.
        sock.sendall(masked_text_frame("hi"))
        while len(rest) < 2 + len("Server echo: hi"):
            rest += sock.recv(4096)
    assert rest == bytes([0x81, len("Server echo: hi")]) + b"Server echo: hi"


def read_101_then_echo(sock):
    """Reads the 101 and the echo of "hi", sent in the same packet as the request's end."""
    received = b""
    while b"\r\n\r\n" not in received or len(received.split(b"\r\n\r\n", 1)[1]) < 2 + len("Server echo: hi"):
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection"
        received += chunk
    status, _, rest = parse_response(received)
    return status, rest


# A plain request is answered without Beast's parser; these two are left to Beast. Either way the same 101.
UNUSUAL_FIELDS = pytest.mark.parametrize("extra", [b"", b"X-Tab:\ta\r\n", b"Connection: keep-alive\r\n"],
                                         ids=["plain", "a tab", "a second Connection"])


def with_fields(extra):
    return upgrade_request().replace(b"\r\n\r\n", b"\r\n" + extra + b"\r\n")


@UNUSUAL_FIELDS
def test_frames_sent_with_the_request_are_read_after_the_101(server, extra):
    # The request and a frame in one packet: the frame is read with the request and must reach the WebSocket.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(with_fields(extra) + masked_text_frame("hi"))
        assert read_101_then_echo(sock) == (101, bytes([0x81, len("Server echo: hi")]) + b"Server echo: hi")


@UNUSUAL_FIELDS
def test_a_request_in_pieces_is_read_whole(server, extra):
    # Each piece is likely its own read: the first read is then not a whole request, and Beast reads the rest.
    request_bytes = with_fields(extra)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(request_bytes), 40):
            sock.sendall(request_bytes[start:start + 40])
            time.sleep(0.01)
        sock.sendall(masked_text_frame("hi"))
        assert read_101_then_echo(sock) == (101, bytes([0x81, len("Server echo: hi")]) + b"Server echo: hi")


@pytest.mark.parametrize("request_bytes, status", [
    (upgrade_request(omit={"Sec-WebSocket-Key"}), 400),
    (upgrade_request(omit={"Sec-WebSocket-Version"}), 400),
    (upgrade_request(omit={"Host"}), 400),
    (upgrade_request(Sec_WebSocket_Version="12"), 426),
], ids=["missing key", "missing version", "missing host", "version 12"])
def test_a_refused_handshake_gets_its_status_and_the_server_keeps_serving(server, request_bytes, status):
    assert parse_response(send_raw(server, request_bytes))[0] == status
    assert_still_echoes(server)


def test_version_12_is_426_naming_version_13(server):
    status, headers, _ = parse_response(send_raw(server, upgrade_request(Sec_WebSocket_Version="12")))
    assert status == 426
    assert headers["sec-websocket-version"] == "13"


def test_a_key_that_is_not_16_bytes_of_base64_is_400(server):
    received = send_raw(server, upgrade_request(Sec_WebSocket_Key=base64.b64encode(os.urandom(15)).decode()))
    assert parse_response(received)[0] == 400
    assert_still_echoes(server)


@pytest.mark.parametrize("request_bytes, status", [
    (upgrade_request(omit={"Sec-WebSocket-Key"}), 400),
    (upgrade_request(Sec_WebSocket_Key="not-a-base64-key"), 400),
    (upgrade_request(Sec_WebSocket_Version="12"), 426),
], ids=["missing key", "invalid key", "version 12"])
def test_a_refusal_is_a_json_detail_with_connection_close(server, request_bytes, status):
    got_status, headers, body = parse_response(send_raw(server, request_bytes))
    assert got_status == status
    assert headers["content-type"] == "application/json"
    assert "close" in tokens(headers["connection"])
    assert int(headers["content-length"]) == len(body)
    assert isinstance(json.loads(body)["detail"], str)


def test_post_with_upgrade_headers_is_not_an_upgrade_but_the_routes_426(server):
    # Beast's is_upgrade asks for GET, so the request reaches the API, which answers the WebSocket route's 426.
    received = send_raw(server, upgrade_request(method="POST", Connection="Upgrade, close"))
    status, headers, body = parse_response(received)
    assert status == 426
    assert headers["content-type"] == "application/json"
    assert isinstance(json.loads(body)["detail"], str)
    assert_still_echoes(server)
