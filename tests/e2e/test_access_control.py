"""Access control: bearer tokens for the API and /metrics, and the WebSocket origin allow-list."""
import pytest
import websockets

from conftest import metric, metrics_text, request, run, send_raw

TOKEN = "t0ken-for-tests"
METRICS_TOKEN = "scrape-t0ken"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("method, path, body", [("GET", "/clients", None),
                                                ("POST", "/broadcast-to-all", {"message": "hi"})])
def test_the_api_needs_the_token_when_one_is_set(start_server, method, path, body):
    server = start_server("--api-token", TOKEN)
    status, headers, detail = request(server, method, path, body)
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Bearer realm="wshub"'
    assert detail == {"detail": "Not authenticated"}
    status, headers, detail = request(server, method, path, body, bearer("wrong"))
    assert status == 401
    assert 'error="invalid_token"' in headers["WWW-Authenticate"]
    assert request(server, method, path, body, bearer(TOKEN))[0] == 200


def test_health_readiness_and_metrics_stay_open_with_only_the_api_token(start_server):
    server = start_server(env={"API_TOKEN": TOKEN})
    for path in ["/healthz", "/readyz"]:
        assert request(server, "GET", path)[0] == 200
    assert metric(server, 'wshub_http_rejections_total{reason="unauthorized"}') == 0


def test_the_metrics_token_guards_metrics_only(start_server):
    server = start_server("--api-token", TOKEN, "--metrics-token", METRICS_TOKEN)
    assert request(server, "GET", "/metrics")[0] == 401
    assert request(server, "GET", "/metrics", headers=bearer(TOKEN))[0] == 401
    assert request(server, "GET", "/healthz")[0] == 200
    assert "wshub_connected_clients 0" in metrics_text(server, bearer(METRICS_TOKEN))


def upgrade_request(origin):
    origin_header = f"Origin: {origin}\r\n" if origin else ""
    return (f"GET /ws/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{origin_header}\r\n").encode()


def test_an_origin_not_allowed_gets_403_and_is_counted(start_server):
    server = start_server("--allowed-origins", "https://app.example.com,http://localhost:3000")
    answer = send_raw(server, upgrade_request("https://evil.example.com"))
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert b'{"detail":' in answer
    assert metric(server, 'wshub_http_rejections_total{reason="forbidden_origin"}') == 1

    async def allowed():
        async with websockets.connect(server.ws_url(1), origin="http://localhost:3000") as ws:
            await ws.send("from an allowed page")
            return await ws.recv()

    assert run(allowed()) == "Server echo: from an allowed page"
