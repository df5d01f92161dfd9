"""Limits: clients (1013), message size (1009), body (413), headers (431) and slow requests, each counted."""
import socket
import time

import websockets

from conftest import RawWebSocket, metric, request, run, send_raw

TEXT = 0x1


def test_one_client_over_the_limit_is_closed_with_1013(start_server):
    server = start_server("--max-clients", "2")

    async def scenario():
        async with websockets.connect(server.ws_url(1)), websockets.connect(server.ws_url(2)):
            async with websockets.connect(server.ws_url(3)) as third:
                await third.wait_closed()
                refused = third.close_code, third.close_reason
        async with websockets.connect(server.ws_url(3)) as later:
            await later.send("room again")
            return refused, await later.recv()

    refused, echo = run(scenario())
    assert refused[0] == 1013
    assert refused[1].startswith("try again later")
    assert echo == "Server echo: room again"
    assert metric(server, 'wshub_connections_total{outcome="over_limit"}') == 1


def test_a_message_over_the_limit_closes_with_1009_and_one_at_it_is_echoed(start_server):
    server = start_server("--max-message-bytes", "1000")
    ws = RawWebSocket(server, "/ws/1")
    ws.send_frame(TEXT, b"a" * 1000)
    assert ws.recv_frame() == (TEXT, b"Server echo: " + b"a" * 1000)
    ws.send_frame(TEXT, b"a" * 1001)
    code, _ = ws.recv_close()
    assert code == 1009


def test_a_body_over_the_limit_is_413(start_server):
    server = start_server("--max-body-bytes", "100")
    assert request(server, "POST", "/broadcast-to-all", {"message": "x" * 80})[0] == 200
    status, _, body = request(server, "POST", "/broadcast-to-all", {"message": "x" * 200})
    assert status == 413
    assert "100 bytes" in body["detail"]
    assert metric(server, 'wshub_http_rejections_total{reason="body_too_large"}') == 1


def test_headers_over_the_limit_are_431(start_server):
    server = start_server("--max-header-bytes", "2048")
    assert request(server, "GET", "/clients", headers={"X-Padding": "p" * 1500})[0] == 200
    answer = send_raw(server, b"GET /clients HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"p" * 3000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")
    # The limit holds for the head as a whole, not for each header or for the request line alone.
    assert request(server, "GET", "/clients", headers={f"X-{i}": "v" * 80 for i in range(20)})[0] == 200
    many = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 80) for i in range(30))
    assert send_raw(server, b"GET /clients HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n").startswith(b"HTTP/1.1 431 ")
    assert metric(server, 'wshub_http_rejections_total{reason="headers_too_large"}') == 2


def test_a_slowloris_request_is_dropped_after_the_request_timeout(start_server):
    server = start_server("--request-timeout-sec", "1")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
        started = time.monotonic()
        slow.sendall(b"GET /ws/1 HTTP/1.1\r\n")
        closed_after = None
        # One header byte every 0.2 s would keep a per-read timeout alive forever; the deadline is per request.
        try:
            for _ in range(50):
                slow.sendall(b"X")
                slow.settimeout(0.2)
                try:
                    if slow.recv(1024) == b"":
                        closed_after = time.monotonic() - started
                        break
                except socket.timeout:
                    continue
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.monotonic() - started
    assert closed_after is not None, "the server kept a trickling request open"
    assert 0.9 <= closed_after <= 3
    assert metric(server, 'wshub_http_rejections_total{reason="request_timeout"}') == 1
    assert request(server, "GET", "/healthz")[0] == 200


def test_a_connection_that_sends_nothing_is_closed_after_the_keep_alive_timeout(start_server):
    server = start_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as silent:
        started = time.monotonic()
        assert silent.recv(1024) == b""  # uvicorn's keep-alive timeout: 5 s, then closed without an answer
        assert 4.5 <= time.monotonic() - started <= 8
    assert request(server, "GET", "/healthz")[0] == 200
