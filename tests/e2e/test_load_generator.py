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


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_check_of_the_scenario_passes(start_server, scenario):
    assert LOADGEN, "WSHUB_LOADGEN must name the load generator (CTest sets it)"
    server = start_server()
    result = subprocess.run([LOADGEN, scenario, "--port", str(server.port), "--server-pid", str(server.process.pid),
                             "--warmup", "0.2", "--timeout", "30", *SCENARIOS[scenario]],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0][len("RESULT "):])
    assert figures["scenario"] == scenario
    assert figures["errors"] == 0
