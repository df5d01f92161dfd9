"""A rolling deploy behind a real haproxy: three nodes restarted one after another with SIGTERM while 300 clients
stay connected through haproxy (reconnecting with their id whenever closed) and a broadcast goes out through haproxy
every 10 ms. Every client receives every broadcast made while it was connected, at most once, in order."""
import bisect
import dataclasses
import datetime
import resource
import time

from cluster_traffic import Broadcaster, Fleet
from conftest import CLUSTER_TEST_SETTINGS, request
from load_balancer import Haproxy

CLIENT_COUNT = 300
NODE_NAMES = ("n0", "n1", "n2")
FORCED_SHUTDOWN_AFTER_SEC = 1
# Transient refusals allowed in the whole run: an id is released the moment its client's close frame reaches the
# old node, before the client can reconnect, so a refusal needs the old node's thread to lag behind a whole reconnect.
MAX_REFUSED_RETRIES = 10
DRAINING = r"received SIGTERM: shutting down"
FORCED_CLOSE = r"shutdown: closing \d+ remaining clients with 1001"


def logged_at(process, pattern):
    """The wall-clock time (as time.time() gives it) of the first log line of a wshub node matching pattern."""
    line = process.wait_for_log(rf"^\S+ .*{pattern}").string
    return datetime.datetime.fromisoformat(line.split()[0]).timestamp()


@dataclasses.dataclass
class NodeRun:
    """One run of one node: when it started, and when it began draining and force-closing (from its log)."""
    server: object
    started_at: float
    draining_at: float = float("inf")
    forcing_at: float = float("inf")


def closing_run(connection, runs_by_node):
    """The run of the node that closed a connection with 1001: it had started when the client connected and was
    draining when the client saw the close (a busy client may note its handshake only after the next run started)."""
    runs = [run for run in runs_by_node[connection.node]
            if run.started_at <= connection.opened and run.draining_at <= connection.closed]
    return runs[-1] if runs else None


def required_until(connection, run):
    """The end of the span in which a connection must receive every broadcast answered; None: it never had one.
    That is the moment its client saw the close, or the moment its node (`run`, for a 1001) began the close, if
    earlier: the node decides when a client is gone, and the client hears of it a little later. A connection refused
    (1008; 1001 from a node already draining, with nothing received: a busy client may note its handshake after the
    drain began, though the node admitted it before) was never admitted."""
    if connection.code == 1008:
        return None
    if run is None:
        return connection.closed
    if connection.opened >= run.draining_at and not connection.received:
        return None
    return min(connection.closed, run.forcing_at)


def audit(broadcasts, clients, runs_by_node):
    """Checks what every client received against the broadcasts owed to it; returns the problems found and the
    numbers for the report. A connection is owed every broadcast whose POST was sent after its handshake and
    answered 200 before its close (see required_until); one in flight at either edge may arrive or not. Nothing may
    arrive twice on one client, across its connections, nor after one that was answered before it was even sent."""
    answered = sorted((b.sent_at, sequence, b.answered_at) for sequence, b in broadcasts.items() if b.outcome == 200)
    sent_times = [sent_at for sent_at, _, _ in answered]
    problems, required_total, gaps = [], 0, [0.0]
    for client in clients:
        problems += client.problems
        seen = set()
        for previous, connection in zip([None, *client.connections], client.connections):
            if previous is not None and previous.closed is not None:
                gaps.append(connection.opened - previous.closed)
            latest_sent = float("-inf")
            for sequence in connection.received:
                broadcast = broadcasts[sequence]
                if sequence in seen:
                    problems.append(f"client {client.id}: broadcast {sequence} arrived twice")
                seen.add(sequence)
                # Out of order: it was answered before one that arrived earlier was even sent.
                if broadcast.answered_at is not None and broadcast.answered_at < latest_sent:
                    problems.append(f"client {client.id}: broadcast {sequence} arrived after a later one")
                latest_sent = max(latest_sent, broadcast.sent_at)
            run = closing_run(connection, runs_by_node) if connection.code == 1001 else None
            if connection.code == 1001 and run is None:
                problems.append(f"client {client.id}: closed with 1001 by {connection.node}, which was not shutting "
                                f"down")
            until = required_until(connection, run)
            if until is None:
                if connection.received:
                    problems.append(f"client {client.id}: refused by {connection.node} with {connection.code} "
                                    f"after receiving {len(connection.received)} broadcasts")
                continue
            start = bisect.bisect_left(sent_times, connection.opened)
            required = [sequence for sent_at, sequence, answered_at in answered[start:]
                        if sent_at <= until and answered_at <= until]
            required_total += len(required)
            missing = sorted(set(required) - set(connection.received))
            if missing:
                problems.append(f"client {client.id}: on {connection.node} from {connection.opened:.3f} to "
                                f"{connection.closed:.3f} (code {connection.code}) missed {len(missing)} broadcasts "
                                f"answered meanwhile, e.g. {missing[:5]}")
    latencies = sorted(b.answered_at - b.sent_at for b in broadcasts.values() if b.answered_at is not None)
    failed = [f"{sequence}: {b.outcome}" for sequence, b in broadcasts.items() if b.outcome != 200]
    numbers = {
        "broadcasts issued": len(broadcasts),
        "answered 200": len(answered),
        "failed": len(failed),
        "POST latency p50/p99/max ms": "/".join(f"{1000 * latencies[int(q * (len(latencies) - 1))]:.1f}"
                                                for q in (0.5, 0.99, 1.0)),
        "deliveries": sum(len(c.received) for client in clients for c in client.connections),
        "deliveries required": required_total,
        "connections": sum(len(client.connections) for client in clients),
        "reconnects": sum(len(client.connections) - 1 for client in clients),
        "1008 retries": sum(client.refused_retries for client in clients),
        "longest time a client was disconnected ms": f"{1000 * max(gaps):.0f}",
    }
    return problems + [f"POST {line}" for line in failed[:20]], numbers


class Cluster:
    """The three nodes of the deploy, each with its runs in order."""

    def __init__(self, start_server, redis_url):
        self.start_server = start_server
        self.args = {name: ("--redis-url", redis_url, "--cluster-name", "deploy", "--node-id", name,
                            *CLUSTER_TEST_SETTINGS, "--forced-shutdown-after-sec", str(FORCED_SHUTDOWN_AFTER_SEC))
                     for name in NODE_NAMES}
        self.runs = {name: [self.start(name)] for name in NODE_NAMES}

    def start(self, name, port=0):
        started_at = time.time()
        run = NodeRun(self.start_server(*self.args[name], port=port), started_at)
        run.server.wait_for_log(r"is live, reading broadcasts")
        return run

    def ports(self):
        return {name: runs[-1].server.port for name, runs in self.runs.items()}

    def restart(self, name, haproxy):
        """SIGTERM, drain, exit; the new run on the same port, back in haproxy's rotation. Says how long it took."""
        began = time.monotonic()
        old = self.runs[name][-1]
        downs, ups = haproxy.state_changes(name, "DOWN"), haproxy.state_changes(name, "UP")
        old.server.signal()
        old.draining_at = logged_at(old.server, DRAINING)
        haproxy.wait_for_state(name, "DOWN", downs + 1)
        old.forcing_at = logged_at(old.server, FORCED_CLOSE)
        assert old.server.wait_exit(timeout=30) == 0
        exited = time.monotonic()
        new = self.start(name, port=old.server.port)
        self.runs[name].append(new)
        assert request(new.server, "GET", "/readyz")[0] == 200
        haproxy.wait_for_state(name, "UP", ups + 1)
        back = time.monotonic() - exited
        return f"{name}: drained and exited in {exited - began:.2f} s, back in haproxy {back:.2f} s later"


def test_a_rolling_deploy_behind_haproxy_loses_no_broadcast_and_leaves_no_id_refused(start_server, redis_server,
                                                                                      tmp_path):
    started = time.monotonic()
    cluster = Cluster(start_server, redis_server.url)
    haproxy = Haproxy(tmp_path / "haproxy.cfg", cluster.ports())
    fleet = Fleet(haproxy.port, range(CLIENT_COUNT))
    broadcaster = None
    try:
        fleet.wait_all_connected()
        broadcaster = Broadcaster(haproxy.port)
        broadcaster.wait_answered(20)
        steps = [cluster.restart(name, haproxy) for name in NODE_NAMES]
        fleet.wait_all_connected()
        # More broadcasts with every client on a new node; the last one answered is one that all must receive.
        broadcaster.wait_answered(broadcaster.answered_count + 20)
    finally:
        if broadcaster:
            broadcaster.stop()
        fleet.finish(broadcaster.last_answered() if broadcaster else None)
        haproxy.stop()

    problems, numbers = audit(broadcaster.broadcasts, fleet.clients, cluster.runs)
    numbers["clients' loop lag max ms"] = f"{1000 * fleet.max_lag:.0f}"
    numbers["test seconds"] = f"{time.monotonic() - started:.1f}"
    usage = resource.getrusage(resource.RUSAGE_SELF)
    numbers["test process CPU s"] = f"{usage.ru_utime + usage.ru_stime:.1f}"
    report = "rolling deploy: " + "; ".join(f"{key}: {value}" for key, value in numbers.items()) + "\n" + \
        "\n".join(steps)
    print(report)
    assert not problems, report + "\n" + "\n".join(problems[:40]) + "\nhaproxy:\n" + "\n".join(haproxy.warnings())
    assert numbers["1008 retries"] <= MAX_REFUSED_RETRIES, report
    assert all(client.connections[-1].code == 1000 for client in fleet.clients), report


def test_no_request_fails_when_a_node_without_clients_exits_before_haproxy_notices(start_cluster, tmp_path):
    nodes = start_cluster(2)
    haproxy = Haproxy(tmp_path / "haproxy.cfg", {f"n{i}": node.port for i, node in enumerate(nodes)})
    broadcaster = Broadcaster(haproxy.port)
    try:
        broadcaster.wait_answered(20)
        # Nobody to wait for: the node stops listening at once, before haproxy's next health check.
        nodes[0].signal()
        assert nodes[0].wait_exit() == 0
        haproxy.wait_for_state("n0", "DOWN")
        broadcaster.wait_answered(broadcaster.answered_count + 20)
    finally:
        broadcaster.stop()
        haproxy.stop()
    failed = {sequence: b.outcome for sequence, b in broadcaster.broadcasts.items() if b.outcome != 200}
    assert not failed, "\n".join(haproxy.lines)
