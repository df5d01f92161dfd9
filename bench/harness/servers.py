"""The servers under test: which ones there are, the cores they and the load generator get, starting and stopping."""
import dataclasses
import os
import re
import shutil
import socket
import subprocess
import time

from . import ROOT

LOG_DIR = ROOT / "build/bench-logs"

# The servers: name -> command, run from the repository root with PORT set. A server whose program or script is
# missing is left out. wshub gets one I/O thread, like the single-threaded peers.
SERVERS = {
    "wshub": ["build/release/wshub", "--threads", "1"],
    "python": ["/usr/bin/python3", "bench/peers/python/app.py"],
    "node": ["node", "bench/peers/node/server.js"],
    "bun": ["bench/peers/bun/node_modules/.bin/bun", "bench/peers/bun/server.js"],
}
# uvicorn's name for the permessage-deflate switch; wshub (issue 16) and the peers read it too.
COMPRESSION_ENV = {"WS_PER_MESSAGE_DEFLATE": "true"}
SERVER_CPUS = "0"
LOADGEN_CPUS = "1"
SERVER_START_LIMIT_S = 20
SERVER_STOP_LIMIT_S = 5


@dataclasses.dataclass(frozen=True)
class ServerSpec:
    name: str
    command: list
    cpus: str = SERVER_CPUS
    # Added to the environment the server starts with.
    env: dict = None


def with_compression(spec):
    """The same server with permessage-deflate on (it is still up to the client to offer it)."""
    return dataclasses.replace(spec, env={**(spec.env or {}), **COMPRESSION_ENV})


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


def stop_all(processes):
    """Signals every process at once, then waits for each (killing those that take too long)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        stop_server(process)
