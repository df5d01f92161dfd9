"""Graceful shutdown of one node of a cluster: it leaves the load balancer's rotation, refuses new clients, frees
each id as its client leaves, closes the rest with 1001 at the forced time, and the cluster forgets it as it exits."""
import asyncio
import time

import websockets

from conftest import broadcast, clients, metric, request, run

DRAINING = r"received SIGTERM: shutting down"
SHUTTING_DOWN = (1001, "server shutting down")


async def closed_with(ws):
    await ws.wait_closed()
    return ws.close_code, ws.close_reason


async def echoed(ws):
    """True once the client is served: admitted, not refused."""
    await ws.send("in?")
    return await asyncio.wait_for(ws.recv(), 10) == "Server echo: in?"


async def admitted_soon(node, client_id, within_sec=1.0):
    """Connects until admitted: the release of an id that left another node is sent as its close frame arrives,
    but it may reach Redis a moment after the client has reconnected elsewhere (1008), so retry for a short while."""
    deadline = time.monotonic() + within_sec
    while True:
        ws = await websockets.connect(node.ws_url(client_id))
        try:
            if await echoed(ws):
                return ws
        except websockets.ConnectionClosedError:
            assert ws.close_code == 1008 and time.monotonic() < deadline, f"id {client_id} still held"
        await asyncio.sleep(0.05)


def test_a_draining_node_hands_its_clients_over_to_the_other_nodes(start_cluster):
    draining, second, third = start_cluster(3, "--forced-shutdown-after-sec", "2")

    async def scenario():
        leaving, *staying = [await websockets.connect(draining.ws_url(i)) for i in (1, 2, 3)]
        elsewhere = [await websockets.connect(second.ws_url(10)), await websockets.connect(third.ws_url(20))]
        draining.signal()
        draining.wait_for_log(DRAINING)

        # Out of the load balancer's rotation, while the others stay in it.
        assert request(draining, "GET", "/readyz")[::2] == (503, {"status": "shutting down", "redis": "up"})
        assert request(second, "GET", "/readyz")[::2] == (200, {"status": "ready", "redis": "up"})
        # New clients are refused, and the refusal holds no id: the client is admitted elsewhere at once.
        async with websockets.connect(draining.ws_url(4)) as refused:
            assert await closed_with(refused) == SHUTTING_DOWN
        moved = [await websockets.connect(second.ws_url(4))]
        assert await echoed(moved[0])
        # The draining node's clients still get the cluster's broadcasts.
        assert await asyncio.to_thread(broadcast, second, "while draining") == 6
        for ws in [leaving, *staying, *elsewhere, *moved]:
            assert await asyncio.wait_for(ws.recv(), 10) == "while draining"

        # A client that leaves the draining node is admitted elsewhere with its id, well before the node exits: it was
        # released as it left.
        await leaving.close()
        moved.append(await admitted_soon(second, 1))
        assert draining.process.poll() is None

        # The rest are closed at the forced time; the node exits, and the cluster has forgotten them by then.
        closes = await asyncio.gather(*(closed_with(ws) for ws in staying))
        assert draining.wait_exit() == 0
        listed = [await asyncio.to_thread(clients, node) for node in (second, third)]
        for client_id in (2, 3):
            moved.append(await websockets.connect(third.ws_url(client_id)))
            assert await echoed(moved[-1])

        # Nobody waits for the node that left: the next broadcast is answered at once, counted by the live nodes.
        started = time.monotonic()
        sent = await asyncio.to_thread(broadcast, third, "after")
        answered_after = time.monotonic() - started
        for ws in [*elsewhere, *moved]:
            assert await asyncio.wait_for(ws.recv(), 10) == "after"
            await ws.close()
        return closes, listed, sent, answered_after

    closes, listed, sent, answered_after = run(scenario())
    assert closes == [SHUTTING_DOWN] * 2
    draining.wait_for_log(r"closing 2 remaining clients with 1001 \(FORCED_SHUTDOWN_AFTER_SEC \(2 s\) expired\)")
    assert listed == [[10, 20, 4, 1]] * 2
    assert sent == 6
    assert answered_after < 0.5  # CLUSTER_TIMEOUT_MS is 1000 here: a wait for the node that left would show
    for node in (second, third):
        assert metric(node, "wshub_cluster_late_counts_total") == 0
