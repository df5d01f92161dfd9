"""Black-box fixtures: start the built wshub binary on a free port and talk to it as a client would."""
import asyncio
import base64
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

BINARY = os.environ.get("WSHUB_BINARY")
MIB = 1024 * 1024
LISTENING = re.compile(r"listening on https?://(\S+):(\d+)")
# What the address, leak, thread and undefined-behaviour sanitizers print when they find something.
SANITIZER_REPORT = re.compile(r"(ERROR|WARNING): \w+Sanitizer|runtime error:")


class LoggedProcess:
    """A child process whose stderr is collected line by line, so tests can wait for log lines."""

    def __init__(self, command, env=None):
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.stderr_closed = False
        self._changed = threading.Condition()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.stderr_closed = True
            self._changed.notify_all()

    def wait_for_log(self, pattern, count=1, timeout=10):
        """Waits until `count` stderr lines match; returns the last match."""
        pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matches = [m for m in map(pattern.search, self.lines) if m]
                if len(matches) >= count:
                    return matches[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or self.stderr_closed:
                    raise AssertionError(f"no {count} lines matching {pattern.pattern!r} in:\n" + "\n".join(self.lines))
                self._changed.wait(min(left, 0.5))

    def wait_stderr_closed(self):
        with self._changed:
            while not self.stderr_closed:
                self._changed.wait()


class Server(LoggedProcess):
    """A running wshub process."""

    def __init__(self, args=(), env=None, port=0):
        if not BINARY:
            raise RuntimeError("WSHUB_BINARY must name the wshub binary (CTest sets it)")
        full_env = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
        full_env.update(env or {})
        super().__init__([BINARY, "--port", str(port), *args], full_env)
        self.killed = False
        match = self.wait_for_log(LISTENING)
        self.host, self.port = match.group(1), int(match.group(2))

    def ws_url(self, client_id):
        return f"ws://127.0.0.1:{self.port}/ws/{client_id}"

    def signal(self, signum=signal.SIGTERM):
        self.process.send_signal(signum)

    def wait_exit(self, timeout=15):
        return self.process.wait(timeout=timeout)

    def shut_down(self):
        """Stops the server the quick way (two signals) and checks that it exited cleanly."""
        if self.killed:
            return
        if self.process.poll() is None:
            self.signal()
            self.wait_for_log(r"received SIGTERM")
            self.signal()
        assert self.wait_exit(timeout=30) == 0, "\n".join(self.lines)
        self.wait_stderr_closed()
        reports = [line for line in self.lines if SANITIZER_REPORT.search(line)]
        assert not reports, "\n".join(self.lines)

    def sigkill(self):
        """Kills the server without warning, as a lost machine would vanish."""
        self.killed = True
        self.kill()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


ENV_SETTINGS = {"HOST", "PORT", "TLS_CERT_FILE", "TLS_KEY_FILE", "TLS_MIN_VERSION", "TLS_RELOAD_CHECK_SEC",
                "TLS_TICKET_KEY_ROTATION_SEC", "THREADS",
                "LOG_LEVEL", "LOG_FORMAT", "FORCED_SHUTDOWN_AFTER_SEC", "PROGRESS_LOG_EVERY_SEC",
                "MAX_BACKPRESSURE_BYTES", "PING_INTERVAL_SEC", "IDLE_TIMEOUT_SEC", "MAX_CLIENTS", "DUPLICATE_POLICY",
                "MAX_MESSAGE_BYTES", "WS_PER_MESSAGE_DEFLATE", "WS_DEFLATE_LEVEL", "WS_DEFLATE_MIN_BYTES",
                "WS_DEFLATE_CONTEXTS", "MAX_BODY_BYTES", "MAX_HEADER_BYTES", "REQUEST_TIMEOUT_SEC", "API_TOKEN", "METRICS_TOKEN",
                "ALLOWED_ORIGINS", "DOCS_URL", "REDIS_URL", "CLUSTER_NAME", "NODE_ID", "CLUSTER_TIMEOUT_MS",
                "REDIS_TIMEOUT_MS", "NODE_TIMEOUT_SEC", "REDIS_REPLAY_SEC", "REDIS_TLS_CA_FILE", "REDIS_TLS_CERT_FILE",
                "REDIS_TLS_KEY_FILE", "REDIS_TLS_INSECURE", "REDIS_SENTINELS", "REDIS_MASTER_NAME",
                "REDIS_SENTINEL_PASSWORD", "REDIS_OUTBOX_BYTES"}


@pytest.fixture
def start_server():
    """Starts wshub with extra flags and environment (on a free port, or on `port`, e.g. to restart a node where it
    was); at the end of the test each must stop cleanly."""
    servers = []

    def start(*args, env=None, port=0):
        server = Server(args, env, port)
        servers.append(server)
        return server

    yield start
    try:
        for server in servers:
            server.shut_down()
    finally:
        for server in servers:
            server.kill()
            # pytest shows this only for a test that failed: the server's side of the story.
            print(f"--- wshub on port {server.port}:", *server.lines, sep="\n", file=sys.stderr)


def free_port():
    """A port nobody listens on now (for redis-server, which cannot be told to pick one itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throw-away redis-server (Debian's) on a free port, persistence off; it can be stopped and started again
    on the same port to play an outage. extra_args are more of redis-server's settings (`--requirepass`, `--user`
    ...); with admin_password, redis-cli and the readiness check authenticate as the default user."""

    def __init__(self, extra_args=(), admin_password=None):
        self.port = free_port()
        self.extra_args = list(extra_args)
        self.admin_password = admin_password
        self.process = None
        self.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def url_for(self, user, password):
        """The URL with credentials, percent-encoded as REDIS_URL takes them."""
        credentials = f"{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password, safe='')}"
        return f"redis://{credentials}@127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--loglevel", "warning", *self.extra_args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, what=f"redis-server on port {self.port}")

    def answers(self):
        """Whether it answers a PING, or refuses it for want of a password: either way it is serving."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def command(self, *args):
        """One command through redis-cli (as the admin, if there is one); its output as text."""
        auth = ["-a", self.admin_password, "--no-auth-warning"] if self.admin_password else []
        result = subprocess.run(["redis-cli", "-p", str(self.port), *auth, *map(str, args)], capture_output=True,
                                text=True, timeout=10, check=True)
        return result.stdout.strip()

    def kill_connections_of(self, node_id):
        """CLIENT KILL of every connection the node opened (each names itself CLUSTER:NODE:ROLE)."""
        listing = self.command("CLIENT", "LIST")
        ids = [re.search(r"\bid=(\d+)", line).group(1) for line in listing.splitlines() if f":{node_id}:" in line]
        for client in ids:
            self.command("CLIENT", "KILL", "ID", client)
        return len(ids)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pause(self):
        """SIGSTOP: connections stay open (new ones complete from the listen backlog), nothing is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def redis_server():
    redis = RedisServer()
    yield redis
    redis.stop()


# Short timeouts keep the cluster tests quick: a dead node is noticed within a second.
CLUSTER_TEST_SETTINGS = ("--node-timeout-sec", "1", "--cluster-timeout-ms", "1000", "--redis-timeout-ms", "1000")


@pytest.fixture
def start_cluster(redis_server, start_server):
    """Starts `count` nodes of one cluster on the test's Redis; returns them in order (node ids n0, n1, ...)."""

    def start(count, *args, cluster="test"):
        nodes = [start_server("--redis-url", redis_server.url, "--cluster-name", cluster, "--node-id", f"n{i}",
                              *CLUSTER_TEST_SETTINGS, *args) for i in range(count)]
        for node in nodes:
            node.wait_for_log(r"is live, reading broadcasts")
        return nodes

    return start


@pytest.fixture
def server(start_server):
    return start_server()


def request(server, method, path, body=None, headers=None):
    """One HTTP request on a fresh connection; returns (status, headers, parsed JSON body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
        return response.status, response.headers, json.loads(raw) if raw else None
    finally:
        connection.close()


def metrics_text(server, headers=None, tls_context=None):
    """The raw text of GET /metrics; with tls_context, over a new TLS connection (itself a full handshake, counted
    before it is answered)."""
    if tls_context is None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    else:
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=30, context=tls_context)
    try:
        connection.request("GET", "/metrics", headers=headers or {})
        response = connection.getresponse()
        assert response.status == 200
        return response.read().decode()
    finally:
        connection.close()


def metric(server, sample):
    """The value of one sample of GET /metrics, named as it appears: 'wshub_connections_total{outcome="accepted"}'."""
    for line in metrics_text(server).splitlines():
        name, _, value = line.rpartition(" ")
        if name == sample:
            return float(value)
    raise AssertionError(f"no sample {sample} in /metrics")


def read_until_closed(sock):
    """Everything the server sends on a raw socket until it closes the connection."""
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def send_raw(server, data):
    """Sends bytes on a new connection; returns all the server answers before it closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        return read_until_closed(sock)


def clients(server):
    status, _, body = request(server, "GET", "/clients")
    assert status == 200
    return body["clients"]


def broadcast(server, message):
    status, _, body = request(server, "POST", "/broadcast-to-all", {"message": message})
    assert status == 200, body
    return body["sent"]


def resident_bytes(pid):
    """A process's resident memory (VmRSS), in bytes."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def wait_until(condition, timeout=10, what="condition"):
    """Polls a condition the server offers no event for (e.g. /clients changing)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


class RawWebSocket:
    """A minimal blocking client speaking frames by hand, for what a well-behaved library will not send."""

    def __init__(self, server, path, extra_headers="", tls=None):
        """extra_headers: more header lines, each ending in CRLF (such as a Sec-WebSocket-Extensions offer); tls: an
        ssl.SSLContext to speak wss:// with, checking the server's certificate for localhost."""
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        if tls:
            self.sock = tls.wrap_socket(self.sock, server_hostname="localhost")
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\n{extra_headers}\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            assert chunk, "connection closed during the handshake"
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        self.response_head = head.decode()
        self.last_rsv1 = False  # whether the last frame received was compressed (permessage-deflate)

    def send_frame(self, opcode, payload, fin=True, rsv=0):
        header = bytes([(0x80 if fin else 0) | rsv | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def recv_frame(self):
        """Returns (opcode, payload) of the next frame from the server (never masked)."""
        first, second = self._read(2)
        self.last_rsv1 = bool(first & 0x40)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        return first & 0x0F, self._read(length)

    def recv_close(self):
        """Reads past data frames to the close frame; returns (code, reason)."""
        while True:
            opcode, payload = self.recv_frame()
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return code, payload[2:].decode()

    def reset(self):
        """Drops the connection with a TCP reset instead of a close handshake."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self):
        self.sock.close()


WITNESS_ID = 0


@pytest.fixture(scope="module")
def shared_server():
    """One server for a whole file of short cases (hundreds of them); it must stop cleanly after the last."""
    server = Server()
    try:
        yield server
        server.shut_down()
    finally:
        server.kill()
        print(f"--- wshub on port {server.port}:", *server.lines, sep="\n", file=sys.stderr)


@pytest.fixture(scope="module")
def witness(shared_server):
    """A client connected to the shared server from the first case to the last."""
    ws = RawWebSocket(shared_server, f"/ws/{WITNESS_ID}")
    yield ws
    ws.close()


@pytest.fixture
def survived(shared_server, witness):
    """The shared server; after the test, the witness must still be echoed and be the only client left."""
    yield shared_server
    witness.send_frame(0x1, b"still there?")
    # A test that takes long lets the server's keepalive ping the witness first.
    while (frame := witness.recv_frame())[0] == 0x9:
        pass
    assert frame == (0x1, b"Server echo: still there?")
    wait_until(lambda: clients(shared_server) == [WITNESS_ID], what="the test's clients to leave the registry")
