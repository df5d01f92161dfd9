"""The benchmark's load generator against wshub, briefly: its checks (every echo byte for byte, every broadcast
exactly once and in order, every handshake answered) must all pass, so each scenario is also a test."""
import json
import os
import subprocess

import pytest

LOADGEN = os.environ.get("WSHUB_LOADGEN")

SCENARIOS = {
    "echo": ["--connections", "20", "--in-flight", "4", "--payload", "100", "--seconds", "1"],
    "fanout": ["--clients", "300", "--rounds", "10"],
    "idle": ["--clients", "500"],
    "churn": ["--concurrency", "8", "--seconds", "1"],
}


def run_loadgen(server, scenario, args):
    """Runs one scenario against the server; returns its RESULT figures once every check has passed."""
    assert LOADGEN, "WSHUB_LOADGEN must name the load generator (CTest sets it)"
    result = subprocess.run([LOADGEN, scenario, "--port", str(server.port), "--server-pid", str(server.process.pid),
                             "--warmup", "0.2", "--timeout", "30", *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0][len("RESULT "):])
    assert figures["scenario"] == scenario
    assert figures["errors"] == 0
    return figures


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_check_of_the_scenario_passes(start_server, scenario):
    run_loadgen(start_server(), scenario, SCENARIOS[scenario])


def test_a_short_soak_checks_deliveries_while_clients_come_and_go(start_server):
    # Memory flatness is the 10-minute run's to judge (docs/benchmarks.md): 3 s is too short for the allocator to
    # settle, and ASan's quarantine alone keeps up to 256 MiB of freed memory, so here the bound only catches a
    # runaway.
    figures = run_loadgen(start_server(), "soak", ["--concurrency", "16", "--seconds", "3",
                                                   "--max-rss-growth-percent", "1000"])
    assert figures["clients"] > 16 and figures["broadcasts"] > 10, figures
    assert figures["certain_deliveries"] > 0, figures
    assert figures["server_fds_after"] == figures["server_fds_before"], figures
