"""What gets measured: the load generator's cases, and the two modes (--full, --quick) that pick them."""
import dataclasses
from pathlib import Path

from . import ROOT


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    args: list
    # Seconds of load the case asks for, on top of which the wall-clock limit allows for its steps.
    load_s: float = 0
    # The loadgen's --timeout for this case, if it needs longer than the mode's step_timeout_s.
    step_timeout_s: float = None
    # Added to the server's environment for this case (the TLS cases' certificate).
    server_env: dict = None


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
    # The targeted-sends group (wshub on one node and on three), which every mode runs: a broadcast case and a send
    # case to as many clients.
    send_cases: list
    # The compression group (issue 16): every server with permessage-deflate on; whether the mode runs it unasked.
    compression_cases: list
    with_compression: bool
    # The TLS group (issue 19): wshub and Bun on one certificate, and the plain cases they are compared with.
    tls_cases: list
    with_tls: bool


def echo_case(name, connections, in_flight, payload, seconds):
    args = ["echo", "--connections", connections, "--in-flight", in_flight, "--payload", payload, "--seconds", seconds]
    return Case(name, [str(arg) for arg in args], seconds)


def fanout_case(clients, rounds, max_seconds):
    args = ["fanout", "--clients", clients, "--rounds", rounds, "--max-seconds", max_seconds]
    return Case(f"fanout-{clients}", [str(arg) for arg in args], max_seconds)


def idle_case(clients):
    return Case(f"idle-{clients}", ["idle", "--clients", str(clients)])


def send_case(clients, sends, in_flight, max_seconds):
    args = ["send", "--clients", clients, "--sends", sends, "--in-flight", in_flight, "--max-seconds", max_seconds]
    return Case(f"send-{clients}", [str(arg) for arg in args], max_seconds)


def churn_case(seconds):
    return Case("churn", ["churn", "--concurrency", "16", "--seconds", str(seconds)], seconds)


# The cluster cases: the 15,000 clients, on one node or spread over three.
CLUSTER_CLIENTS = 15000
CLUSTER_FANOUT, CLUSTER_IDLE = f"fanout-{CLUSTER_CLIENTS}", f"idle-{CLUSTER_CLIENTS}"

# The targeted sends (issue 17) and, in the same runs, broadcasts to as many clients: wshub only, on one node and on
# three, since the peers have no route to one client.
SEND_CLIENTS = 1000
SEND_FANOUT, SEND = f"fanout-{SEND_CLIENTS}", f"send-{SEND_CLIENTS}"
# Requests in flight at once, each on a keep-alive connection of its own.
SEND_IN_FLIGHT = 16

# The compression cases (issue 16): JSON chat messages of 256 bytes (`--chat`), permessage-deflate offered as Chromium
# offers it (`--deflate`), and the same echo without the offer for the CPU an echo costs uncompressed.
CHAT_BYTES = 256
COMPRESSION_FANOUT_CLIENTS, COMPRESSION_IDLE_CLIENTS = 5000, 10000
CHAT_ECHO, DEFLATE_ECHO = "echo-chat", "echo-deflate"
DEFLATE_FANOUT = f"fanout-deflate-{COMPRESSION_FANOUT_CLIENTS}"
DEFLATE_IDLE = f"idle-deflate-{COMPRESSION_IDLE_CLIENTS}"
# The Python service builds its zlib streams at the handshake: a few hundred compressed handshakes a second on a busy
# machine, so connecting thousands of clients may take longer than a mode's step timeout.
COMPRESSED_HANDSHAKES_TIMEOUT_S = 60


def compression_cases(echo_seconds, fanout_rounds, fanout_max_seconds):
    echo = ["echo", "--connections", 50, "--in-flight", 8, "--payload", CHAT_BYTES, "--chat", "--seconds", echo_seconds]
    fanout = ["fanout", "--clients", COMPRESSION_FANOUT_CLIENTS, "--rounds", fanout_rounds, "--max-seconds",
              fanout_max_seconds, "--chat", "--chat-bytes", CHAT_BYTES, "--deflate"]
    idle = ["idle", "--clients", COMPRESSION_IDLE_CLIENTS, "--deflate"]
    return [
        Case(CHAT_ECHO, [str(arg) for arg in echo], echo_seconds),
        Case(DEFLATE_ECHO, [str(arg) for arg in [*echo, "--deflate"]], echo_seconds),
        Case(DEFLATE_FANOUT, [str(arg) for arg in fanout], fanout_max_seconds, COMPRESSED_HANDSHAKES_TIMEOUT_S),
        Case(DEFLATE_IDLE, [str(arg) for arg in idle], 0, COMPRESSED_HANDSHAKES_TIMEOUT_S),
    ]


# The TLS cases (issue 19): the servers that can speak TLS on one certificate made for the run (servers.py), a
# self-signed one that the load generator takes as its CA; churn without and with resumption for the CPU of a full and
# of a resumed handshake; and the idle and churn cases in plain beside them, for what TLS adds.
TLS_SERVERS = ("wshub", "wshub-baseline", "bun")  # the baseline: --baseline, another wshub build


def tls_servers(names):
    """Those of `names` that can speak TLS, in their order."""
    return [name for name in names if name in TLS_SERVERS]
TLS_DIR = ROOT / "build/bench-tls"
TLS_CERTIFICATE, TLS_KEY = TLS_DIR / "cert.pem", TLS_DIR / "key.pem"
TLS_ENV = {"TLS_CERT_FILE": str(TLS_CERTIFICATE), "TLS_KEY_FILE": str(TLS_KEY)}
TLS_CLIENTS = 10000
TLS_ECHO, TLS_FANOUT = "echo-tls", f"fanout-tls-{TLS_CLIENTS}"
TLS_IDLE, PLAIN_IDLE = f"idle-tls-{TLS_CLIENTS}", f"idle-plain-{TLS_CLIENTS}"
TLS_CHURN, TLS_CHURN_RESUMED, PLAIN_CHURN = "churn-tls", "churn-tls-resumed", "churn-plain"
# Ten thousand full handshakes, each verified by the load generator on its one core, take longer than a mode's step.
TLS_HANDSHAKES_TIMEOUT_S = 120


def tls_cases(echo_seconds, fanout_rounds, fanout_max_seconds, churn_seconds):
    tls = ["--tls", "--tls-ca-file", str(TLS_CERTIFICATE)]
    echo = ["echo", "--connections", 50, "--in-flight", 8, "--payload", 32, "--seconds", echo_seconds]
    fanout = ["fanout", "--clients", TLS_CLIENTS, "--rounds", fanout_rounds, "--max-seconds", fanout_max_seconds]
    idle = ["idle", "--clients", TLS_CLIENTS]
    churn = ["churn", "--concurrency", 16, "--seconds", churn_seconds]

    def case(name, args, load_s, secure, step_timeout_s=None):
        return Case(name, [str(arg) for arg in [*args, *(tls if secure else [])]], load_s, step_timeout_s,
                    TLS_ENV if secure else None)

    return [
        case(TLS_ECHO, echo, echo_seconds, True),
        case(TLS_FANOUT, fanout, fanout_max_seconds, True, TLS_HANDSHAKES_TIMEOUT_S),
        case(TLS_IDLE, idle, 0, True, TLS_HANDSHAKES_TIMEOUT_S),
        case(PLAIN_IDLE, idle, 0, False),
        case(TLS_CHURN, churn, churn_seconds, True),
        case(TLS_CHURN_RESUMED, [*churn, "--tls-resume"], churn_seconds, True),
        case(PLAIN_CHURN, churn, churn_seconds, False),
    ]


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
    send_cases=[fanout_case(SEND_CLIENTS, 50, 30), send_case(SEND_CLIENTS, 50000, SEND_IN_FLIGHT, 30)],
    compression_cases=compression_cases(10, 50, 30),
    with_compression=True,
    tls_cases=tls_cases(10, 50, 30, 5),
    with_tls=True,
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
    send_cases=[fanout_case(SEND_CLIENTS, 20, 10), send_case(SEND_CLIENTS, 10000, SEND_IN_FLIGHT, 10)],
    # About two minutes for four servers: too long for --quick's budget, so only `--quick --only compression` runs it.
    compression_cases=compression_cases(3, 20, 10),
    with_compression=False,
    # Two servers, seven cases: like compression, only `--quick --only tls` runs it.
    tls_cases=tls_cases(3, 20, 10, 2),
    with_tls=False,
)
