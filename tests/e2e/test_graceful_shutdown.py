"""The shutdown contract: drain on the first signal, progress lines, forced 1001 closes, second signal, exit 0."""
import asyncio
import datetime
import http.client
import re
import signal
import socket

import pytest
import websockets

from conftest import MIB, RawWebSocket, broadcast, clients, read_until_closed, run

DRAINING = r"received SIG\w+: shutting down"


async def closed_with(ws):
    await ws.wait_closed()
    return ws.close_code, ws.close_reason


def logged_at(server, pattern):
    """The time stamp of the first log line matching pattern."""
    line = server.lines[[i for i, text in enumerate(server.lines) if re.search(pattern, text)][0]]
    return datetime.datetime.fromisoformat(line.split()[0])


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_idle_server_exits_0_at_once(server, signum):
    server.signal(signum)
    assert server.wait_exit() == 0
    server.wait_for_log("shutdown: stopped")
    # No polling interval: only a few hops between threads, with room for a loaded machine.
    waited = logged_at(server, "shutdown: stopped") - logged_at(server, DRAINING)
    assert waited < datetime.timedelta(milliseconds=200)


def test_draining_keeps_serving_logs_progress_and_proceeds_when_the_last_client_leaves(start_server):
    server = start_server("--progress-log-every-sec", "0.2", env={"FORCED_SHUTDOWN_AFTER_SEC": "60"})

    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            server.signal()
            server.wait_for_log(DRAINING)
            progress = server.wait_for_log(r"shutdown: (\d+) clients remain; waited [\d.]+ s; forcing in ([\d.]+) s",
                                           count=2)
            assert progress.group(1) == "1" and float(progress.group(2)) < 60

            await ws.send("still here")
            echo = await ws.recv()
            assert clients(server) == [1]
            assert broadcast(server, "during the drain") == 1
            assert await ws.recv() == "during the drain"

            async with websockets.connect(server.ws_url(2)) as late:
                refused = await closed_with(late)
            assert clients(server) == [1]
        return echo, refused

    echo, refused = run(scenario())
    assert echo == "Server echo: still here"
    assert refused == (1001, "server shutting down")
    assert server.wait_exit() == 0
    server.wait_for_log(r"all clients left after")
    server.wait_for_log("shutdown: stopped")


def test_remaining_clients_are_closed_with_1001_at_the_deadline(start_server):
    server = start_server("--forced-shutdown-after-sec", "0.5")

    async def scenario():
        connections = [await websockets.connect(server.ws_url(i)) for i in range(3)]
        server.signal()
        return await asyncio.gather(*(closed_with(ws) for ws in connections))

    assert run(scenario()) == [(1001, "server shutting down")] * 3
    assert server.wait_exit() == 0
    server.wait_for_log(r"closing 3 remaining clients with 1001 \(FORCED_SHUTDOWN_AFTER_SEC \(0.5 s\) expired\)")


def test_a_forced_close_comes_after_what_was_already_queued(start_server):
    # A backpressure cap above the 24 MiB, so that the client is not closed as a slow consumer first.
    server = start_server("--forced-shutdown-after-sec", "0.2", "--max-backpressure-bytes", str(64 * MIB))
    reader = RawWebSocket(server, "/ws/1")
    # 24 MiB that the client does not read: more than the socket buffers hold, so most of it is still queued
    # in the server when the deadline closes the client.
    messages = [(c * (8 * MIB)) for c in "abc"]
    for message in messages:
        assert broadcast(server, message) == 1
    server.signal()
    server.wait_for_log(r"closing 1 remaining clients with 1001")
    for message in messages:
        assert reader.recv_frame() == (0x1, message.encode())
    assert reader.recv_close() == (1001, "server shutting down")
    reader.send_frame(0x8, (1001).to_bytes(2, "big"))
    reader.close()
    assert server.wait_exit() == 0


def test_zero_forced_shutdown_closes_everyone_at_once(start_server):
    server = start_server(env={"FORCED_SHUTDOWN_AFTER_SEC": "0"})

    async def scenario():
        async with websockets.connect(server.ws_url(5)) as ws:
            server.signal()
            return await closed_with(ws)

    assert run(scenario()) == (1001, "server shutting down")
    assert server.wait_exit() == 0


def test_a_second_signal_skips_the_wait(start_server):
    server = start_server("--forced-shutdown-after-sec", "600")

    async def scenario():
        async with websockets.connect(server.ws_url(9)) as ws:
            server.signal()
            server.wait_for_log(DRAINING)
            server.signal(signal.SIGINT)
            return await closed_with(ws)

    assert run(scenario()) == (1001, "server shutting down")
    assert server.wait_exit() == 0
    server.wait_for_log(r"closing 1 remaining clients with 1001 \(second signal SIGINT\)")


def test_a_client_that_ignores_the_close_is_dropped_after_a_bounded_wait(start_server):
    server = start_server("--forced-shutdown-after-sec", "0")
    silent = RawWebSocket(server, "/ws/3")
    server.signal()
    assert silent.recv_close() == (1001, "server shutting down")
    assert server.wait_exit(timeout=30) == 0
    # Each close handshake is bounded by 5 s, the forced close as a whole by 10 s.
    waited = logged_at(server, "shutdown: stopped") - logged_at(server, "closing 1 remaining clients")
    assert datetime.timedelta(seconds=4) < waited < datetime.timedelta(seconds=10)


def test_a_request_in_flight_at_shutdown_is_answered(start_server):
    server = start_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        # A first exchange proves the connection has been accepted (the backlog is not "in flight").
        sock.sendall(b"GET /clients HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).endswith(b'{"clients":[]}')
        body = b'{"message":"late"}'
        sock.sendall(b"POST /broadcast-to-all HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
        server.signal()
        server.wait_for_log(r"no longer accepting connections")
        sock.sendall(body)
        received = read_until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200")
    assert b"connection: close" in received.lower()
    assert received.endswith(b'{"sent":0}')
    assert server.wait_exit() == 0


def test_an_idle_keep_alive_connection_does_not_hold_up_the_exit(start_server):
    server = start_server()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/clients")
    connection.getresponse().read()
    server.signal()
    assert server.wait_exit(timeout=4) == 0
    connection.close()


def test_under_load_every_broadcast_answered_before_the_forced_close_arrives_before_1001(start_server):
    server = start_server("--threads", "2", env={"FORCED_SHUTDOWN_AFTER_SEC": "0"})
    client_count, payload = 40, "x" * 2000

    async def scenario():
        connections = [await websockets.connect(server.ws_url(i), max_queue=None) for i in range(client_count)]

        async def collect(ws):
            received = []
            try:
                async for message in ws:
                    received.append(int(message.split(":")[0]))
            except websockets.ConnectionClosed:
                pass
            return received, ws.close_code

        readers = [asyncio.create_task(collect(ws)) for ws in connections]
        loop = asyncio.get_running_loop()

        def broadcast_until_refused():
            """Broadcasts numbered messages while echo traffic flows; signals midway; returns the numbers answered
            with every client counted before the signal was sent."""
            answered_before_signal = []
            for number in range(400):
                if number == 200:
                    server.signal()
                    signalled = True
                try:
                    sent = broadcast(server, f"{number}:{payload}")
                except (AssertionError, ConnectionError, OSError):
                    break
                if number < 200:
                    assert sent == client_count + 1  # the echoing client hears broadcasts too
                    answered_before_signal.append(number)
            return answered_before_signal

        async def echo_traffic(echoer):
            try:
                for _ in range(10_000):
                    await echoer.send("load")
                    while not (await echoer.recv()).startswith("Server echo: "):
                        pass
            except websockets.ConnectionClosed:
                pass

        # Connected before the first broadcast, so that every broadcast counts it.
        echo_task = asyncio.create_task(echo_traffic(await websockets.connect(server.ws_url(client_count))))
        answered = await loop.run_in_executor(None, broadcast_until_refused)
        results = await asyncio.gather(*readers)
        await echo_task
        return answered, results

    answered, results = run(scenario())
    assert answered == list(range(200))
    for received, close_code in results:
        assert close_code == 1001
        # Everything answered before the signal arrived, in order; what raced the close may follow, in order.
        assert received[:200] == answered
        assert received == sorted(set(received))
    assert server.wait_exit() == 0
