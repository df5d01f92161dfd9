"""Start-up: flags, environment variables, --help, --version, and clear refusals of bad settings."""
import http.client
import os
import pathlib
import re
import socket
import subprocess

import pytest
import websockets

from conftest import BINARY, ENV_SETTINGS, broadcast, request, run


def run_binary(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
    full_env.update(env or {})
    return subprocess.run([BINARY, *args], env=full_env, capture_output=True, text=True, timeout=30)


def test_help_lists_every_setting_with_its_environment_variable():
    result = run_binary("--help")
    assert result.returncode == 0
    for name in ["--host", "HOST", "--port", "PORT", "--threads", "THREADS", "--log-level", "LOG_LEVEL",
                 "--log-format", "LOG_FORMAT",
                 "--forced-shutdown-after-sec", "FORCED_SHUTDOWN_AFTER_SEC",
                 "--progress-log-every-sec", "PROGRESS_LOG_EVERY_SEC",
                 "--max-backpressure-bytes", "MAX_BACKPRESSURE_BYTES", "--ping-interval-sec", "PING_INTERVAL_SEC",
                 "--idle-timeout-sec", "IDLE_TIMEOUT_SEC", "--max-clients", "MAX_CLIENTS",
                 "--max-message-bytes", "MAX_MESSAGE_BYTES", "--max-body-bytes", "MAX_BODY_BYTES",
                 "--max-header-bytes", "MAX_HEADER_BYTES", "--request-timeout-sec", "REQUEST_TIMEOUT_SEC",
                 "--api-token", "API_TOKEN", "--metrics-token", "METRICS_TOKEN",
                 "--allowed-origins", "ALLOWED_ORIGINS", "--docs-url", "DOCS_URL", "--redis-url", "REDIS_URL",
                 "--cluster-name", "CLUSTER_NAME", "--node-id", "NODE_ID", "--cluster-timeout-ms", "CLUSTER_TIMEOUT_MS",
                 "--redis-timeout-ms", "REDIS_TIMEOUT_MS",
                 "--node-timeout-sec", "NODE_TIMEOUT_SEC", "--redis-replay-sec", "REDIS_REPLAY_SEC"]:
        assert name in result.stdout


README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def help_settings():
    """{flag: (environment variable, default)} as `wshub --help` lists them; default None for a described one."""
    entries = []
    for line in run_binary("--help").stdout.splitlines():
        if line.startswith("  --"):
            entries.append(line.strip())
        elif entries and line.startswith(" " * 10):  # a long flag's description, on the next line
            entries[-1] += " " + line.strip()
    settings = {}
    for entry in entries:
        option = re.fullmatch(r"(--[a-z-]+) [A-Z]+ +(.*) \[env: ([A-Z_]+)\]", entry)
        if option:
            default = re.search(r"\(default ([^ )]+?)(?::\s|\))", option[2])
            settings[option[1]] = (option[3], default[1] if default else None)
    return settings


def readme_settings():
    """{flag: (environment variable, default cell)} from the README's settings table."""
    rows = re.findall(r"^\| `(--[a-z-]+)` \| `([A-Z_]+)` \| ([^|]+) \|", README.read_text(), re.MULTILINE)
    return {flag: (variable, cell.strip()) for flag, variable, cell in rows}


def test_the_readme_table_has_every_setting_with_the_defaults_help_gives():
    in_help = help_settings()
    in_readme = readme_settings()
    assert len(in_help) >= 26, in_help
    assert in_readme.keys() == in_help.keys()
    for flag, (variable, default) in in_help.items():
        readme_variable, cell = in_readme[flag]
        assert readme_variable == variable, flag
        if default is None:
            assert not cell.startswith("`"), f"{flag}: help gives no value, the README gives {cell}"
        else:
            assert cell.split(" ")[0] == f"`{default}`", f"{flag}: help says {default}, the README {cell}"


def test_servers_under_test_ignore_every_setting_of_the_developers_shell():
    assert ENV_SETTINGS == {variable for variable, _ in readme_settings().values()}


def test_version():
    result = run_binary("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"wshub \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown)\)\n", result.stdout), result.stdout
    source = pathlib.Path(__file__).resolve().parents[2]
    head = subprocess.run(["git", "-C", str(source), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    # Built from this checkout: the commit is the one the sources are at (the build looks it up every time).
    if head.returncode == 0:
        assert f"(commit {head.stdout.strip()})" in result.stdout


@pytest.mark.parametrize("args, env, named", [
    (["--port", "http"], {}, '--port value "http"'),
    ([], {"PORT": "70000"}, 'PORT value "70000"'),
    ([], {"THREADS": "0"}, 'THREADS value "0"'),
    (["--log-level", "chatty"], {}, '--log-level value "chatty"'),
    ([], {"LOG_LEVEL": "verbose"}, 'LOG_LEVEL value "verbose"'),
    (["--log-format", "xml"], {}, '--log-format value "xml"'),
    ([], {"LOG_FORMAT": "logfmt"}, 'LOG_FORMAT value "logfmt"'),
    ([], {"FORCED_SHUTDOWN_AFTER_SEC": "-1"}, 'FORCED_SHUTDOWN_AFTER_SEC value "-1"'),
    ([], {"FORCED_SHUTDOWN_AFTER_SEC": "never"}, 'FORCED_SHUTDOWN_AFTER_SEC value "never"'),
    (["--progress-log-every-sec", "0"], {}, '--progress-log-every-sec value "0"'),
    ([], {"MAX_CLIENTS": "many"}, 'MAX_CLIENTS value "many"'),
    ([], {"DUPLICATE_POLICY": "newest"}, 'DUPLICATE_POLICY value "newest": expected refuse or replace'),
    (["--duplicate-policy", ""], {}, '--duplicate-policy value ""'),
    (["--idle-timeout-sec", "5", "--ping-interval-sec", "10"], {}, '--idle-timeout-sec value "5"'),
    ([], {"WS_PER_MESSAGE_DEFLATE": "maybe"}, 'WS_PER_MESSAGE_DEFLATE value "maybe": expected true or false'),
    (["--ws-per-message-deflate", ""], {}, '--ws-per-message-deflate value ""'),
    ([], {"WS_DEFLATE_LEVEL": "0"}, 'WS_DEFLATE_LEVEL value "0": expected an integer from 1'),
    (["--ws-deflate-level", "10"], {}, '--ws-deflate-level value "10"'),
    ([], {"WS_DEFLATE_MIN_BYTES": "-1"}, 'WS_DEFLATE_MIN_BYTES value "-1"'),
    (["--ws-deflate-contexts", "-1"], {}, '--ws-deflate-contexts value "-1": expected a number of connections'),
    ([], {"ALLOWED_ORIGINS": "not-an-origin"}, 'ALLOWED_ORIGINS value "not-an-origin"'),
    ([], {"API_TOKEN": "two words"}, "API_TOKEN value: expected a non-empty token"),
    (["--docs-url", "docs"], {}, '--docs-url value "docs"'),
    ([], {"DOCS_URL": "/clients"}, 'DOCS_URL value "/clients": expected a path that no other route'),
    ([], {"REDIS_URL": "localhost:6379"}, 'REDIS_URL value "localhost:6379"'),
    (["--redis-url", "redis://host:99999"], {}, '--redis-url value "redis://host:99999"'),
    ([], {"CLUSTER_NAME": "two words"}, 'CLUSTER_NAME value "two words"'),
    ([], {"CLUSTER_TIMEOUT_MS": "0"}, 'CLUSTER_TIMEOUT_MS value "0"'),
    ([], {"REDIS_TIMEOUT_MS": "0"}, 'REDIS_TIMEOUT_MS value "0"'),
    (["--redis-timeout-ms", "3600001"], {}, '--redis-timeout-ms value "3600001"'),
    (["--node-timeout-sec", "0"], {}, '--node-timeout-sec value "0"'),
    ([], {"REDIS_REPLAY_SEC": "-5"}, 'REDIS_REPLAY_SEC value "-5"'),
    ([], {"REDIS_URL": "redis://h/0", "REDIS_SENTINELS": "a:1,,b:2", "REDIS_MASTER_NAME": "m"},
     'REDIS_SENTINELS value "a:1,,b:2": expected HOST:PORT of each sentinel'),
    (["--redis-url", "redis://h/0", "--redis-sentinels", "a:0"], {"REDIS_MASTER_NAME": "m"},
     '--redis-sentinels value "a:0"'),
    (["--redis-url", "redis://h/0", "--redis-sentinels", "a:26379"], {},
     '--redis-sentinels value "a:26379": expected --redis-master-name / REDIS_MASTER_NAME as well'),
    ([], {"REDIS_SENTINELS": "a:26379", "REDIS_MASTER_NAME": "m"},
     'REDIS_SENTINELS value "a:26379": expected a REDIS_URL as well'),
    ([], {"REDIS_URL": "redis://h/0", "REDIS_MASTER_NAME": "m"},
     'REDIS_MASTER_NAME value "m": expected --redis-sentinels / REDIS_SENTINELS as well'),
    ([], {"REDIS_URL": "redis://h/0", "REDIS_SENTINEL_PASSWORD": "s3cret"},
     "REDIS_SENTINEL_PASSWORD value: expected --redis-sentinels / REDIS_SENTINELS as well"),
    ([], {"REDIS_OUTBOX_BYTES": "0"}, 'REDIS_OUTBOX_BYTES value "0": expected a number of bytes from 1'),
    (["--unknown-flag"], {}, "--unknown-flag"),
])
def test_a_bad_setting_stops_start_up_with_one_line_and_status_2(args, env, named):
    result = run_binary(*args, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]


def test_a_port_in_use_stops_start_up_with_status_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_binary("--port", str(port))
    assert result.returncode == 2
    assert "--port/PORT" in result.stderr and str(port) in result.stderr


def test_an_unknown_host_stops_start_up_with_status_2():
    result = run_binary("--host", "no-such-host.invalid", "--port", "0")
    assert result.returncode == 2
    assert "--host/HOST" in result.stderr and "no-such-host.invalid" in result.stderr


def test_settings_come_from_the_environment(start_server):
    server = start_server(env={"HOST": "127.0.0.1", "THREADS": "1", "LOG_LEVEL": "debug",
                               "FORCED_SHUTDOWN_AFTER_SEC": "12.5", "PROGRESS_LOG_EVERY_SEC": "0.5"})
    server.wait_for_log(r"1 threads, log level debug, forced shutdown after 12.5 s, progress every 0.5 s")


def test_flags_win_over_the_environment(start_server):
    server = start_server("--log-level", "info", env={"LOG_LEVEL": "nonsense", "PORT": "1"})
    assert request(server, "GET", "/clients")[0] == 200


def test_debug_logs_each_connect_and_disconnect_with_reason_and_count(start_server):
    server = start_server("--log-level", "DEBUG")

    async def scenario():
        async with websockets.connect(server.ws_url(11)):
            server.wait_for_log(r"client 11 connected from 127\.0\.0\.1:\d+ \(1 connected\)")

    run(scenario())
    server.wait_for_log(r"client 11 disconnected: closed with code 1000 \(0 connected\)")


def test_info_logs_only_start_up_and_shutdown(start_server):
    server = start_server()

    async def scenario():
        async with websockets.connect(server.ws_url(12)) as ws:
            await ws.send("hello")
            await ws.recv()
            assert broadcast(server, "to all") == 1
            await ws.recv()

    run(scenario())
    server.shut_down()
    expected = re.compile(r"^\S+ info  (wshub \S+ \(commit \w+\) starting: |listening on |received SIGTERM: |shutdown: )")
    assert [line for line in server.lines if not expected.search(line)] == []


def test_listens_on_the_ipv6_loopback(start_server):
    server = start_server("--host", "::1")
    assert server.host == "[::1]"
    connection = http.client.HTTPConnection("::1", server.port, timeout=10)
    connection.request("GET", "/clients")
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b'{"clients":[]}')
    connection.close()
