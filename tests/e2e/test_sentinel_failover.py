"""Redis Sentinel: three nodes behind one primary, one replica and three sentinels, 300 clients, a broadcast every
10 ms through the nodes in turn; the primary is killed (SIGKILL), and after the promotion killed again the other way,
this time with the replica and one node held back (SIGSTOP) so that what the primary stored last reached neither. Every broadcast
answered 200 reaches every client exactly once, and the broadcasts of each node in the order it accepted them."""
import asyncio
import collections
import signal
import subprocess
import time

import websockets

from cluster_traffic import Broadcaster
from conftest import BINARY, CLUSTER_TEST_SETTINGS, broadcast, metric, metrics_text, request, run, wait_until
from redis_sentinel import redis_sentinel  # noqa: F401 (a fixture)

CLIENTS_PER_NODE = 100
BROADCASTS_PER_PHASE = 100  # answered before the next failover, and after the last
BROADCASTS_REPLICA_MISSES = 30  # answered while the replica is stopped, before the primary is killed
DELIVERY_DEADLINE_SEC = 30


def start_nodes(start_server, sentinel, count=3, master_name=None):
    """Nodes behind the sentinels; REDIS_URL's host (a port nobody listens on) is never used."""
    nodes = [start_server("--redis-url", "redis://127.0.0.1:1/0", "--redis-sentinels", sentinel.sentinels_flag,
                          "--redis-master-name", master_name or sentinel.master_name, "--cluster-name", "failover",
                          "--node-id", f"n{i}", *CLUSTER_TEST_SETTINGS) for i in range(count)]
    for node in nodes:
        node.wait_for_log(r"is live, reading broadcasts" if master_name is None else r"cannot reach Redis")
    return nodes


def test_a_failover_that_keeps_the_old_primary_running_is_followed(start_server, redis_sentinel):
    """SENTINEL FAILOVER turns the old primary into a replica without closing a connection: only +switch-master
    tells the nodes to move, and a broadcast through one node still reaches the other."""
    sentinel = redis_sentinel
    first = sentinel.primary_port()
    nodes = start_nodes(start_server, sentinel, count=2)
    wait_all_on(nodes, first)

    async def scenario():
        async with websockets.connect(nodes[1].ws_url(2)) as websocket:
            sentinel.command(sentinel.sentinel_ports[0], "SENTINEL", "FAILOVER", sentinel.master_name)
            await asyncio.to_thread(wait_all_on, nodes, sentinel.first_replica_port)
            assert await asyncio.to_thread(broadcast, nodes[0], "after the switch") == 1
            return await asyncio.wait_for(websocket.recv(), 10)

    assert run(scenario()) == "after the switch"
    wait_until(lambda: sentinel.role(first) == "slave", 30, "the old primary to become a replica")
    nodes[0].wait_for_log(rf"the sentinels name 127\.0\.0\.1:{sentinel.first_replica_port} as the primary")


def test_a_master_name_the_sentinels_do_not_know_is_logged_and_the_node_serves_its_own_clients(
        start_server, redis_sentinel):
    node, = start_nodes(start_server, redis_sentinel, count=1, master_name="no-such-primary")
    node.wait_for_log(r"knows no primary named no-such-primary \(REDIS_MASTER_NAME\)")
    status, _, body = request(node, "GET", "/readyz")
    assert (status, body["redis"]) == (200, "down")
    assert broadcast(node, "alone") == 0


def wait_all_on(nodes, primary_port):
    """Until every node reports itself connected to the primary on primary_port."""
    def on_it(node):
        status, _, body = request(node, "GET", "/readyz")
        return status == 200 and body == {"status": "ready", "redis": "up",
                                          "redis_primary": f"127.0.0.1:{primary_port}"}

    wait_until(lambda: all(on_it(node) for node in nodes), 30, f"every node on the primary at {primary_port}")


class Receiver:
    """One client, connected to one node throughout: what it received and when."""

    def __init__(self, node, client_id):
        self.node = node
        self.id = client_id
        self.received = []  # (time.time(), sequence)
        self.closed = None

    async def run(self, connected):
        async with websockets.connect(self.node.ws_url(self.id), ping_interval=None, max_queue=None,
                                      compression=None) as websocket:
            connected.release()
            try:
                async for message in websocket:
                    self.received.append((time.time(), int(message)))
            except websockets.ConnectionClosed as closed:
                self.closed = closed
        self.closed = self.closed or "closed"


def test_a_failover_and_one_back_lose_no_broadcast_answered_200(start_server, redis_sentinel):
    sentinel = redis_sentinel
    first_primary = sentinel.primary_port()
    nodes = start_nodes(start_server, sentinel)
    wait_all_on(nodes, first_primary)
    assert f'wshub_redis_primary{{address="127.0.0.1:{first_primary}"}} 1' in metrics_text(nodes[0])
    receivers = [Receiver(node, i * CLIENTS_PER_NODE + j)
                 for i, node in enumerate(nodes) for j in range(CLIENTS_PER_NODE)]
    failovers = []

    def fail_over(old):
        new, took = sentinel.wait_for_failover(old)
        wait_all_on(nodes, new)
        failovers.append((old, new, took, time.time()))
        return new

    def phases(broadcaster):
        broadcaster.wait_answered(BROADCASTS_PER_PHASE)
        old = sentinel.kill_primary()
        fail_over(old)
        broadcaster.wait_answered(broadcaster.answered_count + BROADCASTS_PER_PHASE)
        sentinel.restart(old)
        # Stored from here on, a broadcast is on the primary only: WAIT says so, and the nodes keep it. The replica
        # is stopped, and its link dropped, so that it does not read what the kernel still held for it either; and
        # node n2 is stopped, so that it has not read those broadcasts from the primary before the primary dies.
        sentinel.pause(old)
        sentinel.command(sentinel.primary_port(), "CLIENT", "KILL", "TYPE", "replica")
        nodes[2].signal(signal.SIGSTOP)
        broadcaster.wait_answered(broadcaster.answered_count + BROADCASTS_REPLICA_MISSES)
        killed = sentinel.kill_primary()
        sentinel.resume(old)
        nodes[2].signal(signal.SIGCONT)
        assert fail_over(killed) == first_primary
        broadcaster.wait_answered(broadcaster.answered_count + BROADCASTS_PER_PHASE)

    async def scenario():
        connected = asyncio.Semaphore(0)
        tasks = [asyncio.create_task(receiver.run(connected)) for receiver in receivers]
        for _ in receivers:
            await asyncio.wait_for(connected.acquire(), 30)
        broadcaster = Broadcaster(*(node.port for node in nodes))
        try:
            await asyncio.to_thread(phases, broadcaster)
        finally:
            await asyncio.to_thread(broadcaster.stop)
        answered = {sequence: record for sequence, record in broadcaster.broadcasts.items() if record.outcome == 200}
        deadline = time.monotonic() + DELIVERY_DEADLINE_SEC
        while time.monotonic() < deadline and not all(
                {sequence for _, sequence in receiver.received} >= answered.keys() for receiver in receivers):
            await asyncio.sleep(0.1)  # a poll of the clients' records, bounded by the deadline
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return broadcaster.broadcasts, answered

    broadcasts, answered = run(scenario())
    report(failovers, broadcasts, answered, receivers)
    republished = sum(metric(node, "wshub_cluster_broadcasts_republished_total") for node in nodes)
    print(f"published again after the reconnections: {republished:.0f}")
    assert len(answered) >= 3 * BROADCASTS_PER_PHASE
    for receiver in receivers:
        assert receiver.closed is None, f"client {receiver.id} was closed: {receiver.closed}"
        sequences = [sequence for _, sequence in receiver.received]
        duplicates = [s for s, n in collections.Counter(sequences).items() if n > 1]
        assert not duplicates, f"client {receiver.id} received {duplicates[:10]} more than once"
        missing = sorted(answered.keys() - set(sequences))
        assert not missing, f"client {receiver.id} on {receiver.node.port} missed {len(missing)}: {missing[:10]}"
        assert_in_order_of_each_node(receiver, sequences, broadcasts)


def assert_in_order_of_each_node(receiver, sequences, broadcasts):
    """Of two broadcasts through one node, one answered before the other was sent arrives first (two in flight
    together may be accepted in either order)."""
    latest_sent = {}  # node port -> (sent_at, sequence): the latest sent through it of those arrived so far
    for sequence in sequences:
        record = broadcasts[sequence]
        later = latest_sent.get(record.port)
        assert later is None or record.answered_at > later[0], (
            f"client {receiver.id} on {receiver.node.port}: broadcast {sequence} through {record.port}, answered at "
            f"{record.answered_at:.3f}, arrived after {later[1]}, sent only at {later[0]:.3f}")
        if later is None or record.sent_at > later[0]:
            latest_sent[record.port] = (record.sent_at, sequence)


def report(failovers, broadcasts, answered, receivers):
    """Prints each failover, and the longest a broadcast took to reach the clients of another node around it."""
    for old, new, took, settled_at in failovers:
        print(f"failover {old} -> {new}: promoted {took:.1f} s after the kill, all nodes on it at {settled_at:.3f}")
    arrival = collections.defaultdict(float)  # sequence -> the latest arrival at a client of another node
    for receiver in receivers:
        for at, sequence in receiver.received:
            if broadcasts[sequence].port != receiver.node.port:
                arrival[sequence] = max(arrival[sequence], at)
    slowest = max((arrival[s] - answered[s].sent_at, s) for s in answered if s in arrival)
    print(f"{len(answered)} broadcasts answered 200 of {len(broadcasts)}; slowest cross-node delivery "
          f"{slowest[0]:.2f} s (broadcast {slowest[1]})")


def test_a_sentinel_that_refuses_the_sentinel_password_stops_start_up_with_status_2(redis_sentinel):
    """The sentinels here have no password: AUTH with one is refused, as a wrong one would be."""
    result = subprocess.run([BINARY, "--port", "0", "--redis-url", "redis://127.0.0.1:1/0", "--redis-sentinels",
                             redis_sentinel.sentinels_flag, "--redis-master-name", redis_sentinel.master_name,
                             "--redis-sentinel-password", "s3cret-sentinel"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result.stderr
    assert "REDIS_SENTINEL_PASSWORD: refused by the sentinel at 127.0.0.1:" in result.stderr
    assert "s3cret-sentinel" not in result.stderr + result.stdout
