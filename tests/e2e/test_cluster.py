"""Several nodes as one hub over a real redis-server: broadcasts, the client list and duplicate ids cluster-wide."""
import asyncio
import signal
import socket
import time

import websockets

from conftest import CLUSTER_TEST_SETTINGS, broadcast, clients, metric, request, run, wait_until

REDIS_TIMEOUT_SEC = 1.0  # CLUSTER_TEST_SETTINGS: the longest wait for any Redis reply
# What a test allows a node beyond a deadline of its own (a slow CI machine, an ASan build).
MARGIN_SEC = 1.0
SHORT_REDIS_TIMEOUT_SEC = 0.5


async def close_code(ws):
    await ws.wait_closed()
    return ws.close_code


def test_a_broadcast_reaches_every_client_on_every_node_once_in_order(start_cluster):
    nodes = start_cluster(3)
    messages = [f"m{i}" for i in range(30)]

    async def scenario():
        sockets = [await websockets.connect(node.ws_url(10 * n + k)) for n, node in enumerate(nodes) for k in range(2)]
        # Alternate the answering node: each node's own broadcasts keep their order everywhere.
        sent = [await asyncio.to_thread(broadcast, nodes[0], message) for message in messages]
        received = [[await asyncio.wait_for(ws.recv(), 10) for _ in messages] for ws in sockets]
        for ws in sockets:
            await ws.close()
        return sent, received

    sent, received = run(scenario())
    assert sent == [6] * len(messages)
    assert received == [messages] * 6


def test_broadcasts_through_different_nodes_reach_everyone_exactly_once(start_cluster):
    nodes = start_cluster(2)

    async def scenario():
        sockets = [await websockets.connect(node.ws_url(n)) for n, node in enumerate(nodes)]
        for i in range(20):
            await asyncio.to_thread(broadcast, nodes[i % 2], f"from {i % 2}: {i}")
        received = [[await asyncio.wait_for(ws.recv(), 10) for _ in range(20)] for ws in sockets]
        # Nothing more: no broadcast came twice.
        for ws in sockets:
            await ws.close()
        return received

    for seen in run(scenario()):
        assert sorted(seen) == sorted(f"from {i % 2}: {i}" for i in range(20))
        for origin in ("from 0", "from 1"):
            own = [m for m in seen if m.startswith(origin)]
            assert own == sorted(own, key=lambda m: int(m.split(": ")[1]))


def test_clients_lists_the_cluster_in_connection_order(start_cluster):
    nodes = start_cluster(3)

    async def scenario():
        order = [(0, 5), (1, -2), (2, 40), (0, 3), (2, 1)]
        sockets = {cid: await websockets.connect(nodes[n].ws_url(cid)) for n, cid in order}
        listed = [await asyncio.to_thread(clients, node) for node in nodes]
        await sockets[40].close()
        await asyncio.to_thread(wait_until, lambda: all(clients(node) == [5, -2, 3, 1] for node in nodes),
                                what="client 40 gone from every node's list")
        for ws in sockets.values():
            await ws.close()
        return listed

    assert run(scenario()) == [[5, -2, 40, 3, 1]] * 3


def test_an_id_connected_on_one_node_is_refused_on_the_others_with_1008(start_cluster):
    nodes = start_cluster(2)

    async def scenario():
        async with websockets.connect(nodes[0].ws_url(7)) as original:
            duplicate = await websockets.connect(nodes[1].ws_url(7))
            code = await close_code(duplicate)
            await original.send("still here")
            return code, await original.recv()

    assert run(scenario()) == (1008, "Server echo: still here")
    assert metric(nodes[1], 'wshub_connections_total{outcome="duplicate_id"}') == 1


def test_of_two_simultaneous_connections_with_one_id_exactly_one_wins(start_cluster):
    nodes = start_cluster(2)

    async def attempt(node, client_id):
        ws = await websockets.connect(node.ws_url(client_id))
        try:
            await ws.send("mine?")
            assert await asyncio.wait_for(ws.recv(), 10) == "Server echo: mine?"
            return ws  # echoed: admitted
        except websockets.ConnectionClosed:
            assert ws.close_code == 1008
        return None

    async def scenario():
        winners = []
        for client_id in range(1000, 1100):
            results = await asyncio.gather(attempt(nodes[0], client_id), attempt(nodes[1], client_id))
            won = [ws for ws in results if ws is not None]
            assert len(won) == 1, f"id {client_id}: {len(won)} winners"
            winners.append(won[0])
        listed = await asyncio.to_thread(clients, nodes[0])
        for ws in winners:
            await ws.close()
        return listed

    assert run(scenario()) == list(range(1000, 1100))


def test_readyz_and_metrics_say_whether_redis_is_up(start_cluster, redis_server):
    node, = start_cluster(1)
    status, _, body = request(node, "GET", "/readyz")
    assert (status, body) == (200, {"status": "ready", "redis": "up"})
    assert metric(node, "wshub_redis_connected") == 1
    redis_server.stop()
    node.wait_for_log(r"lost Redis")
    status, _, body = request(node, "GET", "/readyz")
    assert (status, body) == (200, {"status": "ready", "redis": "down"})
    assert metric(node, "wshub_redis_connected") == 0
    assert metric(node, "wshub_redis_outages_total") == 1


def test_a_node_is_not_ready_until_its_first_attempt_to_join_has_succeeded_or_failed(start_server):
    # A "Redis" that completes the TCP handshake (the kernel does, from the backlog) and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        node = start_server("--redis-url", f"redis://127.0.0.1:{silent.getsockname()[1]}/0", *CLUSTER_TEST_SETTINGS)
        status, _, body = request(node, "GET", "/readyz")
        assert (status, body) == (503, {"status": "joining the cluster", "redis": "down"})
        silent.settimeout(10)
        connection, _ = silent.accept()
        with connection:
            # Connected is not joined, nor up: the attempt fails once Redis has not answered within REDIS_TIMEOUT_MS,
            # and the node serves on its own while the silent connection is still open.
            node.wait_for_log(r"cannot reach Redis", timeout=REDIS_TIMEOUT_SEC + 3)
            wait_until(lambda: request(node, "GET", "/readyz")[0] == 200, what="ready once the attempt failed")
            assert request(node, "GET", "/readyz")[2] == {"status": "ready", "redis": "down"}


def test_a_single_node_says_nothing_about_redis(server):
    status, _, body = request(server, "GET", "/readyz")
    assert (status, body) == (200, {"status": "ready"})


def test_a_killed_nodes_clients_leave_the_list_and_free_their_ids_within_the_node_timeout(start_cluster):
    survivor, doomed = start_cluster(2)

    async def scenario():
        async with websockets.connect(survivor.ws_url(1)):
            await websockets.connect(doomed.ws_url(9))
            assert await asyncio.to_thread(clients, survivor) == [1, 9]
            doomed.sigkill()
            started = asyncio.get_running_loop().time()
            await asyncio.to_thread(wait_until, lambda: clients(survivor) == [1], 5, "client 9 gone")
            gone_after = asyncio.get_running_loop().time() - started
            async with websockets.connect(survivor.ws_url(9)) as again:
                await again.send("back")
                return gone_after, await again.recv()

    gone_after, echo = run(scenario())
    assert echo == "Server echo: back"
    assert gone_after < 2.5  # NODE_TIMEOUT_SEC is 1 here; the list is read through Redis on every call


def test_every_broadcast_arrives_once_in_order_across_a_killed_redis_connection(start_cluster, redis_server):
    origin, cut = start_cluster(2)
    messages = [f"b{i}" for i in range(300)]

    async def scenario():
        async with websockets.connect(cut.ws_url(5)) as ws:
            async def publish():
                for i, message in enumerate(messages):
                    await asyncio.to_thread(broadcast, origin, message)
                    if i == 100:
                        assert await asyncio.to_thread(redis_server.kill_connections_of, "n1") == 2
            publishing = asyncio.create_task(publish())
            received = [await asyncio.wait_for(ws.recv(), 20) for _ in messages]
            await publishing
            return received

    assert run(scenario()) == messages
    cut.wait_for_log(r"connected to Redis at .* after", count=2)


def test_nodes_serve_their_own_clients_while_redis_is_down_and_rejoin_when_it_returns(start_cluster, redis_server):
    nodes = start_cluster(2)

    async def scenario():
        first = await websockets.connect(nodes[0].ws_url(1))
        second = await websockets.connect(nodes[1].ws_url(2))
        redis_server.stop()
        for node in nodes:
            node.wait_for_log(r"lost Redis")
        local_only = await asyncio.to_thread(broadcast, nodes[0], "while down")
        assert await asyncio.wait_for(first.recv(), 10) == "while down"
        await second.send("echo still works")
        assert await asyncio.wait_for(second.recv(), 10) == "Server echo: echo still works"
        redis_server.start()
        for node in nodes:
            node.wait_for_log(r"connected to Redis at .* after", count=2)
            node.wait_for_log(r"is live", count=1)
        await asyncio.to_thread(wait_until, lambda: sorted(clients(nodes[0])) == [1, 2], 10, "both re-registered")
        # Heartbeats are back too: the next broadcast is counted on both nodes.
        await asyncio.to_thread(wait_until, lambda: broadcast(nodes[0], "probe") == 2, 10, "both nodes counted")
        seen = [await asyncio.wait_for(second.recv(), 10) for _ in range(2)]
        await first.close()
        await second.close()
        return local_only, seen

    local_only, seen = run(scenario())
    assert local_only == 1
    # The broadcast made while cut off was published when Redis came back, before any later one.
    assert seen == ["while down", "probe"]


def test_after_an_outage_the_later_of_two_connections_with_one_id_is_closed(start_cluster, redis_server):
    nodes = start_cluster(2)

    async def echoes(ws):
        await ws.send("still here?")
        return await asyncio.wait_for(ws.recv(), 10) == "Server echo: still here?"

    async def scenario():
        redis_server.stop()
        for node in nodes:
            node.wait_for_log(r"lost Redis")
        # Both nodes admit on their own say. Id 10 connects to node 0 first, id 11 to node 1 first: whichever node
        # registers again first, one of the two later connections is on it and one on the other.
        earlier_10 = await websockets.connect(nodes[0].ws_url(10))
        later_10 = await websockets.connect(nodes[1].ws_url(10))
        earlier_11 = await websockets.connect(nodes[1].ws_url(11))
        later_11 = await websockets.connect(nodes[0].ws_url(11))
        redis_server.start()
        codes = await asyncio.wait_for(asyncio.gather(close_code(later_10), close_code(later_11)), 15)
        assert await echoes(earlier_10) and await echoes(earlier_11)
        listed = await asyncio.to_thread(clients, nodes[0])
        await earlier_10.close()
        await earlier_11.close()
        return codes, listed

    codes, listed = run(scenario())
    assert codes == [1008, 1008]
    assert sorted(listed) == [10, 11]


def test_a_redis_that_stops_answering_holds_no_handshake_or_listing_beyond_the_redis_timeout(start_server,
                                                                                              redis_server):
    # The reply deadline is REDIS_TIMEOUT_MS, not CLUSTER_TIMEOUT_MS (a broadcast's wait for counts): set apart here.
    node = start_server("--redis-url", redis_server.url, "--node-id", "n0", "--node-timeout-sec", "1",
                        "--cluster-timeout-ms", "3000", "--redis-timeout-ms", str(int(SHORT_REDIS_TIMEOUT_SEC * 1000)))
    node.wait_for_log(r"is live, reading broadcasts")

    async def handshake_seconds(client_id):
        started = time.monotonic()
        ws = await asyncio.wait_for(websockets.connect(node.ws_url(client_id)), SHORT_REDIS_TIMEOUT_SEC + MARGIN_SEC)
        return ws, time.monotonic() - started

    def listing_seconds():
        started = time.monotonic()
        listed = clients(node)
        return listed, time.monotonic() - started

    async def scenario():
        first = await websockets.connect(node.ws_url(1))
        redis_server.pause()
        try:
            # The first waits for its claim's deadline, the next ones find Redis down and do not wait.
            second, second_took = await handshake_seconds(2)
            status, _, body = request(node, "GET", "/readyz")
            assert (status, body) == (200, {"status": "ready", "redis": "down"})
            assert metric(node, "wshub_redis_connected") == 0
            third, third_took = await handshake_seconds(3)
            # Reconnection attempts (each TCP handshake completes from the stopped server's backlog) never count as
            # up: every sample over a few attempts says down, and every listing is this node's own, at once.
            samples, listings = [], []
            until = time.monotonic() + 2 * SHORT_REDIS_TIMEOUT_SEC + 2
            while time.monotonic() < until:
                samples.append((request(node, "GET", "/readyz")[2]["redis"], metric(node, "wshub_redis_connected")))
                listings.append(await asyncio.to_thread(listing_seconds))
        finally:
            redis_server.resume()
        await asyncio.to_thread(wait_until, lambda: request(node, "GET", "/readyz")[2]["redis"] == "up", 10,
                                "Redis up again")
        await asyncio.to_thread(wait_until, lambda: clients(node) == [1, 2, 3], 10, "the clients registered again")
        up_metric = metric(node, "wshub_redis_connected")
        for ws in (first, second, third):
            await ws.close()
        return second_took, third_took, samples, listings, up_metric

    second_took, third_took, samples, listings, up_metric = run(scenario())
    print(f"handshakes while Redis is stopped: {second_took * 1000:.0f} ms, then {third_took * 1000:.0f} ms; "
          f"listings: at most {max(took for _, took in listings) * 1000:.0f} ms")
    assert second_took < SHORT_REDIS_TIMEOUT_SEC + MARGIN_SEC
    assert third_took < MARGIN_SEC
    assert set(samples) == {("down", 0)}
    assert all(listed == [1, 2, 3] and took < SHORT_REDIS_TIMEOUT_SEC + MARGIN_SEC for listed, took in listings)
    assert up_metric == 1


def test_after_redis_restarts_empty_clients_are_listed_in_connection_order_across_nodes(start_cluster, redis_server):
    nodes = start_cluster(2)

    async def scenario():
        sockets = [await websockets.connect(nodes[n].ws_url(client_id)) for n, client_id in [(0, 1), (1, 2), (0, 3),
                                                                                             (1, 4)]]
        before = await asyncio.to_thread(clients, nodes[0])
        redis_server.stop()
        for node in nodes:
            node.wait_for_log(r"lost Redis")
        redis_server.start()
        # Each node registers its own clients again, in one script: once all four are back, both have.
        await asyncio.to_thread(wait_until, lambda: all(sorted(clients(node)) == [1, 2, 3, 4] for node in nodes), 10,
                                "both nodes registered again")
        after = [await asyncio.to_thread(clients, node) for node in nodes]
        for ws in sockets:
            await ws.close()
        return before, after

    before, after = run(scenario())
    assert before == [1, 2, 3, 4]
    assert after == [[1, 2, 3, 4]] * 2


def test_a_node_stalled_past_the_node_timeout_registers_again_and_the_later_duplicate_is_closed(start_cluster):
    stalled, other = start_cluster(2)

    async def echoes(ws):
        await ws.send("still here?")
        return await asyncio.wait_for(ws.recv(), 10) == "Server echo: still here?"

    async def scenario():
        earlier = await websockets.connect(stalled.ws_url(7))
        bystander = await websockets.connect(stalled.ws_url(8))
        witness = await websockets.connect(other.ws_url(9))
        stalled.signal(signal.SIGSTOP)
        try:
            # NODE_TIMEOUT_SEC is 1: the other node takes the stalled one for dead, and its ids for free.
            await asyncio.to_thread(wait_until, lambda: clients(other) == [9], 5, "the stalled node's clients gone")
            later = await websockets.connect(other.ws_url(7))
            assert await echoes(later)
        finally:
            stalled.signal(signal.SIGCONT)
        code = await asyncio.wait_for(close_code(later), 10)
        assert await echoes(earlier)
        await asyncio.to_thread(wait_until, lambda: all(clients(node) == [7, 8, 9] for node in (stalled, other)), 10,
                                "the stalled node's clients listed again")
        # One connection per id, each counted once: 7 and 8 on the stalled node, 9 here.
        await asyncio.to_thread(wait_until, lambda: broadcast(other, "probe") == 3, 10, "three clients counted")
        for ws in (earlier, bystander, witness):
            await ws.close()
        return code

    assert run(scenario()) == 1008
    stalled.wait_for_log(r"node n0 was taken for dead")
    assert metric(other, 'wshub_connections_total{outcome="duplicate_id"}') == 1
