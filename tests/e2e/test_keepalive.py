"""Keep-alive: a silent client is pinged after --ping-interval-sec and dropped after --idle-timeout-sec of silence,
while one that answers the pings stays."""
import asyncio
import time

import websockets

from conftest import RawWebSocket, clients, metric, run, wait_until

PING = 0x9
PING_INTERVAL = 1.0
IDLE_TIMEOUT = 2.5


def seconds_until_dropped(ws, start):
    """Reads (and ignores) frames until the server drops the connection; returns when, from start."""
    try:
        while True:
            ws.recv_frame()
    except (ConnectionError, OSError):
        return time.monotonic() - start


def test_a_silent_client_is_pinged_then_dropped_while_one_that_answers_stays(start_server):
    server = start_server("--ping-interval-sec", str(PING_INTERVAL), "--idle-timeout-sec", str(IDLE_TIMEOUT))
    # A raw client that never answers: the TCP connection stays up, as with a peer that vanished.
    silent = RawWebSocket(server, "/ws/1")
    silent.sock.settimeout(30)
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
            # Outlive several idle timeouts: the answering client's pongs are what keeps it.
            await asyncio.sleep(2 * IDLE_TIMEOUT)
            await answering.send("still here")
            echo = await answering.recv()
            assert clients(server) == [2]
            return opcode, pinged_after, dropped_after, echo

    opcode, pinged_after, dropped_after, echo = run(scenario())
    assert opcode == PING
    assert PING_INTERVAL * 0.9 <= pinged_after <= PING_INTERVAL + 1.5
    assert IDLE_TIMEOUT * 0.9 <= dropped_after <= IDLE_TIMEOUT + 2
    assert echo == "Server echo: still here"
    assert metric(server, 'wshub_disconnects_total{reason="idle_timeout"}') == 1
