"""Keep-alive: a client that goes silent is pinged after 20 s and dropped 20 s later; one that answers stays."""
import asyncio
import time

import websockets

from conftest import RawWebSocket, clients, run, wait_until

PING = 0x9


def seconds_until_dropped(ws, start):
    """Reads (and ignores) frames until the server drops the connection; returns when, from start."""
    try:
        while True:
            ws.recv_frame()
    except (ConnectionError, OSError):
        return time.monotonic() - start


def test_a_silent_client_is_pinged_then_dropped_while_one_that_answers_stays(server):
    silent = RawWebSocket(server, "/ws/1")
    silent.sock.settimeout(60)
    start = time.monotonic()

    async def scenario():
        # No pings of its own: only answering the server's pings may keep this client connected.
        async with websockets.connect(server.ws_url(2), ping_interval=None) as answering:
            loop = asyncio.get_running_loop()
            opcode, _ = await loop.run_in_executor(None, silent.recv_frame)
            pinged_after = time.monotonic() - start
            dropped_after = await loop.run_in_executor(None, seconds_until_dropped, silent, start)
            # The server closes the socket, then its read loop ends and the client leaves the hub.
            await loop.run_in_executor(None, lambda: wait_until(lambda: clients(server) == [2], what="client 1 to go"))
            await answering.send("still here")
            return opcode, pinged_after, dropped_after, await answering.recv()

    opcode, pinged_after, dropped_after, echo = run(scenario())
    assert opcode == PING
    assert 19 <= pinged_after <= 30
    assert 39 <= dropped_after <= 55
    assert echo == "Server echo: still here"
