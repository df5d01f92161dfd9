#!/usr/bin/python3
# Runs wshub-loadgen against wshub and its peers, and writes the results as Markdown tables and SVG plots.
"""Usage: /usr/bin/python3 bench/run.py --quick | --full [--rounds N] [--servers wshub,node] [--only cluster]
       [--output FILE]

--full rewrites the results section of docs/benchmarks.md and the plots in docs/bench/; --quick writes
build/bench-quick.md (and its plots in build/bench-quick/) unless --output says otherwise. --only cluster runs only
the cluster cases (one wshub node against three over Redis) and rewrites only their part of the document. Needs the
release build (cmake --preset release && cmake --build build/release), redis-server for the cluster cases and, for
the peers, bench/peers/install.sh.
"""
import argparse
import dataclasses
import datetime
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOADGEN = ROOT / "build/release/bench/wshub-loadgen"
LOG_DIR = ROOT / "build/bench-logs"

# The servers: name -> command, run from the repository root with PORT set. A server whose program or script is
# missing is left out. wshub gets one I/O thread, like the single-threaded peers.
SERVERS = {
    "wshub": ["build/release/wshub", "--threads", "1"],
    "python": ["/usr/bin/python3", "bench/peers/python/app.py"],
    "node": ["node", "bench/peers/node/server.js"],
    "bun": ["bench/peers/bun/node_modules/.bin/bun", "bench/peers/bun/server.js"],
}
SERVER_CPUS = "0"
LOADGEN_CPUS = "1"
SERVER_START_LIMIT_S = 20
SERVER_STOP_LIMIT_S = 5


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    args: list
    # Seconds of load the case asks for, on top of which the wall-clock limit allows for its steps.
    load_s: float = 0


@dataclasses.dataclass(frozen=True)
class ServerSpec:
    name: str
    command: list
    cpus: str = SERVER_CPUS


@dataclasses.dataclass(frozen=True)
class Mode:
    cases: list
    rounds: int
    warmup_s: float
    # The loadgen's --timeout: the longest one step (connecting everyone, a round, RSS settling) may take.
    step_timeout_s: float
    # The idle case the summary quotes for memory and handshakes.
    idle_headline: int
    output: Path
    plot_dir: Path
    compare_threads: bool
    # The cluster group (one node against three over Redis): its cases, and whether the mode runs it unasked.
    cluster_cases: list
    with_cluster: bool


def echo_case(name, connections, in_flight, payload, seconds):
    args = ["echo", "--connections", connections, "--in-flight", in_flight, "--payload", payload, "--seconds", seconds]
    return Case(name, [str(arg) for arg in args], seconds)


def fanout_case(clients, rounds, max_seconds):
    args = ["fanout", "--clients", clients, "--rounds", rounds, "--max-seconds", max_seconds]
    return Case(f"fanout-{clients}", [str(arg) for arg in args], max_seconds)


def idle_case(clients):
    return Case(f"idle-{clients}", ["idle", "--clients", str(clients)])


def churn_case(seconds):
    return Case("churn", ["churn", "--concurrency", "16", "--seconds", str(seconds)], seconds)


# The cluster cases: the 15,000 clients, on one node or spread over three.
CLUSTER_CLIENTS = 15000


FULL = Mode(
    cases=[
        echo_case("echo", 50, 8, 32, 10),
        echo_case("echo-16k", 10, 1, 16384, 10),
        *[fanout_case(clients, 50, 30) for clients in (100, 1000, 5000, 10000)],
        *[idle_case(clients) for clients in (1000, 5000, 10000, 19000)],
        churn_case(5),
    ],
    rounds=3,
    warmup_s=1,
    step_timeout_s=30,
    idle_headline=10000,
    output=ROOT / "docs/benchmarks.md",
    plot_dir=ROOT / "docs/bench",
    compare_threads=True,
    cluster_cases=[fanout_case(CLUSTER_CLIENTS, 50, 30), idle_case(CLUSTER_CLIENTS)],
    with_cluster=True,
)

QUICK = Mode(
    cases=[echo_case("echo", 50, 8, 32, 3), fanout_case(1000, 20, 10), idle_case(5000), churn_case(2)],
    rounds=1,
    warmup_s=0.5,
    step_timeout_s=15,
    idle_headline=5000,
    output=ROOT / "build/bench-quick.md",
    plot_dir=ROOT / "build/bench-quick",
    compare_threads=False,
    cluster_cases=[fanout_case(CLUSTER_CLIENTS, 20, 10), idle_case(CLUSTER_CLIENTS)],
    with_cluster=False,
)

HIGHER, LOWER, MEDIAN = "higher", "lower", "median"


@dataclasses.dataclass(frozen=True)
class Column:
    title: str
    case: str
    key: str
    # How rounds combine: the best (HIGHER or LOWER is better) for speeds and costs, the MEDIAN for memory.
    pick: str
    scale: float = 1
    decimals: int = 0


def summary_columns(mode):
    idle = f"idle-{mode.idle_headline}"
    return [
        Column("echo msgs/s", "echo", "msgs_per_sec", HIGHER),
        Column("echo p99 (ms)", "echo", "rtt_p99_us", LOWER, 1e-3, 1),
        Column("CPU per echo (µs)", "echo", "server_cpu_us_per_msg", LOWER, 1, 1),
        Column("fan-out to 1,000 p99 (ms)", "fanout-1000", "latency_p99_us", LOWER, 1e-3, 1),
        Column("fan-out to 10,000 p99 (ms)", "fanout-10000", "latency_p99_us", LOWER, 1e-3, 1),
        Column(f"idle RSS per conn (KiB, {mode.idle_headline:,})", idle, "server_rss_per_conn_kib", MEDIAN, 1, 1),
        Column("handshakes/s", idle, "handshakes_per_sec", HIGHER),
        Column("CPU per handshake (µs)", idle, "server_cpu_us_per_handshake", LOWER),
        Column("churn conns/s", "churn", "conns_per_sec", HIGHER),
    ]


def echo_columns(case, title):
    return [
        Column(f"{title} msgs/s", case, "msgs_per_sec", HIGHER),
        Column(f"{title} p50 (ms)", case, "rtt_p50_us", LOWER, 1e-3, 2),
        Column(f"{title} p99 (ms)", case, "rtt_p99_us", LOWER, 1e-3, 2),
        Column(f"{title} CPU/msg (µs)", case, "server_cpu_us_per_msg", LOWER, 1, 1),
        Column(f"{title} loadgen CPU/msg (µs)", case, "loadgen_cpu_us_per_msg", LOWER, 1, 1),
    ]


def by_clients(mode, family, key, pick, scale=1, decimals=0):
    """One column per case of a family, by its number of clients: fanout-100, fanout-1000... in the mode."""
    counts = [int(case.name.split("-")[1]) for case in mode.cases if case.name.startswith(family + "-")]
    return [Column(f"{n:,} clients", f"{family}-{n}", key, pick, scale, decimals) for n in counts]


def fanout_columns(mode):
    return by_clients(mode, "fanout", "latency_p99_us", LOWER, 1e-3, 1)


def idle_memory_columns(mode):
    return by_clients(mode, "idle", "server_rss_per_conn_kib", MEDIAN, 1, 1)


def handshake_columns(mode):
    return by_clients(mode, "idle", "handshakes_per_sec", HIGHER)


# --- running -----------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    server: str
    case: str
    round: int
    result: dict = None
    failure: str = None


def is_installed(command):
    program, *args = command
    found = (ROOT / program).exists() if "/" in program else shutil.which(program) is not None
    return found and all((ROOT / arg).exists() for arg in args if "/" in arg)


def available_servers(names):
    servers = []
    for name in names:
        if is_installed(SERVERS[name]):
            servers.append(ServerSpec(name, SERVERS[name]))
        else:
            print(f"skipping {name}: {' '.join(SERVERS[name])} is not there", flush=True)
    return servers


def free_ports(count):
    """`count` distinct ports that nobody listens on now (all held at once while the kernel picks them)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port():
    return free_ports(1)[0]


def wait_until_accepting(process, port):
    deadline = time.monotonic() + SERVER_START_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with status {process.returncode} before accepting connections")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"did not accept connections within {SERVER_START_LIMIT_S} s")


def wait_for_log_line(process, log_path, offset, pattern):
    """Waits until the log, from `offset` on (logs are appended to), has a line matching `pattern`."""
    deadline = time.monotonic() + SERVER_START_LIMIT_S
    while time.monotonic() < deadline:
        with open(log_path, "rb") as log:
            log.seek(offset)
            if re.search(pattern, log.read()):
                return
        if process.poll() is not None:
            raise RuntimeError(f"exited with status {process.returncode} before logging {pattern!r}")
        time.sleep(0.05)
    raise RuntimeError(f"did not log {pattern!r} within {SERVER_START_LIMIT_S} s")


def start_server(spec, log_name, port=None, env=None, ready_line=None):
    """Starts the server on `port` (a free one if None) with `env` added, and waits until it accepts connections
    and, with `ready_line`, until its log has a line matching it."""
    port = port or free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{log_name}.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            ["taskset", "-c", spec.cpus, *spec.command],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_accepting(process, port)
        if ready_line:
            wait_for_log_line(process, log_path, offset, ready_line)
    except RuntimeError:
        stop_server(process)
        raise
    return process, port


def stop_server(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(SERVER_STOP_LIMIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def loadgen_command(case, spec, process, port, mode):
    target = ["--port", str(port), "--server-pid", str(process.pid), "--label", spec.name]
    timing = ["--warmup", str(mode.warmup_s), "--timeout", str(mode.step_timeout_s)]
    return ["taskset", "-c", LOADGEN_CPUS, str(LOADGEN), *case.args, *target, *timing]


def wall_clock_limit(case, mode):
    # Warm-up, load, and up to four steps that may each take the step timeout (the idle case's worst).
    return mode.warmup_s + case.load_s + 4 * mode.step_timeout_s + 15


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
        process, port = start_server(spec, f"{spec.name}-{case.name}-{round_number}")
    except (OSError, RuntimeError) as error:
        outcome.failure = f"server did not start: {error}"
        return outcome
    try:
        measure(outcome, loadgen_command(case, spec, process, port, mode), wall_clock_limit(case, mode))
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
                progress = f"{case.name:13} round {round_number}/{mode.rounds}  {spec.name:9}"
                print(f"{progress} {describe(outcome)}", flush=True)
                outcomes.append(outcome)
    return outcomes


# --- the cluster: one node against three over Redis -------------------------------------------------------------

REDIS_SERVER = ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"]
CLUSTER_NAME = "bench"
NODE_IS_LIVE = rb"is live, reading broadcasts"
CLUSTER_FANOUT, CLUSTER_IDLE = f"fanout-{CLUSTER_CLIENTS}", f"idle-{CLUSTER_CLIENTS}"


@dataclasses.dataclass(frozen=True)
class Setup:
    """wshub as a cluster case runs it: `nodes` nodes of one I/O thread each, with a Redis of its own or none, all
    pinned to the server core."""

    name: str
    nodes: int
    redis: bool

    @property
    def label(self):
        return re.sub(r"\W+", "-", self.name.lower()).strip("-")


# One node as today; the same with REDIS_URL, to tell Redis's cost from the split's; three nodes sharing the core.
SETUPS = [Setup("1 node", 1, False), Setup("1 node + Redis", 1, True), Setup("3 nodes + Redis", 3, True)]
SINGLE, CLUSTER = SETUPS[0].name, SETUPS[2].name


def wait_until_answering(process, port):
    """Waits until redis-server answers PING."""
    deadline = time.monotonic() + SERVER_START_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer within {SERVER_START_LIMIT_S} s")


def start_redis(port, log_name, started):
    """A redis-server of the run's own, persistence off, on the server core; appended to `started`."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOG_DIR / f"{log_name}.log", "ab") as log:
        process = subprocess.Popen(["taskset", "-c", SERVER_CPUS, *REDIS_SERVER, "--port", str(port)],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    started.append(process)
    wait_until_answering(process, port)
    return process


def start_nodes(ports, redis_port, log_name, started):
    """A wshub node on each port (on Redis when `redis_port` is set: each waits until it is live in the cluster);
    appended to `started`."""
    spec = ServerSpec("wshub", SERVERS["wshub"])
    for index, port in enumerate(ports):
        env, ready = {}, None
        if redis_port:
            env = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "NODE_ID": f"n{index}",
                   "CLUSTER_NAME": CLUSTER_NAME}
            ready = NODE_IS_LIVE
        process, _ = start_server(spec, f"{log_name}-n{index}", port, env, ready)
        started.append(process)


def stop_all(processes):
    """Signals every process at once, then waits for each (killing those that take too long)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        stop_server(process)


def cluster_loadgen_command(case, setup, nodes, ports, redis, mode):
    target = ["--port", ",".join(map(str, ports)), "--server-pid", ",".join(str(node.pid) for node in nodes),
              "--label", setup.label]
    if redis:
        target += ["--redis-pid", str(redis.pid)]
    timing = ["--warmup", str(mode.warmup_s), "--timeout", str(mode.step_timeout_s)]
    return ["taskset", "-c", LOADGEN_CPUS, str(LOADGEN), *case.args, *target, *timing]


def run_cluster_once(setup, case, round_number, mode):
    """Starts the setup afresh (its Redis first), runs the case against it and stops it."""
    outcome = Outcome(setup.name, case.name, round_number)
    log_name = f"cluster-{setup.label}-{case.name}-{round_number}"
    redis_port, *ports = free_ports(1 + setup.nodes)
    nodes, started = [], []
    try:
        redis = start_redis(redis_port, f"{log_name}-redis", started) if setup.redis else None
        start_nodes(ports, redis_port if redis else None, log_name, nodes)
    except (OSError, RuntimeError) as error:
        stop_all(nodes + started)
        outcome.failure = f"did not start: {error}"
        return outcome
    try:
        measure(outcome, cluster_loadgen_command(case, setup, nodes, ports, redis, mode), wall_clock_limit(case, mode))
    finally:
        stop_all(nodes)
        stop_all(started)
    return outcome


def run_cluster(mode):
    return run_all(SETUPS, mode.cluster_cases, mode, run_cluster_once)


# --- summarising -------------------------------------------------------------------------------------------------


def value(outcomes, server, column):
    """The column's figure for a server over the rounds that passed; None if none did."""
    values = [
        o.result[column.key]
        for o in outcomes
        if o.server == server and o.case == column.case and not o.failure and o.result.get(column.key) is not None
    ]
    if not values:
        return None
    pick = {HIGHER: max, LOWER: min, MEDIAN: statistics.median}[column.pick]
    return pick(values) * column.scale


def cell(outcomes, server, column):
    """The figure; "—" where nothing ran or what passed has no such figure (no Redis to measure), "failed" where
    every run failed."""
    figure = value(outcomes, server, column)
    if figure is not None:
        return f"{figure:,.{column.decimals}f}"
    ran = [o for o in outcomes if o.server == server and o.case == column.case]
    return "failed" if ran and all(o.failure for o in ran) else "—"


def ratio_cell(outcomes, server, column):
    theirs, ours = value(outcomes, server, column), value(outcomes, "wshub", column)
    if not theirs or not ours:
        return "—"
    advantage = ours / theirs if column.pick == HIGHER else theirs / ours
    return f"{advantage:,.1f}×"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def figures_table(outcomes, servers, columns):
    rows = [[server, *(cell(outcomes, server, column) for column in columns)] for server in servers]
    return markdown_table(["server", *(column.title for column in columns)], rows)


def ratios_table(outcomes, servers, columns):
    others = [server for server in servers if server != "wshub"]
    rows = [[server, *(ratio_cell(outcomes, server, column) for column in columns)] for server in others]
    return markdown_table(["server", *(column.title for column in columns)], rows)


# --- plots -------------------------------------------------------------------------------------------------------


def clients(column):
    return int(column.case.split("-")[1])


def plot(path, servers, outcomes, columns, ylabel, log_y):
    """Draws the columns (one per number of clients) as one line per server, in SVG; False without gnuplot."""
    series = []
    for server in servers:
        points = []
        for column in columns:
            figure = value(outcomes, server, column)
            if figure is not None:
                points.append(f"{clients(column)} {figure}")
        if points:
            series.append((server, points))
    if not series or len(columns) < 2 or shutil.which("gnuplot") is None:
        return False
    script = [
        'set terminal svg size 720,420 dynamic font "sans,12" background rgb "white"',
        f'set output "{path}"',
        "set logscale x",
        f"set xrange [{clients(columns[0]) / 1.5}:{clients(columns[-1]) * 1.5}]",
        "set logscale y" if log_y else "set yrange [0:*]",
        "set grid",
        "set key outside right top",
        'set xlabel "connected clients"',
        f'set ylabel "{ylabel}"',
        "set xtics (" + ", ".join(f'"{column.title.split()[0]}" {clients(column)}' for column in columns) + ")",
        "plot " + ", ".join(f"'-' using 1:2 with linespoints linewidth 2 title \"{name}\"" for name, _ in series),
    ]
    for _, points in series:
        script += [*points, "e"]
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)
    return True


# --- the document ------------------------------------------------------------------------------------------------

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

INTRO = """# Benchmarks

wshub next to the Python/FastAPI service it replaces and two single-process WebSocket servers with the same API
(Node.js with `ws`, Bun's built-in server; see [bench/peers](../bench/peers/README.md)), all driven by one load
generator, `wshub-loadgen` ([bench/loadgen](../bench/loadgen)): a single-threaded epoll client that checks every
reply it gets.

`make bench` runs everything (three rounds; about 30 minutes, the cluster cases included) and rewrites the section
between the markers below and the plots in `docs/bench/`; `bench/run.py --full --only cluster` reruns only the
cluster cases (about 6 minutes) and rewrites only their part; `make bench-quick` (under two minutes, without the
cluster cases) writes `build/bench-quick.md` instead. Everything above the markers is written by hand and kept.

"""


def command_output(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_lines(load_at_start):
    lscpu = command_output("lscpu")
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    memory_kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
    commit = command_output("git", "-C", str(ROOT), "describe", "--always", "--dirty")
    return [
        f"- CPU: {model.group(1) if model else platform.processor()}, {os.cpu_count()} cores",
        f"- Memory: {memory_kib / 2**20:.0f} GiB; kernel: Linux {platform.release()}",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; wshub at `{commit}`",
        f"- Load average when the run started: {load_at_start:.2f} (well above 0: other work shared the cores)",
    ]


def method_lines(mode):
    cases = ", ".join(f"`{c.name}` (`{' '.join(c.args)}`)" for c in mode.cases)
    return [
        f"- Each server is pinned to core {SERVER_CPUS} (`taskset -c {SERVER_CPUS}`), the load generator to core "
        f"{LOADGEN_CPUS}; wshub runs with `--threads 1`, as the peers have one thread each.",
        f"- {mode.rounds} round(s): every case starts each server afresh, and the servers take turns within a round, "
        "so that whatever else the machine does hits them alike.",
        "- Figures are the best round for speed, latency and CPU (most messages/s, lowest p99, least CPU) and the "
        "median round for memory. Server CPU is the user + system run time of its threads "
        "(`/proc/PID/task/*/schedstat`, in ns) over the measured window; RSS is `VmRSS`, read once it has settled.",
        f"- Cases (each with `--warmup {mode.warmup_s}`): {cases}.",
        "- Client ids are numbers (the seed's `/ws/{clientId}` takes an integer), distinct within each case.",
    ]


def summary_part(mode, servers, outcomes):
    columns = summary_columns(mode)
    part = ["## Summary", "", figures_table(outcomes, servers, columns)]
    if "wshub" in servers and len(servers) > 1:
        part += [
            "",
            "How many times better wshub does than each of the others: wshub's figure ÷ theirs for speeds, theirs ÷ "
            "wshub's for latencies and costs, so above 1× always means wshub is ahead.",
            "",
            ratios_table(outcomes, servers, columns),
        ]
    return part


def echo_part(mode, servers, outcomes):
    part = ["## Echo", "", figures_table(outcomes, servers, echo_columns("echo", "32 B"))]
    if any(case.name == "echo-16k" for case in mode.cases):
        part += ["", figures_table(outcomes, servers, echo_columns("echo-16k", "16 KiB"))]
    return part


def by_clients_part(title, columns, servers, outcomes, plot_path):
    part = [title, "", figures_table(outcomes, servers, columns)]
    if plot_path:
        part += ["", f"![{title.lstrip('# ')}]({plot_path})"]
    return part


def threads_part(thread_outcomes):
    servers = sorted({outcome.server for outcome in thread_outcomes})
    return [
        "## wshub with one I/O thread or two",
        "",
        "One thread on core 0, or two threads on cores 0 and 1. The load generator stays on core 1, so with two "
        "threads the server shares that core with it: the figures show what a second thread buys on a two-core "
        "machine, not what it would on a bigger one.",
        "",
        figures_table(thread_outcomes, servers, echo_columns("echo", "32 B")),
    ]


CLUSTER_BEGIN, CLUSTER_END = "<!-- cluster:begin -->", "<!-- cluster:end -->"


def cluster_fanout_columns():
    return [
        Column("fan-out p50 (ms)", CLUSTER_FANOUT, "latency_p50_us", LOWER, 1e-3, 1),
        Column("fan-out p99 (ms)", CLUSTER_FANOUT, "latency_p99_us", LOWER, 1e-3, 1),
        Column("server CPU per delivery (µs)", CLUSTER_FANOUT, "server_cpu_us_per_delivery", LOWER, 1, 2),
        Column("Redis CPU per broadcast (µs)", CLUSTER_FANOUT, "redis_cpu_us_per_broadcast", LOWER),
        Column("of it above Redis's idle (µs)", CLUSTER_FANOUT, "redis_cpu_us_per_broadcast_above_idle", MEDIAN),
        Column("Redis idle (µs CPU/s)", CLUSTER_FANOUT, "redis_idle_cpu_us_per_sec", MEDIAN),
    ]


def cluster_idle_columns():
    return [
        Column("handshakes/s", CLUSTER_IDLE, "handshakes_per_sec", HIGHER),
        Column("server CPU per handshake (µs)", CLUSTER_IDLE, "server_cpu_us_per_handshake", LOWER, 1, 1),
        Column("Redis CPU per handshake (µs)", CLUSTER_IDLE, "redis_cpu_us_per_handshake", LOWER, 1, 1),
        Column("RSS per connection (KiB)", CLUSTER_IDLE, "server_rss_per_conn_kib", MEDIAN, 1, 2),
    ]


def target_row(outcomes, title, column, sign, bound_of, unit):
    """[target, one node, three nodes, bound, met] for three nodes' figure against `bound_of` one node's."""
    one, three = value(outcomes, SINGLE, column), value(outcomes, CLUSTER, column)
    if one is None or three is None:
        return [title, cell(outcomes, SINGLE, column), cell(outcomes, CLUSTER, column), "—", "—"]
    bound = bound_of(one)
    met = three <= bound if sign == "≤" else three >= bound
    shown = [f"{figure:,.{column.decimals}f}{unit}" for figure in (one, three, bound)]
    return [title, shown[0], shown[1], f"{sign} {shown[2]}", "yes" if met else "no"]


def cluster_target_rows(outcomes):
    """The issue's two targets, three nodes against one."""
    p99, handshakes = cluster_fanout_columns()[1], cluster_idle_columns()[0]
    p99_bound, handshakes_bound = (lambda one: one * 1.2 + 1), (lambda one: one / 2)
    return [
        target_row(outcomes, "fan-out p99 within 20% + 1 ms of one node's", p99, "≤", p99_bound, " ms"),
        target_row(outcomes, "handshakes/s at least half of one node's", handshakes, "≥", handshakes_bound, "/s"),
    ]


def cluster_part(mode, outcomes, load_at_start):
    setups = [setup.name for setup in SETUPS]
    cases = ", ".join(f"`{case.name}` (`{' '.join(case.args)}`)" for case in mode.cluster_cases)
    return [
        CLUSTER_BEGIN,
        f"## Cluster: one node x {CLUSTER_CLIENTS:,} clients against three x {CLUSTER_CLIENTS // 3:,}",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, load average "
        f"{load_at_start:.2f} at its start; {mode.rounds} round(s), the three setups taking turns within each, every "
        "run on a fresh redis-server (`--save '' --appendonly no`) and fresh nodes (`--threads 1`, `REDIS_URL`, "
        f"`NODE_ID` n0, n1, n2). The nodes and redis-server are all pinned to core {SERVER_CPUS}, the load "
        f"generator to core {LOADGEN_CPUS}: three nodes share the core one node has alone. Clients go to the nodes "
        "in turn; each broadcast is POSTed to node n0 and `sent` must count every client in the cluster. Server CPU "
        "is summed over the nodes; Redis CPU is redis-server's over the same window (the measured rounds, or the "
        "connecting). Redis also spends CPU with nothing to do (its cron, ten times a second), read over one idle "
        "second before the rounds: \"above idle\" takes that rate times the rounds' length away, which matters when a "
        "round to 15,000 clients lasts a hundred milliseconds or more; being a difference of two noisy readings it is "
        "the median round, not the best. Best round for speeds and costs, median for memory. Cases: "
        f"{cases}.",
        "",
        figures_table(outcomes, setups, cluster_fanout_columns()),
        "",
        figures_table(outcomes, setups, cluster_idle_columns()),
        "",
        markdown_table(["target", SINGLE, CLUSTER, "bound", "met"], cluster_target_rows(outcomes)),
        "",
        *raw_part(outcomes, "### Failed cluster runs"),
        CLUSTER_END,
    ]


def write_cluster_part(path, part):
    """Replaces the cluster part of the results section (adding it at the end of the section if it has none),
    keeping everything else."""
    text = path.read_text() if path.exists() else INTRO + f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    if CLUSTER_BEGIN in text and CLUSTER_END in text:
        head, rest = text.split(CLUSTER_BEGIN, 1)
        tail = rest.split(CLUSTER_END, 1)[1]
    else:
        head, tail = text.split(END, 1)
        head, tail = head.rstrip("\n") + "\n\n", "\n" + END + tail
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + part + tail)


def raw_part(outcomes, failures_title="## Failed runs"):
    failures = [f"- {o.server}, {o.case}, round {o.round}: {o.failure}" for o in outcomes if o.failure]
    raw = [f"RESULT {json.dumps(o.result, separators=(',', ':'))}" for o in outcomes if o.result]
    part = [failures_title, "", *failures, ""] if failures else []
    return part + ["<details><summary>Raw RESULT lines</summary>", "", "```", *raw, "```", "", "</details>"]


def results_section(mode, servers, outcomes, thread_outcomes, cluster_outcomes, plots, load_at_start):
    parts = [
        ["## Machine", "", *machine_lines(load_at_start)],
        ["## Method", "", *method_lines(mode)],
        summary_part(mode, servers, outcomes),
        echo_part(mode, servers, outcomes),
        by_clients_part("## Fan-out: POST to the last client, p99 (ms)", fanout_columns(mode), servers, outcomes,
                        plots.get("fanout")),
        by_clients_part("## Idle connections: server RSS per connection (KiB)", idle_memory_columns(mode), servers,
                        outcomes, plots.get("idle")),
        by_clients_part("## Idle connections: handshakes per second", handshake_columns(mode), servers, outcomes, None),
        threads_part(thread_outcomes) if thread_outcomes else [],
        raw_part(outcomes + thread_outcomes),
        cluster_part(mode, cluster_outcomes, load_at_start) if cluster_outcomes else [],
    ]
    return "\n\n".join("\n".join(part) for part in parts if part)


def write_document(path, section):
    """Replaces what is between the markers, keeping the hand-written rest; a new file gets an introduction."""
    text = path.read_text() if path.exists() else INTRO + f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}")


def draw_plots(mode, servers, outcomes, document):
    """Draws the plots the mode has data for; returns their paths relative to the document, by name."""
    relative = os.path.relpath(mode.plot_dir, document.parent)
    wanted = {
        "fanout": ("fanout-p99.svg", fanout_columns(mode), "POST to last client, p99 (ms)", True),
        "idle": ("idle-rss.svg", idle_memory_columns(mode), "server RSS per connection (KiB)", False),
    }
    return {
        name: f"{relative}/{file}"
        for name, (file, columns, ylabel, log_y) in wanted.items()
        if plot(mode.plot_dir / file, servers, outcomes, columns, ylabel, log_y)
    }


def thread_comparison(mode):
    command = SERVERS["wshub"][:1]
    variants = [
        ServerSpec("wshub-1-thread", [*command, "--threads", "1"], SERVER_CPUS),
        ServerSpec("wshub-2-threads", [*command, "--threads", "2"], f"{SERVER_CPUS},{LOADGEN_CPUS}"),
    ]
    echo = next(c for c in mode.cases if c.name == "echo")
    return run_all(variants, [echo], mode)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--quick", action="store_const", const=QUICK, dest="mode", help="one short round")
    size.add_argument("--full", action="store_const", const=FULL, dest="mode", help="every case, three rounds")
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated subset of " + ", ".join(SERVERS))
    parser.add_argument("--only", choices=["cluster"],
                        help="run only this group and rewrite only its part of the document")
    parser.add_argument("--output", type=Path, help="the Markdown file to write")
    options = parser.parse_args()
    mode = options.mode
    if options.rounds:
        mode = dataclasses.replace(mode, rounds=options.rounds)
    document = (options.output or mode.output).resolve()
    if not LOADGEN.exists():
        sys.exit(f"run.py: {LOADGEN} is missing; build with: cmake --preset release && cmake --build build/release")
    with_cluster = mode.with_cluster or options.only == "cluster"
    if with_cluster and shutil.which("redis-server") is None:
        sys.exit("run.py: the cluster cases need redis-server: apt-get install redis-server")

    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    if load_at_start > 0.5:
        print(f"warning: load average {load_at_start:.2f}: other work on the machine will blur the figures", flush=True)
    if options.only == "cluster":
        write_cluster_part(document, "\n".join(cluster_part(mode, run_cluster(mode), load_at_start)))
        print(f"wrote the cluster part of {document} in {time.monotonic() - started:.0f} s")
        return
    servers = available_servers(options.servers.split(","))
    outcomes = run_all(servers, mode.cases, mode)
    with_wshub = mode.compare_threads and any(s.name == "wshub" for s in servers)
    thread_outcomes = thread_comparison(mode) if with_wshub else []
    cluster_outcomes = run_cluster(mode) if with_cluster else []
    names = [server.name for server in servers]
    plots = draw_plots(mode, names, outcomes, document)
    section = results_section(mode, names, outcomes, thread_outcomes, cluster_outcomes, plots, load_at_start)
    write_document(document, section)
    print(f"wrote {document} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
