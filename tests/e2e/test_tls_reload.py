"""Replacing the TLS certificate while wshub runs: SIGHUP and a changed file load the new pair for new connections,
open connections (1,000 clients echoing over wss://) keep going, a broken pair keeps the old one, session tickets
from before still resume, and /metrics shows the expiry of the certificate in use. The session ticket key is
replaced on its schedule, and a ticket outlives its key by one period only."""
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess

import pytest

from certificates import Authority, openssl, serial_of
from conftest import BINARY, ENV_SETTINGS, metrics_text, wait_until

LOADGEN = os.environ.get("WSHUB_LOADGEN")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    ca = Authority(tmp_path_factory.mktemp("pki"), "ca")
    return {"ca": ca.cert, "old": ca.issue("old"), "new": ca.issue("new", days=3)}


@pytest.fixture
def live(tmp_path, pki):
    """The files the server is given, holding the old pair; a test puts the new one in their place."""
    folder = tmp_path / "live"
    folder.mkdir()
    paths = folder / "cert.pem", folder / "key.pem"
    install(pki["old"], paths)
    return paths


def install(pair, live_paths):
    for source, destination in zip(pair, live_paths):
        shutil.copyfile(source, destination)


def start_tls(start_server, live_paths, *args):
    return start_server("--tls-cert-file", str(live_paths[0]), "--tls-key-file", str(live_paths[1]), *args)


def start_tls_without_checks(start_server, live_paths):
    """A server that reloads on SIGHUP only: a file check between a test's writes and its signal would reload too."""
    return start_tls(start_server, live_paths, "--tls-reload-check-sec", "0")


def der_of(certificate):
    return ssl.PEM_cert_to_DER_cert(certificate.read_text())


def tls_client(pki):
    return ssl.create_default_context(cafile=str(pki["ca"]))


def served_certificate(server, pki):
    """The certificate a new connection is given, DER."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with tls_client(pki).wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.getpeercert(binary_form=True)


def https_get(server, context, path, **wrap):
    """GET over a new TLS connection: (body, the SSLSocket's session and whether it resumed one)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost", **wrap) as tls:
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            response = b""
            while chunk := tls.recv(65536):
                response += chunk
            return response.decode(), tls.session, tls.session_reused


def metric(text, sample):
    return float(re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE).group(1))


def expiry_of(certificate):
    not_after = openssl("x509", "-in", certificate, "-noout", "-enddate").strip().removeprefix("notAfter=")
    return ssl.cert_time_to_seconds(not_after)


def test_sighup_replaces_the_certificate_under_load_without_dropping_a_client(start_server, live, pki):
    assert LOADGEN, "WSHUB_LOADGEN must name the load generator (CTest sets it)"
    server = start_tls_without_checks(start_server, live)
    _, hard = resource.prlimit(server.process.pid, resource.RLIMIT_NOFILE)
    resource.prlimit(server.process.pid, resource.RLIMIT_NOFILE, (hard, hard))  # 1,000 clients and a few more
    load = subprocess.Popen([LOADGEN, "echo", "--port", str(server.port), "--tls", "--tls-ca-file", str(pki["ca"]),
                             "--connections", "1000", "--in-flight", "1", "--warmup", "0", "--seconds", "20",
                             "--timeout", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The clients echo for 20 s from the moment all 1,000 are connected: the reloads below happen meanwhile.
        wait_until(lambda: metric(metrics_text(server, tls_context=tls_client(pki)), "wshub_connected_clients")
                   >= 1000, timeout=60, what="1,000 wss:// clients")
        install(pki["new"], live)
        server.signal(signal.SIGHUP)
        server.wait_for_log(rf"TLS certificate reloaded \(SIGHUP\): serial {serial_of(pki['new'][0])}")
        assert served_certificate(server, pki) == der_of(pki["new"][0])

        install((pki["new"][0], pki["old"][1]), live)  # a certificate with another's key
        server.signal(signal.SIGHUP)
        server.wait_for_log(rf"TLS certificate reload \(SIGHUP\) failed, still serving serial "
                            rf"{serial_of(pki['new'][0])}: .*is not the key of")
        assert served_certificate(server, pki) == der_of(pki["new"][0])
        assert load.poll() is None, "the load ended before the reloads: they were not made under load"
        text = metrics_text(server, tls_context=tls_client(pki))
        assert metric(text, "wshub_connected_clients") >= 1000
        assert metric(text, 'wshub_disconnects_total{reason="error"}') == 0
    except BaseException:
        load.kill()
        raise
    finally:
        out, errors = load.communicate(timeout=120)
    assert load.returncode == 0, (out, errors)
    result = next(line for line in out.splitlines() if line.startswith("RESULT "))
    assert '"errors":0' in result and '"connections":1000' in result, (result, errors)
    text = metrics_text(server, tls_context=tls_client(pki))
    assert metric(text, 'wshub_tls_certificate_reloads_total{result="loaded"}') == 1
    assert metric(text, 'wshub_tls_certificate_reloads_total{result="failed"}') == 1


def test_a_changed_file_is_reloaded_without_a_signal(start_server, live, pki):
    server = start_tls(start_server, live, "--tls-reload-check-sec", "1")
    server.wait_for_log(rf"TLS certificate: serial {serial_of(pki['old'][0])}, expires ")
    text = metrics_text(server, tls_context=tls_client(pki))
    assert metric(text, "wshub_tls_certificate_expiry_timestamp_seconds") == expiry_of(pki["old"][0])
    # As an ACME client renews: the new files written beside, then renamed over the old ones.
    for source, destination in zip(pki["new"], live):
        shutil.copyfile(source, f"{destination}.new")
        os.replace(f"{destination}.new", destination)
    server.wait_for_log(rf"TLS certificate reloaded \(a file changed\): serial {serial_of(pki['new'][0])}")
    assert served_certificate(server, pki) == der_of(pki["new"][0])
    text = metrics_text(server, tls_context=tls_client(pki))
    assert metric(text, "wshub_tls_certificate_expiry_timestamp_seconds") == expiry_of(pki["new"][0])


def test_a_file_that_is_not_pem_is_refused_and_the_old_pair_kept(start_server, live, pki):
    server = start_tls(start_server, live, "--tls-reload-check-sec", "1")
    live[0].write_text("half a certificate\n")
    server.wait_for_log(rf"TLS certificate reload \(a file changed\) failed, still serving serial "
                        rf"{serial_of(pki['old'][0])}: cannot use --tls-cert-file")
    assert served_certificate(server, pki) == der_of(pki["old"][0])
    install(pki["new"], live)
    server.wait_for_log(rf"TLS certificate reloaded \(a file changed\): serial {serial_of(pki['new'][0])}")


def test_tickets_given_before_a_reload_still_resume(start_server, live, pki):
    server = start_tls_without_checks(start_server, live)
    context = tls_client(pki)  # a session is resumed only through the context that made it
    body, session, _ = https_get(server, context, "/healthz")
    assert '"ok"' in body
    install(pki["new"], live)
    server.signal(signal.SIGHUP)
    server.wait_for_log(r"TLS certificate reloaded \(SIGHUP\)")
    body, _, resumed = https_get(server, context, "/healthz", session=session)
    assert '"ok"' in body and resumed


ROTATED = r"TLS session ticket key replaced \((\d+) so far\)"


def rotations_so_far(server):
    return max((int(m.group(1)) for m in map(re.compile(ROTATED).search, server.lines) if m), default=0)


def test_the_ticket_key_is_replaced_on_schedule_and_its_tickets_stop_resuming(start_server, live, pki):
    server = start_tls(start_server, live, "--tls-ticket-key-rotation-sec", "1")
    context = tls_client(pki)
    body, session, resumed = https_get(server, context, "/healthz")
    assert '"ok"' in body and not resumed
    # The ticket was sealed with the key of this period or, if a replacement came in between, the next one: three
    # replacements later both are erased.
    erased_after = rotations_so_far(server) + 3
    server.wait_for_log(ROTATED, count=erased_after)
    body, _, resumed = https_get(server, context, "/healthz", session=session)
    assert '"ok"' in body and not resumed


def test_sighup_with_the_files_unchanged_loads_the_same_pair_again(start_server, live, pki):
    server = start_tls_without_checks(start_server, live)
    server.signal(signal.SIGHUP)
    server.wait_for_log(rf"TLS certificate reloaded \(SIGHUP\): serial {serial_of(pki['old'][0])}")
    assert served_certificate(server, pki) == der_of(pki["old"][0])


@pytest.mark.parametrize("value", ["-1", "soon", "1e9", "0.5"])
def test_a_bad_reload_check_interval_is_refused(value):
    env = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
    done = subprocess.run([BINARY, "--port", "0", "--tls-reload-check-sec", value], env=env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2
    expected = f'wshub: invalid --tls-reload-check-sec value "{value}": expected 0, or a number of seconds from 1'
    assert done.stderr.startswith(expected), done.stderr


@pytest.mark.parametrize("value", ["0", "-1", "soon", "1e9", "0.5"])
def test_a_bad_ticket_key_rotation_is_refused(value):
    env = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
    done = subprocess.run([BINARY, "--port", "0", "--tls-ticket-key-rotation-sec", value], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    expected = f'wshub: invalid --tls-ticket-key-rotation-sec value "{value}": expected a number of seconds from 1'
    assert done.stderr.startswith(expected), done.stderr
