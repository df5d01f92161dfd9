"""docs/benchmarks.md's results section, part by part, and rewriting it (or only its cluster or sends part) between
markers."""
import datetime
import json
import os
import platform
import re
import subprocess
from pathlib import Path

from . import ROOT
from .cases import (CHAT_BYTES, CLUSTER_CLIENTS, COMPRESSION_FANOUT_CLIENTS, COMPRESSION_IDLE_CLIENTS, SEND_CLIENTS,
                    SEND_IN_FLIGHT, TLS_CHURN_RESUMED, tls_servers)
from .cluster import CLUSTER, SEND_SETUPS, SETUPS, SINGLE
from .servers import COMPRESSION_ENV, LOADGEN_CPUS, SERVER_CPUS
from .tables import (cell, cluster_fanout_columns, cluster_idle_columns, compression_columns, echo_columns,
                     fanout_columns, figures_table, handshake_columns, idle_memory_columns, markdown_table,
                     negotiated_cell, ratios_table, send_columns, summary_columns, tls_columns, value)

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


def raw_part(outcomes, failures_title="## Failed runs"):
    failures = [f"- {o.server}, {o.case}, round {o.round}: {o.failure}" for o in outcomes if o.failure]
    raw = [f"RESULT {json.dumps(o.result, separators=(',', ':'))}" for o in outcomes if o.result]
    part = [failures_title, "", *failures, ""] if failures else []
    return part + ["<details><summary>Raw RESULT lines</summary>", "", "```", *raw, "```", "", "</details>"]


CLUSTER_BEGIN, CLUSTER_END = "<!-- cluster:begin -->", "<!-- cluster:end -->"


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
        f"{load_at_start:.2f} at its start; {mode.rounds} round(s), the {len(SETUPS)} setups taking turns within each, "
        "every run on a fresh redis-server (`--save '' --appendonly no`) and fresh nodes (`--threads 1`, `REDIS_URL`, "
        f"`NODE_ID` n0, n1, n2). `{SETUPS[-1].name}` is the three nodes over `rediss://`: redis-server on a TLS port "
        "only, with the TLS cases' certificate (ECDSA P-256), which the nodes take as `REDIS_TLS_CA_FILE`, and no "
        f"client certificates. The nodes and redis-server are all pinned to core {SERVER_CPUS}, the load "
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


SENDS_BEGIN, SENDS_END = "<!-- sends:begin -->", "<!-- sends:end -->"


def sends_part(mode, outcomes, load_at_start):
    setups = [setup.name for setup in SEND_SETUPS]
    cases = ", ".join(f"`{case.name}` (`{' '.join(case.args)}`)" for case in mode.send_cases)
    return [
        SENDS_BEGIN,
        f"## Targeted sends beside broadcasts: one node and three, {SEND_CLIENTS:,} clients (wshub only)",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, load average {load_at_start:.2f} "
        f"at its start; {mode.rounds} round(s), the setups taking turns within each, every run on fresh nodes "
        "(`--threads 1`; three nodes on a fresh redis-server as in the cluster cases). Each broadcast is a `POST "
        "/broadcast-to-all` at n0, timed until the last client has it; each send a `POST /clients/{id}/send` to the "
        f"next client in turn, {SEND_IN_FLIGHT} in flight on as many keep-alive connections, timed from the POST "
        "going out until that client has read it. Every send must be answered `{\"sent\": 1}` and arrive exactly "
        "once. On three nodes the broadcasts' clients are on every node in turn, the sends' on n1 and n2 only: every "
        "send is POSTed to n0, a node that does not hold its client, and crosses Redis. The nodes and redis-server "
        f"share core {SERVER_CPUS}, the load generator has core {LOADGEN_CPUS}. Best round. The peers (Python, "
        f"Node.js, Bun) have no route to one client and are not run here. Cases: {cases}.",
        "",
        figures_table(outcomes, setups, send_columns()),
        "",
        *raw_part(outcomes, "### Failed targeted-send runs"),
        SENDS_END,
    ]


COMPRESSION_BEGIN, COMPRESSION_END = "<!-- compression:begin -->", "<!-- compression:end -->"
# The bound on wshub's echo wire ratio: within 10% of the Python service's (0.33 against its 0.302 there).
ECHO_WIRE_OVER_PYTHON = 1.1


def times(figure, factor):
    return None if figure is None else figure * factor


def compression_target_rows(outcomes):
    """The issue's targets for wshub, each against its bound: the Python service's or Bun's figure in the same run."""
    cpu, echo_wire, _, p99, idle = compression_columns()[1:]
    negotiated = negotiated_cell(outcomes, "wshub") == "yes"
    rows = []
    for title, column, bound in [
        ("wire bytes per payload byte on echo, within 10% of Python's", echo_wire,
         times(value(outcomes, "python", echo_wire), ECHO_WIRE_OVER_PYTHON)),
        ("CPU per compressed echo, at most Bun's (µs)", cpu, value(outcomes, "bun", cpu)),
        ("compressed fan-out p99, at most Bun's (ms)", p99, value(outcomes, "bun", p99)),
        ("idle memory per compressed connection, at most Bun's (KiB)", idle, value(outcomes, "bun", idle)),
    ]:
        ours = value(outcomes, "wshub", column)
        if ours is None or bound is None or not negotiated:
            rows.append([title, cell(outcomes, "wshub", column), "—", "—" if negotiated else "not negotiated"])
            continue
        shown = [f"{figure:,.{column.decimals}f}" for figure in (ours, bound)]
        rows.append([title, shown[0], f"≤ {shown[1]}", "yes" if ours <= bound else "no"])
    return rows


def compression_part(mode, servers, outcomes, load_at_start):
    cases = ", ".join(f"`{case.name}` (`{' '.join(case.args)}`)" for case in mode.compression_cases)
    declined = [server for server in servers if negotiated_cell(outcomes, server) == "no"]
    header = ["server", "compression negotiated", *(column.title for column in compression_columns())]
    rows = [[server, negotiated_cell(outcomes, server), *(cell(outcomes, server, column)
                                                          for column in compression_columns())] for server in servers]
    part = [
        COMPRESSION_BEGIN,
        f"## Compression: permessage-deflate on {CHAT_BYTES}-byte chat messages",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, load average {load_at_start:.2f} at "
        f"its start; {mode.rounds} round(s), the servers taking turns within each, each started afresh with "
        f"`{' '.join(f'{k}={v}' for k, v in COMPRESSION_ENV.items())}` (wshub's switch, and the peers': uvicorn "
        "compressing as the seed does, `perMessageDeflate: true` for Node's ws and for Bun, whose sends ask for "
        "compression). The load generator offers `permessage-deflate; client_max_window_bits` as Chromium does and, "
        "where the server accepts, compresses and inflates as Chromium does. Payloads are JSON chat messages of "
        f"{CHAT_BYTES} bytes cut from a seeded 1 MiB word stream (not one repeated string). Wire/payload is the "
        "payload bytes of the frames the server sent (compressed) per byte of their text: the echoes' for echo, the "
        f"broadcasts' for fan-out. Fan-out to {COMPRESSION_FANOUT_CLIENTS:,} clients, idle memory with "
        f"{COMPRESSION_IDLE_CLIENTS:,} clients that negotiated compression and sent nothing; \"CPU µs/echo plain\" is "
        "the same echo without the offer. Best round for speeds and costs, median for memory and ratios. Cases: "
        f"{cases}.",
        "",
        markdown_table(header, rows),
    ]
    if declined:
        part += ["", f"Declined compression in this run (their compressed columns are of uncompressed connections): "
                     f"{', '.join(declined)}."]
    if "wshub" in servers:
        part += ["", markdown_table(["target (wshub)", "wshub", "bound", "met"], compression_target_rows(outcomes))]
    return [*part, "", *raw_part(outcomes, "### Failed compression runs"), COMPRESSION_END]


TLS_BEGIN, TLS_END = "<!-- tls:begin -->", "<!-- tls:end -->"
# The bound on what an idle TLS connection may hold more than a plain one (KiB).
TLS_IDLE_OVERHEAD_KIB = 16


def tls_target_rows(outcomes):
    """The issue's targets for wshub, each against its bound: Bun's figure in the same run, or 16 KiB over plain."""
    echo, p99, idle_tls, idle_plain = tls_columns()[:4]
    plain = value(outcomes, "wshub", idle_plain)
    rows = []
    for title, column, bound in [
        ("CPU per echo over TLS, at most Bun's (µs)", echo, value(outcomes, "bun", echo)),
        ("fan-out p99 over TLS, at most Bun's (ms)", p99, value(outcomes, "bun", p99)),
        ("idle memory per TLS connection, at most 16 KiB over plain (KiB)", idle_tls,
         None if plain is None else plain + TLS_IDLE_OVERHEAD_KIB),
    ]:
        ours = value(outcomes, "wshub", column)
        if ours is None or bound is None:
            rows.append([title, cell(outcomes, "wshub", column), "—", "—"])
            continue
        shown = [f"{figure:,.{column.decimals}f}" for figure in (ours, bound)]
        rows.append([title, shown[0], f"≤ {shown[1]}", "yes" if ours <= bound else "no"])
    return rows


def resumed_share(outcomes, server):
    """The share of the resumed churn's handshakes that did resume, over its rounds that passed; "—" if none."""
    runs = [o.result for o in outcomes if o.server == server and o.case == TLS_CHURN_RESUMED and not o.failure]
    handshakes = sum(run["connections"] for run in runs)
    return f"{sum(run.get('tls_resumed', 0) for run in runs) / handshakes:.0%}" if handshakes else "—"


def tls_part(mode, servers, outcomes, load_at_start):
    cases = ", ".join(f"`{case.name}` (`{' '.join(case.args)}`)" for case in mode.tls_cases)
    shares = ", ".join(f"{server} {resumed_share(outcomes, server)}" for server in servers)
    part = [
        TLS_BEGIN,
        "## TLS: wss:// and https:// on one certificate",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, load average {load_at_start:.2f} at "
        f"its start; {mode.rounds} round(s), the servers taking turns within each, each started afresh; the TLS "
        "cases with `TLS_CERT_FILE` and `TLS_KEY_FILE` naming one self-signed ECDSA P-256 certificate for 127.0.0.1 "
        "(bench/harness/certificate.py), which the load generator verifies as its CA, the plain cases without. A "
        "churn connection is a TCP connect, the TLS handshake, the upgrade, one echo and the close handshake: its CPU "
        "less the plain churn's is what the handshake costs. The resumed churn offers, on every connection, a session "
        f"ticket the server gave an earlier one (each used once); handshakes that resumed: {shares}. Best round for "
        f"speeds and costs, median for memory. Cases: {cases}.",
        "",
        figures_table(outcomes, servers, tls_columns()),
    ]
    if "wshub" in servers:
        part += ["", markdown_table(["target (wshub)", "wshub", "bound", "met"], tls_target_rows(outcomes))]
    return [*part, "", *raw_part(outcomes, "### Failed TLS runs"), TLS_END]


def results_section(mode, servers, outcomes, thread_outcomes, cluster_outcomes, send_outcomes, compression_outcomes,
                    tls_outcomes, plots, load_at_start):
    parts = [
        ["## Machine", "", *machine_lines(load_at_start)],
        ["## Method", "", *method_lines(mode)],
        summary_part(mode, servers, outcomes),
        echo_part(mode, servers, outcomes),
        by_clients_part("## Fan-out: POST to the last client, p99 (ms)", fanout_columns(mode), servers, outcomes,
                        plots.get("fanout")),
        sends_part(mode, send_outcomes, load_at_start) if send_outcomes else [],
        by_clients_part("## Idle connections: server RSS per connection (KiB)", idle_memory_columns(mode), servers,
                        outcomes, plots.get("idle")),
        by_clients_part("## Idle connections: handshakes per second", handshake_columns(mode), servers, outcomes, None),
        compression_part(mode, servers, compression_outcomes, load_at_start) if compression_outcomes else [],
        tls_part(mode, tls_servers(servers), tls_outcomes, load_at_start) if tls_outcomes else [],
        threads_part(thread_outcomes) if thread_outcomes else [],
        raw_part(outcomes + thread_outcomes),
        cluster_part(mode, cluster_outcomes, load_at_start) if cluster_outcomes else [],
    ]
    return "\n\n".join("\n".join(part) for part in parts if part)


def read_document(path):
    """The document's text with the results markers in it; a new file gets an introduction."""
    text = path.read_text() if path.exists() else INTRO + f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    return text


def write_document(path, section):
    """Replaces what is between the markers, keeping the hand-written rest."""
    head, rest = read_document(path).split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}")


def write_part(path, part, begin, end):
    """Replaces the part of the results section between `begin` and `end` (adding it at the end of the section if it
    has none), keeping everything else."""
    text = read_document(path)
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
    else:
        head, tail = text.split(END, 1)
        head, tail = head.rstrip("\n") + "\n\n", "\n" + END + tail
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + part + tail)
