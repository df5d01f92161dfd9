"""Running the load generator: its command line, its RESULT line, and one outcome per server, case and round."""
import dataclasses
import json
import subprocess
import sys

from . import ROOT
from .servers import LOADGEN_CPUS, start_server, stop_server

LOADGEN = ROOT / "build/release/bench/wshub-loadgen"


@dataclasses.dataclass
class Outcome:
    server: str
    case: str
    round: int
    result: dict = None
    failure: str = None


def check_loadgen(program):
    """Exits, saying how to build it, if the load generator is missing."""
    if not LOADGEN.exists():
        sys.exit(f"{program}: {LOADGEN} is missing; build with: cmake --preset release && cmake --build build/release")


def loadgen_command(*args):
    """The load generator with `args`, pinned to its core."""
    return ["taskset", "-c", LOADGEN_CPUS, str(LOADGEN), *map(str, args)]


def case_command(case, mode, target):
    """The case against `target` (--port, --server-pid, --label...), with the mode's warm-up and step timeout."""
    return loadgen_command(*case.args, *target, "--warmup", mode.warmup_s, "--timeout", step_timeout(case, mode))


def step_timeout(case, mode):
    return case.step_timeout_s or mode.step_timeout_s


def wall_clock_limit(case, mode):
    # Warm-up, load, and up to four steps that may each take the step timeout (the idle case's worst).
    return mode.warmup_s + case.load_s + 4 * step_timeout(case, mode) + 15


def parse_result(stdout):
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    return None


def measure(outcome, command, limit):
    """Runs the load generator; sets the outcome's result and, if it did not pass, its failure."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
        outcome.result = parse_result(done.stdout)
        if done.returncode != 0:
            outcome.failure = " / ".join(done.stderr.strip().splitlines()[:3]) or f"exit status {done.returncode}"
    except subprocess.TimeoutExpired:
        outcome.failure = f"timed out after {limit:.0f} s"


def run_once(spec, case, round_number, mode):
    outcome = Outcome(spec.name, case.name, round_number)
    try:
        env = {**(spec.env or {}), **(case.server_env or {})}
        process, port = start_server(spec, f"{spec.name}-{case.name}-{round_number}", env=env)
    except (OSError, RuntimeError) as error:
        outcome.failure = f"server did not start: {error}"
        return outcome
    try:
        target = ["--port", port, "--server-pid", process.pid, "--label", spec.name]
        measure(outcome, case_command(case, mode, target), wall_clock_limit(case, mode))
    finally:
        stop_server(process)
    return outcome


def describe(outcome):
    if outcome.failure:
        return f"FAILED: {outcome.failure}"
    skip = {"scenario", "label", "errors"}
    return "  ".join(f"{key}={value}" for key, value in outcome.result.items() if key not in skip)


def run_all(servers, cases, mode, run=run_once):
    """Runs every case on every server (with `run`), `mode.rounds` times, the servers taking turns within each
    round."""
    outcomes = []
    for case in cases:
        for round_number in range(1, mode.rounds + 1):
            for spec in servers:
                outcome = run(spec, case, round_number, mode)
                progress = f"{case.name:13} round {round_number}/{mode.rounds}  {spec.name:14}"
                print(f"{progress} {describe(outcome)}", flush=True)
                outcomes.append(outcome)
    return outcomes
