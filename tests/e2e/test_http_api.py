"""The HTTP API: /clients, /broadcast-to-all, FastAPI-shaped errors, keep-alive, trailing-slash redirects, Date."""
import email.utils
import http.client
import json
import re
import socket
import time
import urllib.request

import pytest
import websockets

from conftest import MIB, broadcast, clients, read_until_closed, request, run, send_raw



def test_clients_is_empty_at_first(server):
    status, headers, body = request(server, "GET", "/clients")
    assert (status, body) == (200, {"clients": []})
    assert headers["Content-Type"] == "application/json"


def test_clients_lists_ids_in_connection_order(server):
    ids = [30, -2, 7, 0, 1000000000000]

    async def scenario():
        connections = []
        for client_id in ids:
            connections.append(await websockets.connect(server.ws_url(client_id)))
        listed = clients(server)
        for ws in connections:
            await ws.close()
        return listed

    assert run(scenario()) == ids


def test_broadcast_reaches_every_client_and_counts_them(server):
    async def scenario():
        connections = [await websockets.connect(server.ws_url(i)) for i in range(3)]
        sent = broadcast(server, "Hello, clients! \u00e9")
        received = [await ws.recv() for ws in connections]
        for ws in connections:
            await ws.close()
        return sent, received

    sent, received = run(scenario())
    assert sent == 3
    assert received == ["Hello, clients! \u00e9"] * 3


def test_broadcast_to_nobody_sends_to_none(server):
    assert broadcast(server, "anyone?") == 0


def test_unknown_paths_are_404(server):
    assert request(server, "GET", "/nope")[::2] == (404, {"detail": "Not Found"})


@pytest.mark.parametrize("method, path, allowed", [
    ("POST", "/clients", "GET"),
    ("DELETE", "/clients", "GET"),
    ("GET", "/broadcast-to-all", "POST"),
    ("PUT", "/broadcast-to-all", "POST"),
])
def test_wrong_methods_are_405_with_allow(server, method, path, allowed):
    status, headers, body = request(server, method, path)
    assert (status, body) == (405, {"detail": "Method Not Allowed"})
    assert headers["Allow"] == allowed
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("body, error", [
    ("", {"loc": ["body"], "msg": "field required", "type": "value_error.missing"}),
    ("[1, 2]", {"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}),
    ('"text"', {"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}),
    ('{"text": "hi"}', {"loc": ["body", "message"], "msg": "field required", "type": "value_error.missing"}),
    ('{"message": 5}', {"loc": ["body", "message"], "msg": "str type expected", "type": "type_error.str"}),
    ('{"message": null}', {"loc": ["body", "message"], "msg": "none is not an allowed value",
                           "type": "type_error.none.not_allowed"}),
    ("null", {"loc": ["body"], "msg": "field required", "type": "value_error.missing"}),
])
def test_invalid_broadcast_bodies_are_422(server, body, error):
    status, headers, answer = request(server, "POST", "/broadcast-to-all", body,
                                      {"Content-Type": "application/json"})
    assert (status, answer) == (422, {"detail": [error]})
    assert headers["Content-Type"] == "application/json"


def test_a_body_that_is_not_json_is_422_with_its_position(server):
    status, _, answer = request(server, "POST", "/broadcast-to-all", '{"message": "unterminated')
    assert status == 422
    [error] = answer["detail"]
    assert error["type"] == "value_error.jsondecode"
    assert error["loc"][0] == "body" and isinstance(error["loc"][1], int)


def test_a_body_over_16_mib_is_413(server):
    status, headers, answer = request(server, "POST", "/broadcast-to-all", b"x" * (16 * MIB + 1))
    assert status == 413
    assert headers["Content-Type"] == "application/json"
    assert "detail" in answer


def test_a_16_mib_body_is_accepted(server):
    message = "m" * (16 * MIB - len('{"message":""}'))
    status, _, answer = request(server, "POST", "/broadcast-to-all", '{"message":"' + message + '"}')
    assert (status, answer) == (200, {"sent": 0})


def test_keep_alive_serves_many_requests_on_one_connection(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.connect()
    first_socket = connection.sock
    for _ in range(5):
        connection.request("GET", "/clients")
        response = connection.getresponse()
        assert response.status == 200
        response.read()
    assert connection.sock is first_socket
    connection.close()


def test_connection_close_is_honoured(server):
    received = send_raw(server, b"GET /clients HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, body = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200")
    assert b"connection: close" in head.lower()
    assert body == b'{"clients":[]}'


def test_pipelined_requests_are_answered_in_order(server):
    received = send_raw(server, b"GET /clients HTTP/1.1\r\nHost: x\r\n\r\n"
                                b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert received.index(b"HTTP/1.1 200") < received.index(b"HTTP/1.1 404")


def test_a_malformed_request_is_400_and_the_server_keeps_serving(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        received = sock.recv(4096)
    assert received.startswith(b"HTTP/1.1 400")
    assert request(server, "GET", "/clients")[0] == 200


def test_expect_100_continue_is_answered(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        body = b'{"message":"hi"}'
        sock.sendall(b"POST /broadcast-to-all HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert sock.recv(4096).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        received = read_until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200")
    assert received.endswith(b'{"sent":0}')


def test_oversized_headers_are_431_and_the_server_keeps_serving(server):
    received = send_raw(server, b"GET /clients HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 10000 + b"\r\n\r\n")
    head, body = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 431")
    assert b"content-type: application/json" in head.lower()
    assert b'"detail"' in body
    assert request(server, "GET", "/clients")[0] == 200


def head_fields(answer):
    """The fields of a raw HTTP answer's head, by lower-case name."""
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return {name.strip().lower(): value.strip() for name, _, value in
            (line.partition(":") for line in head.split("\r\n")[1:])}


def assert_dated_now(date, before, after):
    """RFC 9110 section 6.6.1: an IMF-fixdate of the second the answer was written."""
    assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                        r"\d{4} \d\d:\d\d:\d\d GMT", date), date
    assert int(before) <= email.utils.parsedate_to_datetime(date).timestamp() <= after


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /clients HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"200"),
    (b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"404"),
    (b"GET /clients/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"307"),
    (b"GET /clients HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n", b"431"),
    (b"GET /ws/1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
     b"Sec-WebSocket-Version: 13\r\n\r\n", b"400"),
    (b"GET /ws/1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", b"101"),
])
def test_every_answer_carries_the_date(server, request_bytes, status):
    before = time.time()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            assert chunk, answer
            answer += chunk
    after = time.time()
    assert answer.split(b" ")[1] == status
    assert_dated_now(head_fields(answer)["date"], before, after)


@pytest.mark.parametrize("method, path, location", [
    ("GET", "/clients/", "/clients"),
    ("POST", "/broadcast-to-all/?from=test", "/broadcast-to-all?from=test"),
    ("GET", "/docs//", "/docs"),
])
def test_a_trailing_slash_is_redirected_307_as_fastapi_does(server, method, path, location):
    status, headers, body = request(server, method, path)
    assert (status, headers["Location"], body) == (307, location, None)


def test_a_client_that_follows_the_redirect_gets_the_route(server):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/clients/", timeout=10) as response:
        assert response.url == f"http://127.0.0.1:{server.port}/clients"
        assert json.loads(response.read()) == {"clients": []}
