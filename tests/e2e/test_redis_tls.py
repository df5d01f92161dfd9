"""A cluster on a Redis that speaks TLS only (rediss://): the certificate and host name verified against a test CA,
wrong ones refused at start-up, client certificates, the insecure switch for self-signed setups, AUTH over TLS, and
the TLS settings' own refusals. The test makes its CAs and certificates with the openssl command."""
import asyncio
import os
import re
import socket
import ssl
import subprocess

import pytest
import websockets

from certificates import Authority, new_key_args, openssl
from conftest import (BINARY, CLUSTER_TEST_SETTINGS, ENV_SETTINGS, RedisServer, broadcast, free_port, request, run,
                      wait_until)

CLUSTER = "tlstest"
PASSWORD = "tls-s3cret"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """The CA every Redis here is signed by, another that signs nothing they show, and the certificates."""
    folder = tmp_path_factory.mktemp("pki")
    ca, other_ca = Authority(folder, "ca"), Authority(folder, "other-ca")
    self_signed = folder / "self-signed.crt", folder / "self-signed.key"
    openssl("req", "-x509", *new_key_args(self_signed[1]), "-out", self_signed[0], "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2")
    return {
        "ca": ca,
        "other_ca": other_ca,
        "server": ca.issue("redis", "DNS:localhost,IP:127.0.0.1"),
        "other_name": ca.issue("elsewhere", "DNS:redis.elsewhere.example"),
        "client": ca.issue("node", "DNS:node.example"),
        "self_signed": self_signed,
    }


class TlsRedisServer(RedisServer):
    """Debian's redis-server answering on a TLS port only (its plain port off), with the given certificate."""

    def __init__(self, pki, server, client_certificates, extra_args=()):
        self.pki, self.server, self.client_certificates = pki, server, client_certificates
        super().__init__(extra_args)

    def start(self):
        cert, key = self.server
        self.process = subprocess.Popen(
            ["redis-server", "--port", "0", "--tls-port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning", "--tls-cert-file", cert, "--tls-key-file", key,
             "--tls-ca-cert-file", self.pki["ca"].cert, "--tls-auth-clients",
             "yes" if self.client_certificates else "no", *self.extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, what=f"redis-server with TLS on port {self.port}")

    def answers(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.load_cert_chain(*self.pki["client"])
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw:
                with context.wrap_socket(raw) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def url(self, host="localhost", credentials=""):
        return f"rediss://{credentials}{host}:{self.port}/0"


@pytest.fixture
def tls_redis(pki):
    """Starts TLS Redis servers: tls_redis(server=pki["server"], client_certificates=False, extra_args=())."""
    servers = []

    def start(server=None, client_certificates=False, extra_args=()):
        redis = TlsRedisServer(pki, server or pki["server"], client_certificates, extra_args)
        servers.append(redis)
        return redis

    yield start
    for redis in servers:
        redis.stop()


def start_nodes(start_server, urls, *args):
    nodes = [start_server("--redis-url", url, "--cluster-name", CLUSTER, "--node-id", f"n{i}", *CLUSTER_TEST_SETTINGS,
                          *args) for i, url in enumerate(urls)]
    for node in nodes:
        node.wait_for_log(r"is live, reading broadcasts")
    return nodes


def exit_of(*args):
    """Runs wshub until it exits (it should, at start-up); its CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
    return subprocess.run([BINARY, "--port", "0", "--cluster-name", CLUSTER, *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=30)


def the_line_naming(result, *names):
    """The one stderr line naming every one of names, after an exit 2."""
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if all(name in line for name in names)]
    assert len(lines) == 1, result.stderr
    return lines[0]


def redis_ready(node):
    status, _, body = request(node, "GET", "/readyz")
    assert status == 200, body
    return body["redis"]


def broadcast_reaches_both(nodes):
    async def scenario():
        sockets = [await websockets.connect(node.ws_url(n + 1)) for n, node in enumerate(nodes)]
        sent = await asyncio.to_thread(broadcast, nodes[0], "over tls")
        received = [await asyncio.wait_for(ws.recv(), 10) for ws in sockets]
        for ws in sockets:
            await ws.close()
        return sent, received

    return run(scenario())


def test_two_nodes_verify_redis_by_name_and_by_address_and_carry_a_broadcast_across(start_server, tls_redis, pki):
    redis = tls_redis()
    nodes = start_nodes(start_server, [redis.url("localhost"), redis.url("127.0.0.1")],
                        "--redis-tls-ca-file", pki["ca"].cert)
    assert broadcast_reaches_both(nodes) == (2, ["over tls", "over tls"])
    assert [redis_ready(node) for node in nodes] == ["up", "up"]
    assert any(f"joining through rediss://localhost:{redis.port}/0" in line for line in nodes[0].lines)
    for node in nodes:
        assert not [line for line in node.lines if re.search(r"WARNING|refused|failed", line)], "\n".join(node.lines)


def test_a_certificate_from_another_ca_stops_start_up_with_one_line_naming_the_ca_setting(tls_redis, pki):
    redis = tls_redis()
    result = exit_of("--redis-url", redis.url(), "--redis-tls-ca-file", pki["other_ca"].cert)
    line = the_line_naming(result, "REDIS_URL", "REDIS_TLS_CA_FILE")
    # Redis sends its CA with its certificate: that CA is not the one the node trusts.
    assert "TLS to Redis failed: certificate verify failed (SSL routines): self-signed certificate in certificate " \
           "chain" in line, line
    # Without the setting, the system's trust store is asked, which knows no test CA either.
    line = the_line_naming(exit_of("--redis-url", redis.url()), "REDIS_URL", "REDIS_TLS_CA_FILE")
    assert "certificate verify failed" in line, line


def test_a_host_name_the_certificate_does_not_carry_stops_start_up(tls_redis, pki):
    redis = tls_redis(server=pki["other_name"])
    for host in ("localhost", "127.0.0.1"):
        result = exit_of("--redis-url", redis.url(host), "--redis-tls-ca-file", pki["ca"].cert)
        line = the_line_naming(result, "REDIS_URL", "REDIS_TLS_CA_FILE")
        assert "certificate verify failed (SSL routines): hostname mismatch" in line, line


def test_a_redis_that_requires_a_client_certificate_takes_the_nodes_and_refuses_a_node_without(start_server, tls_redis,
                                                                                                pki):
    redis = tls_redis(client_certificates=True)
    cert, key = pki["client"]
    nodes = start_nodes(start_server, [redis.url(), redis.url()], "--redis-tls-ca-file", pki["ca"].cert,
                        "--redis-tls-cert-file", cert, "--redis-tls-key-file", key)
    assert broadcast_reaches_both(nodes) == (2, ["over tls", "over tls"])

    result = exit_of("--redis-url", redis.url(), "--redis-tls-ca-file", pki["ca"].cert)
    line = the_line_naming(result, "REDIS_URL", "REDIS_TLS_CERT_FILE")
    assert "TLS to Redis failed:" in line and "certificate required" in line, line


def test_insecure_connects_to_a_self_signed_redis_and_says_so_in_a_warning(start_server, tls_redis, pki):
    redis = tls_redis(server=pki["self_signed"])
    line = the_line_naming(exit_of("--redis-url", redis.url()), "REDIS_URL")
    assert "certificate verify failed (SSL routines): self-signed certificate (" in line, line

    node, = start_nodes(start_server, [redis.url()], "--redis-tls-insecure", "true")
    warning = node.wait_for_log(r" warning cluster: REDIS_TLS_INSECURE: .*not verified").string
    assert f"rediss://localhost:{redis.port}/0" in warning
    assert redis_ready(node) == "up"


def test_auth_over_tls_with_the_password_kept_out_of_the_output(start_server, tls_redis, pki):
    redis = tls_redis(extra_args=["--requirepass", PASSWORD])
    nodes = start_nodes(start_server, [redis.url(credentials=f":{PASSWORD}@")] * 2,
                        "--redis-tls-ca-file", pki["ca"].cert)
    assert broadcast_reaches_both(nodes) == (2, ["over tls", "over tls"])
    assert any(f"joining through rediss://:***@localhost:{redis.port}/0" in line for line in nodes[0].lines)

    wrong = "not-the-password"
    result = exit_of("--redis-url", redis.url(credentials=f":{wrong}@"), "--redis-tls-ca-file", pki["ca"].cert)
    line = the_line_naming(result, "REDIS_URL")
    assert f"rediss://:***@localhost:{redis.port}/0" in line and "refused the credentials: WRONGPASS" in line, line
    assert wrong not in result.stdout + result.stderr
    for node in nodes:
        assert PASSWORD not in "\n".join(node.lines)


def test_tls_settings_that_cannot_work_stop_start_up_with_one_line_naming_the_setting(pki, tmp_path):
    cert, key = pki["client"]
    somewhere = f"rediss://:{PASSWORD}@127.0.0.1:{free_port()}/0"
    line = the_line_naming(exit_of("--redis-url", f"redis://127.0.0.1:{free_port()}/0", "--redis-tls-ca-file",
                                   pki["ca"].cert), "--redis-tls-ca-file")
    assert "expected a rediss:// REDIS_URL" in line, line
    line = the_line_naming(exit_of("--redis-url", somewhere, "--redis-tls-cert-file", cert), "--redis-tls-cert-file")
    assert "REDIS_TLS_KEY_FILE" in line, line
    line = the_line_naming(exit_of("--redis-url", somewhere, "--redis-tls-key-file", key), "--redis-tls-key-file")
    assert "REDIS_TLS_CERT_FILE" in line, line

    missing = tmp_path / "missing.pem"
    line = the_line_naming(exit_of("--redis-url", somewhere, "--redis-tls-ca-file", missing), "REDIS_TLS_CA_FILE")
    assert f'"{missing}": cannot be read (No such file or directory)' in line, line
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("not a certificate\n")
    line = the_line_naming(exit_of("--redis-url", somewhere, "--redis-tls-ca-file", not_pem), "REDIS_TLS_CA_FILE")
    assert "holds no PEM CA certificate" in line, line
    _, other_key = pki["server"]
    result = exit_of("--redis-url", somewhere, "--redis-tls-cert-file", cert, "--redis-tls-key-file", other_key)
    line = the_line_naming(result, "REDIS_TLS_KEY_FILE")
    assert "is not the private key of the certificate in REDIS_TLS_CERT_FILE" in line, line
    assert PASSWORD not in result.stdout + result.stderr
