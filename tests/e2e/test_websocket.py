"""The WebSocket endpoint /ws/{clientId}: echo, close codes, ids, duplicates, leaving the registry."""
import asyncio

import pytest
import websockets

from conftest import MIB, RawWebSocket, clients, request, run, wait_until



async def closed_with(ws):
    await ws.wait_closed()
    return ws.close_code, ws.close_reason


def test_echoes_text_byte_for_byte(server):
    messages = ["hello", "", "caf\u00e9 \u65e5\u672c \U0001f600", " leading and trailing ", "x" * 70000]

    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            for message in messages:
                await ws.send(message)
            return [await ws.recv() for _ in messages]

    assert run(scenario()) == ["Server echo: " + m for m in messages]


def test_echoes_a_16_mib_message(server):
    message = "a" * (16 * MIB)

    async def scenario():
        async with websockets.connect(server.ws_url(1), max_size=None) as ws:
            await ws.send(message)
            return await ws.recv()

    assert run(scenario()) == "Server echo: " + message


def test_a_message_over_16_mib_closes_with_1009(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1), max_size=None) as ws:
            try:
                await ws.send("a" * (16 * MIB + 1))
            except websockets.ConnectionClosed:
                pass  # the server may refuse before it has read the whole message
            return await closed_with(ws)

    assert run(scenario())[0] == 1009


def test_reassembles_fragmented_messages(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            await ws.send(["frag", "mented ", "\u00e9"])
            return await ws.recv()

    assert run(scenario()) == "Server echo: fragmented \u00e9"


def test_a_binary_message_closes_with_1003(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            await ws.send(b"\x00\x01")
            return await closed_with(ws)

    assert run(scenario()) == (1003, "binary messages are not supported")


def test_invalid_utf8_closes_with_1007(server):
    ws = RawWebSocket(server, "/ws/1")
    ws.send_frame(0x1, b"bad \xff utf-8")
    assert ws.recv_close()[0] == 1007


def test_answers_pings(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            pong = await ws.ping(b"are you there")
            await asyncio.wait_for(pong, 10)
            await ws.send("still echoing")
            return await ws.recv()

    assert run(scenario()) == "Server echo: still echoing"


def test_a_negative_id_is_valid(server):
    async def scenario():
        async with websockets.connect(server.ws_url(-5)) as ws:
            listed = clients(server)
            await ws.send("hi")
            return listed, await ws.recv()

    assert run(scenario()) == ([-5], "Server echo: hi")


@pytest.mark.parametrize("path, reason", [
    ("/ws/abc", "client id 'abc' is not an integer"),
    ("/ws/1.5", "client id '1.5' is not an integer"),
    ("/ws/", "client id is missing"),
    ("/ws", "client id is missing"),
    ("/ws/9223372036854775808", "out of the 64-bit integer range"),
    ("/ws/1/2", "unexpected path segments after the client id"),
])
def test_an_invalid_id_is_closed_with_1008_and_registers_nothing(server, path, reason):
    async def scenario():
        async with websockets.connect(f"ws://127.0.0.1:{server.port}{path}") as ws:
            return await closed_with(ws)

    code, got_reason = run(scenario())
    assert code == 1008
    assert reason in got_reason
    assert clients(server) == []


def test_a_duplicate_id_is_closed_with_1008_and_the_first_is_untouched(server):
    async def scenario():
        async with websockets.connect(server.ws_url(42)) as first:
            async with websockets.connect(server.ws_url(42)) as second:
                refused = await closed_with(second)
            await first.send("after the duplicate")
            return refused, await first.recv(), clients(server)

    refused, echo, listed = run(scenario())
    assert refused == (1008, "client id 42 is already connected")
    assert echo == "Server echo: after the duplicate"
    assert listed == [42]


def test_a_plain_http_request_to_the_websocket_route_is_426(server):
    status, headers, body = request(server, "GET", "/ws/1")
    assert status == 426
    assert headers["Content-Type"] == "application/json"
    assert isinstance(body["detail"], str)


def test_replies_arrive_in_order(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            for i in range(500):
                await ws.send(str(i))
            return [await ws.recv() for _ in range(500)]

    assert run(scenario()) == [f"Server echo: {i}" for i in range(500)]


def test_a_client_leaves_the_registry_after_a_close_handshake(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1)):
            assert clients(server) == [1]

    run(scenario())
    assert clients(server) == []


@pytest.mark.parametrize("ending", ["reset", "eof"])
def test_a_client_leaves_the_registry_when_its_connection_drops(server, ending):
    ws = RawWebSocket(server, "/ws/7")
    ws.send_frame(0x1, b"ping")
    assert ws.recv_frame() == (0x1, b"Server echo: ping")
    assert clients(server) == [7]
    ws.reset() if ending == "reset" else ws.close()
    wait_until(lambda: clients(server) == [], what="client 7 to leave")
