"""The cluster cases (one wshub node against three over Redis) and the targeted sends (one node and three), each run
on a fresh redis-server and fresh nodes."""
import dataclasses
import re
import socket
import ssl
import subprocess
import time

from .cases import TLS_CERTIFICATE, TLS_KEY
from .certificate import ensure_certificate
from .measure import Outcome, case_command, measure, run_all, wall_clock_limit
from .servers import (LOG_DIR, SERVER_CPUS, SERVER_START_LIMIT_S, SERVERS, ServerSpec, free_ports, start_server,
                      stop_all)

REDIS_SERVER = ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"]
CLUSTER_NAME = "bench"
NODE_IS_LIVE = rb"is live, reading broadcasts"


@dataclasses.dataclass(frozen=True)
class Setup:
    """wshub as a cluster case runs it: `nodes` nodes of one I/O thread each, with a Redis of its own or none, all
    pinned to the server core; `tls`: the nodes speak TLS to Redis (rediss://)."""

    name: str
    nodes: int
    redis: bool
    tls: bool = False

    @property
    def label(self):
        return re.sub(r"\W+", "-", self.name.lower()).strip("-")


# One node as today; the same with REDIS_URL, to tell Redis's cost from the split's; three nodes sharing the core;
# the three over TLS to Redis, as managed Redis services require.
SETUPS = [Setup("1 node", 1, False), Setup("1 node + Redis", 1, True), Setup("3 nodes + Redis", 3, True),
          Setup("3 nodes + Redis TLS", 3, True, tls=True)]
SINGLE, CLUSTER = SETUPS[0].name, SETUPS[2].name
# The targeted sends: one node, and three where every send is POSTed to n0 and its client is on n1 or n2.
SEND_SETUPS = [SETUPS[0], SETUPS[2]]


def answers_ping(port, tls):
    """Whether redis-server answers PING on the port (over TLS, trusting the bench certificate, if `tls`)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as raw:
            sock = ssl.create_default_context(cafile=str(TLS_CERTIFICATE)).wrap_socket(
                raw, server_hostname="127.0.0.1") if tls else raw
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except (OSError, ssl.SSLError):
        return False


def wait_until_answering(process, port, tls):
    """Waits until redis-server answers PING."""
    deadline = time.monotonic() + SERVER_START_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with status {process.returncode}")
        if answers_ping(port, tls):
            return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer within {SERVER_START_LIMIT_S} s")


def start_redis(port, log_name, started, tls=False):
    """A redis-server of the run's own, persistence off, on the server core; appended to `started`. With `tls`, on
    a TLS port only, with the TLS cases' certificate (clients are not asked for one)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    listening = ["--port", str(port)]
    if tls:
        ensure_certificate()
        listening = ["--port", "0", "--tls-port", str(port), "--tls-cert-file", str(TLS_CERTIFICATE),
                     "--tls-key-file", str(TLS_KEY), "--tls-ca-cert-file", str(TLS_CERTIFICATE),
                     "--tls-auth-clients", "no"]
    with open(LOG_DIR / f"{log_name}.log", "ab") as log:
        process = subprocess.Popen(["taskset", "-c", SERVER_CPUS, *REDIS_SERVER, *listening],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    started.append(process)
    wait_until_answering(process, port, tls)
    return process


def start_nodes(ports, redis_port, log_name, started, tls=False):
    """A wshub node on each port (on Redis when `redis_port` is set: each waits until it is live in the cluster;
    over TLS with `tls`); appended to `started`."""
    spec = ServerSpec("wshub", SERVERS["wshub"])
    for index, port in enumerate(ports):
        env, ready = {}, None
        if redis_port:
            env = {"REDIS_URL": f"redis{'s' if tls else ''}://127.0.0.1:{redis_port}/0", "NODE_ID": f"n{index}",
                   "CLUSTER_NAME": CLUSTER_NAME}
            if tls:
                env["REDIS_TLS_CA_FILE"] = str(TLS_CERTIFICATE)
            ready = NODE_IS_LIVE
        process, _ = start_server(spec, f"{log_name}-n{index}", port, env, ready)
        started.append(process)


def cluster_target(setup, nodes, ports, redis):
    """The load generator's --port, --server-pid (one each per node), --label and, with Redis, --redis-pid."""
    target = ["--port", ",".join(map(str, ports)), "--server-pid", ",".join(str(node.pid) for node in nodes),
              "--label", setup.label]
    if redis:
        target += ["--redis-pid", str(redis.pid)]
    return target


def run_cluster_once(setup, case, round_number, mode):
    """Starts the setup afresh (its Redis first), runs the case against it and stops it."""
    outcome = Outcome(setup.name, case.name, round_number)
    log_name = f"cluster-{setup.label}-{case.name}-{round_number}"
    redis_port, *ports = free_ports(1 + setup.nodes)
    nodes, started = [], []
    try:
        redis = start_redis(redis_port, f"{log_name}-redis", started, setup.tls) if setup.redis else None
        start_nodes(ports, redis_port if redis else None, log_name, nodes, setup.tls)
    except (OSError, RuntimeError) as error:
        stop_all(nodes + started)
        outcome.failure = f"did not start: {error}"
        return outcome
    try:
        command = case_command(case, mode, cluster_target(setup, nodes, ports, redis))
        measure(outcome, command, wall_clock_limit(case, mode))
    finally:
        stop_all(nodes)
        stop_all(started)
    return outcome


def run_cluster(mode):
    return run_all(SETUPS, mode.cluster_cases, mode, run_cluster_once)


def run_sends(mode):
    return run_all(SEND_SETUPS, mode.send_cases, mode, run_cluster_once)
