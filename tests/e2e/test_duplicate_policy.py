"""DUPLICATE_POLICY: a second connection with a connected id is refused (1008, the default) or replaces the older
one (4000), on one node and atomically across a cluster."""
import asyncio

import pytest
import websockets

from conftest import clients, metric, request, run


async def echoes(ws, text="still here?"):
    await ws.send(text)
    return await asyncio.wait_for(ws.recv(), 10) == f"Server echo: {text}"


def test_by_default_the_newcomer_is_refused_with_1008(server):
    async def scenario():
        first = await websockets.connect(server.ws_url(3))
        second = await websockets.connect(server.ws_url(3))
        await second.wait_closed()
        alive = await echoes(first)
        await first.close()
        return second.close_code, alive

    assert run(scenario()) == (1008, True)


@pytest.mark.parametrize("setting", [("--duplicate-policy", "replace"), ("--duplicate-policy", "REPLACE")])
def test_with_replace_the_newcomer_wins_and_the_older_gets_what_was_queued_then_4000(start_server, setting):
    node = start_server(*setting)

    async def scenario():
        older = await websockets.connect(node.ws_url(3))
        await asyncio.to_thread(request, node, "POST", "/clients/3/send", {"message": "queued before"})
        newer = await websockets.connect(node.ws_url(3))
        received = await asyncio.wait_for(older.recv(), 10)
        await older.wait_closed()
        alive = await echoes(newer)
        listed = await asyncio.to_thread(clients, node)
        await newer.close()
        return received, older.close_code, older.close_reason, alive, listed

    received, code, reason, alive, listed = run(scenario())
    assert (received, code, reason) == ("queued before", 4000, "replaced by a newer connection")
    assert alive
    assert listed == [3]
    assert metric(node, 'wshub_disconnects_total{reason="application"}') == 1


def test_a_replacement_does_not_count_against_max_clients(start_server):
    node = start_server("--duplicate-policy", "replace", "--max-clients", "1")

    async def scenario():
        older = await websockets.connect(node.ws_url(1))
        newer = await websockets.connect(node.ws_url(1))
        await older.wait_closed()
        alive = await echoes(newer)
        third = await websockets.connect(node.ws_url(2))
        await third.wait_closed()
        await newer.close()
        return older.close_code, alive, third.close_code

    assert run(scenario()) == (4000, True, 1013)


def test_with_replace_a_newcomer_on_another_node_closes_the_older_connection(start_cluster):
    nodes = start_cluster(2, "--duplicate-policy", "replace")

    async def scenario():
        older = await websockets.connect(nodes[0].ws_url(8))
        newer = await websockets.connect(nodes[1].ws_url(8))
        await asyncio.wait_for(older.wait_closed(), 10)
        alive = await echoes(newer)
        located = await asyncio.to_thread(request, nodes[0], "GET", "/clients/8")
        await newer.close()
        return older.close_code, alive, located[2]["node"]

    assert run(scenario()) == (4000, True, "n1")


def test_with_replace_of_two_simultaneous_newcomers_on_two_nodes_exactly_one_wins_every_time(start_cluster):
    nodes = start_cluster(2, "--duplicate-policy", "replace")
    races = 100

    async def race(client_id):
        pair = await asyncio.gather(websockets.connect(nodes[0].ws_url(client_id)),
                                    websockets.connect(nodes[1].ws_url(client_id)))
        closed, _ = await asyncio.wait([asyncio.ensure_future(ws.wait_closed()) for ws in pair],
                                       timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert len(closed) == 1, f"id {client_id}: {len(closed)} of the two connections closed"
        loser, winner = pair if pair[0].closed else pair[::-1]
        assert loser.close_code == 4000, f"id {client_id}: loser closed with {loser.close_code}"
        return client_id, winner, nodes[pair.index(winner)]

    async def scenario():
        outcomes = []
        for batch in range(0, races, 10):
            outcomes += await asyncio.gather(*(race(1000 + i) for i in range(batch, batch + 10)))
        # Every winner is still the one connection with its id, and the cluster says so.
        for client_id, winner, node in outcomes:
            assert await echoes(winner), f"id {client_id}: the winner was closed too"
            located = await asyncio.to_thread(request, nodes[0], "GET", f"/clients/{client_id}")
            assert located[2]["node"] == ("n0" if node is nodes[0] else "n1"), client_id
        listed = await asyncio.to_thread(clients, nodes[1])
        for _, winner, _ in outcomes:
            await winner.close()
        return listed

    assert sorted(run(scenario())) == [1000 + i for i in range(races)]
