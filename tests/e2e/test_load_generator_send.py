"""The load generator's send scenario against wshub, briefly, on one node and on three over Redis: every targeted send
must be answered {"sent": 1} and reach its client exactly once (the scenario's own checks), and on three nodes each
send is POSTed to a node that does not hold its client."""
import json
import os
import subprocess

from conftest import metric

LOADGEN = os.environ.get("WSHUB_LOADGEN")
CLIENTS = 200
SENDS = 2000


def run_send_scenario(nodes, *extra):
    """Runs the send scenario (POSTs to the first node, clients on the others, or on the only one); returns its RESULT
    figures once every check has passed."""
    assert LOADGEN, "WSHUB_LOADGEN must name the load generator (CTest sets it)"
    target = ["--port", ",".join(str(node.port) for node in nodes),
              "--server-pid", ",".join(str(node.process.pid) for node in nodes)]
    result = subprocess.run([LOADGEN, "send", *target, *extra, "--clients", str(CLIENTS), "--sends", str(SENDS),
                             "--in-flight", "8", "--warmup", "0.2", "--timeout", "30"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0][len("RESULT "):])
    assert figures["scenario"] == "send" and figures["errors"] == 0, figures
    assert figures["sends"] == SENDS and figures["sends_per_sec"] > 0, figures
    assert 0 < figures["latency_p50_us"] <= figures["latency_p99_us"] <= figures["latency_max_us"], figures
    return figures


def messages_sent(node):
    return metric(node, "wshub_sent_messages_total")


def test_every_send_reaches_its_client_once_on_one_node(start_server):
    server = start_server()
    figures = run_send_scenario([server])
    # The clients only listen, so every message the server sent them was one send: each of them once.
    assert messages_sent(server) == figures["warmup_sends"] + SENDS, figures
    assert figures["server_cpu_us_per_send"] > 0, figures


def test_every_send_goes_to_a_node_that_does_not_hold_its_client(start_cluster, redis_server):
    nodes = start_cluster(3)
    figures = run_send_scenario(nodes, "--redis-pid", str(redis_server.process.pid))
    accepted = [metric(node, 'wshub_connections_total{outcome="accepted"}') for node in nodes]
    assert accepted == [0, CLIENTS / 2, CLIENTS / 2], accepted
    sent = [messages_sent(node) for node in nodes]
    assert sent[0] == 0 and sent[1] + sent[2] == figures["warmup_sends"] + SENDS, (sent, figures)
    assert figures["servers"] == 3 and figures["redis_cpu_us_per_send"] > 0, figures
