"""Operations endpoints: /healthz, /readyz through a drain, and /metrics as Prometheus reads it."""
import asyncio
import subprocess
import tempfile

import websockets

from conftest import broadcast, metric, metrics_text, request, run

DRAINING = r"received SIG\w+: shutting down"


def test_healthz_and_readyz_while_serving(server):
    assert request(server, "GET", "/healthz")[::2] == (200, {"status": "ok"})
    assert request(server, "GET", "/readyz")[::2] == (200, {"status": "ready"})


def test_readyz_is_503_from_the_first_signal_while_clients_drain(start_server):
    server = start_server(env={"FORCED_SHUTDOWN_AFTER_SEC": "60"})

    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            server.signal()
            server.wait_for_log(DRAINING)
            ready = request(server, "GET", "/readyz")
            healthy = request(server, "GET", "/healthz")
            shutting_down = metric(server, "wshub_shutdown_in_progress")
            await ws.send("still served")
            return ready, healthy, shutting_down, await ws.recv()

    ready, healthy, shutting_down, echo = run(scenario())
    assert ready[::2] == (503, {"status": "shutting down"})
    assert healthy[::2] == (200, {"status": "ok"})
    assert shutting_down == 1
    assert echo == "Server echo: still served"
    assert server.wait_exit() == 0


def test_metrics_pass_promtool_and_count_what_happened(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1)) as ws:
            await ws.send("hello")
            await ws.recv()
            async with websockets.connect(server.ws_url(1)) as duplicate:
                await duplicate.wait_closed()
            async with websockets.connect(server.ws_url("abc")) as invalid:
                await invalid.wait_closed()
            assert broadcast(server, "to all") == 1
            await ws.recv()
            return metrics_text(server)

    text = run(scenario())
    with tempfile.NamedTemporaryFile("w", suffix=".prom") as exposition:
        exposition.write(text)
        exposition.flush()
        with open(exposition.name) as stdin:
            lint = subprocess.run(["promtool", "check", "metrics"], stdin=stdin, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    samples = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    assert float(samples['wshub_connections_total{outcome="accepted"}']) == 1
    assert float(samples['wshub_connections_total{outcome="duplicate_id"}']) == 1
    assert float(samples['wshub_connections_total{outcome="invalid_id"}']) == 1
    assert float(samples["wshub_received_messages_total"]) == 1
    assert float(samples["wshub_received_bytes_total"]) == len("hello")
    assert float(samples["wshub_sent_messages_total"]) == 2
    assert float(samples["wshub_sent_bytes_total"]) == len("Server echo: hello") + len("to all")
    assert float(samples["wshub_broadcasts_total"]) == 1
    assert float(samples["wshub_broadcast_deliveries_total"]) == 1
    assert float(samples["wshub_connected_clients"]) == 1
    assert float(samples["process_resident_memory_bytes"]) > 1e6
    assert float(samples["process_open_fds"]) >= 4
    assert float(samples["process_start_time_seconds"]) > 1.7e9


def test_disconnects_are_counted_by_reason(server):
    async def scenario():
        async with websockets.connect(server.ws_url(1)):
            pass
        async with websockets.connect(server.ws_url(2), max_size=None) as ws:
            await ws.send("x" * (16 * 1024 * 1024 + 1))
            await ws.wait_closed()
            return ws.close_code

    assert run(scenario()) == 1009
    assert metric(server, 'wshub_disconnects_total{reason="normal"}') == 1
    assert metric(server, 'wshub_disconnects_total{reason="message_too_big"}') == 1
