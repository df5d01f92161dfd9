"""Many clients at once: concurrent echo, and broadcasts delivered exactly once, in order."""
import asyncio

import pytest
import websockets

from conftest import broadcast, clients, run


@pytest.fixture
def server(start_server):
    # More I/O threads than this machine has cores, so that handlers really do run in parallel.
    return start_server("--threads", "4")


def test_200_concurrent_clients_each_echoing(server):
    messages_each = 20

    async def client(client_id):
        async with websockets.connect(server.ws_url(client_id)) as ws:
            for i in range(messages_each):
                await ws.send(f"{client_id}:{i}")
            return [await ws.recv() for _ in range(messages_each)]

    async def scenario():
        return await asyncio.gather(*(client(client_id) for client_id in range(200)))

    replies = run(scenario())
    for client_id, received in enumerate(replies):
        assert received == [f"Server echo: {client_id}:{i}" for i in range(messages_each)]


def test_broadcasts_reach_50_clients_exactly_once_in_order(server):
    rounds = 30

    async def scenario():
        connections = [await websockets.connect(server.ws_url(i)) for i in range(50)]
        assert clients(server) == list(range(50))
        loop = asyncio.get_running_loop()
        sent = [await loop.run_in_executor(None, broadcast, server, f"round {r}") for r in range(rounds)]
        received = []
        for ws in connections:
            # An echo queued after the broadcasts marks the end: anything extra would arrive before it.
            await ws.send("end")
            got = []
            while (message := await ws.recv()) != "Server echo: end":
                got.append(message)
            received.append(got)
        for ws in connections:
            await ws.close()
        return sent, received

    sent, received = run(scenario())
    assert sent == [50] * rounds
    for got in received:
        assert got == [f"round {r}" for r in range(rounds)]


def test_concurrent_broadcasts_arrive_in_the_same_order_everywhere(server):
    async def scenario():
        connections = [await websockets.connect(server.ws_url(i)) for i in range(20)]
        loop = asyncio.get_running_loop()
        sent = await asyncio.gather(*(loop.run_in_executor(None, broadcast, server, f"b{r}") for r in range(40)))
        received = [[await ws.recv() for _ in range(40)] for ws in connections]
        for ws in connections:
            await ws.close()
        return sent, received

    sent, received = run(scenario())
    assert sent == [20] * 40
    assert sorted(received[0]) == sorted(f"b{r}" for r in range(40))
    assert all(order == received[0] for order in received)


def test_clients_coming_and_going_during_broadcasts(server):
    async def churn(client_id):
        # Each client reconnects with its id the moment its close handshake is done: the id must be free by then.
        for _ in range(10):
            async with websockets.connect(server.ws_url(client_id)) as ws:
                await ws.send("x")
                while await ws.recv() != "Server echo: x":
                    pass

    async def scenario():
        loop = asyncio.get_running_loop()
        broadcasts = [loop.run_in_executor(None, broadcast, server, "noise") for _ in range(50)]
        await asyncio.gather(*(churn(i) for i in range(30)), *broadcasts)

    run(scenario())
    assert clients(server) == []
