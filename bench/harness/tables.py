"""The Markdown tables: which figure each column shows, how the rounds combine into it, and the cells."""
import dataclasses
import statistics

from .cases import (CHAT_ECHO, CLUSTER_FANOUT, CLUSTER_IDLE, COMPRESSION_FANOUT_CLIENTS, DEFLATE_ECHO, DEFLATE_FANOUT,
                    DEFLATE_IDLE, PLAIN_CHURN, PLAIN_IDLE, SEND, SEND_CLIENTS, SEND_FANOUT, TLS_CHURN, TLS_CHURN_RESUMED,
                    TLS_CLIENTS, TLS_ECHO, TLS_FANOUT, TLS_IDLE)

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


def send_columns():
    """The targeted sends beside the broadcasts to as many clients in the same runs."""
    return [
        Column(f"broadcast to {SEND_CLIENTS:,} p50 (ms)", SEND_FANOUT, "latency_p50_us", LOWER, 1e-3, 2),
        Column("broadcast p99 (ms)", SEND_FANOUT, "latency_p99_us", LOWER, 1e-3, 2),
        Column("sends/s", SEND, "sends_per_sec", HIGHER),
        Column("send p50 (ms)", SEND, "latency_p50_us", LOWER, 1e-3, 2),
        Column("send p99 (ms)", SEND, "latency_p99_us", LOWER, 1e-3, 2),
        Column("server CPU per send (µs)", SEND, "server_cpu_us_per_send", LOWER, 1, 1),
        Column("Redis CPU per send (µs)", SEND, "redis_cpu_us_per_send", LOWER, 1, 1),
    ]


def compression_columns():
    """The issue's table (issue 16): costs and wire bytes with permessage-deflate, on 256-byte chat messages. The
    wire ratios are the same every round (the median is taken); speeds and costs are the best round."""
    return [
        Column("CPU µs/echo plain", CHAT_ECHO, "server_cpu_us_per_msg", LOWER, 1, 1),
        Column("CPU µs/echo compressed", DEFLATE_ECHO, "server_cpu_us_per_msg", LOWER, 1, 1),
        Column("wire/payload echo", DEFLATE_ECHO, "server_wire_per_payload", MEDIAN, 1, 3),
        Column("wire/payload fan-out", DEFLATE_FANOUT, "server_wire_per_payload", MEDIAN, 1, 3),
        Column(f"fan-out {COMPRESSION_FANOUT_CLIENTS // 1000}k p99 compressed (ms)", DEFLATE_FANOUT, "latency_p99_us",
               LOWER, 1e-3, 0),
        Column("idle KiB/conn compressed", DEFLATE_IDLE, "server_rss_per_conn_kib", MEDIAN, 1, 1),
    ]


def tls_columns():
    """The issue's table (issue 19): what TLS costs, beside the plain figures it is compared with."""
    return [
        Column("CPU µs/echo TLS", TLS_ECHO, "server_cpu_us_per_msg", LOWER, 1, 1),
        Column(f"fan-out {TLS_CLIENTS // 1000}k p99 TLS (ms)", TLS_FANOUT, "latency_p99_us", LOWER, 1e-3, 0),
        Column("idle KiB/conn TLS", TLS_IDLE, "server_rss_per_conn_kib", MEDIAN, 1, 1),
        Column("idle KiB/conn plain", PLAIN_IDLE, "server_rss_per_conn_kib", MEDIAN, 1, 1),
        Column("CPU µs/conn TLS, full handshake", TLS_CHURN, "server_cpu_us_per_conn", LOWER, 1, 0),
        Column("CPU µs/conn TLS, resumed", TLS_CHURN_RESUMED, "server_cpu_us_per_conn", LOWER, 1, 0),
        Column("CPU µs/conn plain", PLAIN_CHURN, "server_cpu_us_per_conn", LOWER, 1, 0),
    ]


def negotiated_cell(outcomes, server):
    """Whether the server accepted permessage-deflate on every connection of its compressed runs: "yes", "no",
    "partly", or "—" where none passed."""
    compressed = [(o.result.get("deflate_connections"), o.result.get("connections", o.result.get("clients")))
                  for o in outcomes
                  if o.server == server and o.case != CHAT_ECHO and not o.failure and o.result]
    if not compressed:
        return "—"
    if all(accepted == total for accepted, total in compressed):
        return "yes"
    return "no" if all(accepted == 0 for accepted, _ in compressed) else "partly"


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
