"""Reaching one client across a cluster of three nodes over a real redis-server: sends, lists, disconnects,
look-ups, and their order beside broadcasts."""
import asyncio

import websockets

from conftest import broadcast, clients, request, run, wait_until

NOT_CONNECTED = {"detail": "Client not connected"}


def send(node, client_id, message):
    return request(node, "POST", f"/clients/{client_id}/send", {"message": message})[::2]


def send_to_clients(node, ids, message):
    return request(node, "POST", "/send-to-clients", {"clients": ids, "message": message})[::2]


def test_a_send_at_one_node_reaches_a_client_on_another(start_cluster):
    nodes = start_cluster(3)

    async def scenario():
        ws = await websockets.connect(nodes[2].ws_url(42))
        answer = await asyncio.to_thread(send, nodes[0], 42, "from node 0")
        received = await asyncio.wait_for(ws.recv(), 10)
        missing = await asyncio.to_thread(send, nodes[0], 43, "nobody")
        await ws.close()
        return answer, received, missing

    answer, received, missing = run(scenario())
    assert answer == (200, {"sent": 1})
    assert received == "from node 0"
    assert missing == (404, NOT_CONNECTED)


def test_send_to_clients_spans_every_node_once_and_lists_the_missing_in_order(start_cluster):
    nodes = start_cluster(3)

    async def scenario():
        sockets = {i: await websockets.connect(nodes[i % 3].ws_url(i)) for i in range(6)}
        answer = await asyncio.to_thread(send_to_clients, nodes[1], [5, 99, 0, 4, 5, 3, 98, 1, 2], "everyone")
        received = {i: await asyncio.wait_for(ws.recv(), 10) for i, ws in sockets.items()}
        # Exactly once: each client's next frame is the broadcast that follows.
        await asyncio.to_thread(broadcast, nodes[2], "next")
        after = {i: await asyncio.wait_for(ws.recv(), 10) for i, ws in sockets.items()}
        for ws in sockets.values():
            await ws.close()
        return answer, received, after

    answer, received, after = run(scenario())
    assert answer == (200, {"sent": 6, "missing": [99, 98]})
    assert received == {i: "everyone" for i in range(6)}
    assert after == {i: "next" for i in range(6)}


def test_delete_at_one_node_closes_a_client_on_another_and_frees_its_id_cluster_wide(start_cluster):
    nodes = start_cluster(3)

    async def scenario():
        ws = await websockets.connect(nodes[2].ws_url(7))
        answer = await asyncio.to_thread(request, nodes[1], "DELETE", "/clients/7?code=4002&reason=moved")
        await ws.wait_closed()
        # The release travels through Redis after the close: the id is free once no node lists it.
        await asyncio.to_thread(wait_until, lambda: 7 not in clients(nodes[0]), 10, "id 7 released")
        again = await websockets.connect(nodes[0].ws_url(7))
        await again.send("back")
        echoed = await asyncio.wait_for(again.recv(), 10)
        await again.close()
        missing = await asyncio.to_thread(request, nodes[1], "DELETE", "/clients/7")
        return answer[::2], ws.close_code, ws.close_reason, echoed, missing[::2]

    answer, code, reason, echoed, missing = run(scenario())
    assert answer == (200, {"closed": 1})
    assert (code, reason) == (4002, "moved")
    assert echoed == "Server echo: back"
    assert missing == (404, NOT_CONNECTED)


def test_get_names_the_node_that_holds_the_client(start_cluster):
    nodes = start_cluster(3)

    async def scenario():
        ws = await websockets.connect(nodes[2].ws_url(11))
        answers = [await asyncio.to_thread(request, node, "GET", "/clients/11") for node in nodes]
        await ws.close()
        return [answer[::2] for answer in answers]

    answers = run(scenario())
    assert [status for status, _ in answers] == [200, 200, 200]
    assert [body["node"] for _, body in answers] == ["n2", "n2", "n2"]
    assert len({body["connected_at"] for _, body in answers}) == 1
    assert request(nodes[0], "GET", "/clients/12")[::2] == (404, NOT_CONNECTED)


def test_sends_and_broadcasts_from_different_nodes_arrive_in_the_order_they_were_answered(start_cluster):
    nodes = start_cluster(3)
    rounds = 20

    def issue(i):
        # Each request is answered before the next is made, each at another node: the answers fix the order.
        node = nodes[i % 3]
        return broadcast(node, f"b{i}") if i % 2 else send(node, 5, f"s{i}")[0]

    async def scenario():
        ws = await websockets.connect(nodes[1].ws_url(5))
        for i in range(rounds):
            await asyncio.to_thread(issue, i)
        received = [await asyncio.wait_for(ws.recv(), 10) for _ in range(rounds)]
        await ws.close()
        return received

    assert run(scenario()) == [f"b{i}" if i % 2 else f"s{i}" for i in range(rounds)]


def test_a_send_while_redis_is_down_reaches_this_nodes_clients_and_reports_the_others_missing(start_cluster,
                                                                                                redis_server):
    nodes = start_cluster(2)

    async def scenario():
        here = await websockets.connect(nodes[0].ws_url(1))
        there = await websockets.connect(nodes[1].ws_url(2))
        redis_server.stop()
        nodes[0].wait_for_log(r"lost Redis")
        answer = await asyncio.to_thread(send_to_clients, nodes[0], [2, 1], "cut off")
        received = await asyncio.wait_for(here.recv(), 10)
        await here.close()
        await there.close()
        return answer, received

    answer, received = run(scenario())
    assert answer == (200, {"sent": 1, "missing": [2]})
    assert received == "cut off"
