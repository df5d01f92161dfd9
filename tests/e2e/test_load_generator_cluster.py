"""The load generator against a three-node cluster, as bench/run.py's cluster cases drive it: clients spread over
the nodes in turn, broadcasts POSTed to the first, every delivery and the cluster-wide count checked, CPU summed over
the nodes and Redis's read apart."""
import json
import os
import subprocess

from conftest import metric

LOADGEN = os.environ.get("WSHUB_LOADGEN")
NODES = 3
CLIENTS = 300


def run_loadgen(nodes, redis_server, scenario, args):
    """Runs one scenario against every node (the first taking the API requests), reading the cluster's Redis too;
    returns its RESULT figures once every check has passed."""
    assert LOADGEN, "WSHUB_LOADGEN must name the load generator (CTest sets it)"
    target = ["--port", ",".join(str(node.port) for node in nodes),
              "--server-pid", ",".join(str(node.process.pid) for node in nodes),
              "--redis-pid", str(redis_server.process.pid)]
    result = subprocess.run([LOADGEN, scenario, *target, "--warmup", "0.2", "--timeout", "30", *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0][len("RESULT "):])
    assert figures["scenario"] == scenario and figures["errors"] == 0, figures
    return figures


def test_fanout_spreads_clients_over_the_nodes_and_checks_every_delivery(start_cluster, redis_server):
    nodes = start_cluster(NODES)
    figures = run_loadgen(nodes, redis_server, "fanout", ["--clients", str(CLIENTS), "--rounds", "10"])
    assert figures["servers"] == NODES and figures["rounds"] == 10, figures
    # Each node's own counters: a third of the clients each, and every broadcast sent to its share (no echoes here,
    # so every message a node sent was a delivery).
    accepted = [metric(node, 'wshub_connections_total{outcome="accepted"}') for node in nodes]
    delivered = [metric(node, "wshub_sent_messages_total") for node in nodes]
    assert accepted == [CLIENTS / NODES] * NODES, accepted
    assert len(set(delivered)) == 1 and delivered[0] >= 10 * CLIENTS / NODES, delivered
    assert figures["redis_cpu_us_per_broadcast"] > 0, figures
    assert figures["redis_idle_cpu_us_per_sec"] >= 0, figures
    assert figures["redis_cpu_us_per_broadcast_above_idle"] is not None, figures
    assert figures["server_cpu_us_per_delivery"] > 0, figures


def test_idle_counts_the_handshakes_on_every_node_and_lists_the_whole_cluster(start_cluster, redis_server):
    nodes = start_cluster(NODES)
    # The loadgen checks that GET /clients on the first node lists all of them, from every node.
    figures = run_loadgen(nodes, redis_server, "idle", ["--clients", str(CLIENTS)])
    assert figures["servers"] == NODES and figures["connected"] == CLIENTS, figures
    accepted = [metric(node, 'wshub_connections_total{outcome="accepted"}') for node in nodes]
    assert accepted == [CLIENTS / NODES] * NODES, accepted
    assert figures["redis_cpu_us_per_handshake"] > 0, figures
    # Open files are summed over the nodes: at least one per client.
    assert figures["server_fds_per_conn"] >= 1, figures


def test_a_single_server_scenario_refuses_several_ports():
    assert LOADGEN, "WSHUB_LOADGEN must name the load generator (CTest sets it)"
    result = subprocess.run([LOADGEN, "echo", "--port", "1,2"], capture_output=True, text=True, timeout=10)
    assert result.returncode != 0
    assert "--port" in result.stderr, result.stderr
