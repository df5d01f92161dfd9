"""A cluster on a Redis that requires a password or an ACL user: AUTH, refused credentials at start-up and while
running, the password kept out of every output, and the Lua scripts run by their SHA-1 (EVALSHA)."""
import asyncio
import os
import pathlib
import re
import subprocess

import pytest
import websockets

from conftest import (BINARY, CLUSTER_TEST_SETTINGS, ENV_SETTINGS, RedisServer, broadcast, clients, metrics_text,
                      request, run, wait_until)

ADMIN_PASSWORD = "admin-Pw"
# Characters a URL must escape: the node has to decode them to authenticate at all.
NODE_PASSWORD = "n0de p@ss/w%rd:1"
CLUSTER = "authtest"
README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def readme_acl_rule():
    """The README's least-privilege rule, as its words: ACL SETUSER wshub on >PASSWORD ~wshub:* ..."""
    line = next(line for line in README.read_text().splitlines() if line.strip().startswith("ACL SETUSER wshub "))
    return line.split()[3:]


@pytest.fixture
def password_redis():
    redis = RedisServer(["--requirepass", ADMIN_PASSWORD], admin_password=ADMIN_PASSWORD)
    yield redis
    redis.stop()


@pytest.fixture
def acl_redis():
    """A Redis whose user `wshub` has exactly the README's rule, for the cluster CLUSTER."""
    redis = RedisServer(["--requirepass", ADMIN_PASSWORD], admin_password=ADMIN_PASSWORD)
    rule = [f">{NODE_PASSWORD}" if word == ">PASSWORD" else f"~{CLUSTER}:*" if word == "~wshub:*" else word
            for word in readme_acl_rule()]
    assert f">{NODE_PASSWORD}" in rule and f"~{CLUSTER}:*" in rule, rule
    assert redis.command("ACL", "SETUSER", "wshub", *rule) == "OK"
    yield redis
    redis.stop()


def start_nodes(start_server, url, count, *args, env=None):
    nodes = [start_server("--redis-url", url, "--cluster-name", CLUSTER, "--node-id", f"n{i}", *CLUSTER_TEST_SETTINGS,
                          *args, env=env) for i in range(count)]
    for node in nodes:
        node.wait_for_log(r"is live, reading broadcasts")
    return nodes


def assert_no_refusal_or_error(node):
    bad = [line for line in node.lines if re.search(r"NOPERM|NOAUTH|WRONGPASS| (error|critical) ", line)]
    assert not bad, "\n".join(node.lines)


def assert_nothing_denied(redis):
    """Redis's own record of every command and key an ACL rule refused: a refused claim would pass unseen."""
    assert redis.command("ACL", "LOG") == "", redis.command("ACL", "LOG")


def redis_ready(node):
    return request(node, "GET", "/readyz")[2]["redis"]


def command_calls(redis, name):
    """How many times Redis ran a command, from INFO commandstats."""
    found = re.search(rf"^cmdstat_{name}:calls=(\d+)", redis.command("INFO", "commandstats"), re.MULTILINE)
    return int(found.group(1)) if found else 0


def test_with_a_password_two_nodes_broadcast_and_list_as_one(start_server, password_redis):
    nodes = start_nodes(start_server, password_redis.url_for("", ADMIN_PASSWORD), 2)

    async def scenario():
        sockets = [await websockets.connect(node.ws_url(n + 1)) for n, node in enumerate(nodes)]
        listed = [await asyncio.to_thread(clients, node) for node in nodes]
        sent = await asyncio.to_thread(broadcast, nodes[0], "hello")
        received = [await asyncio.wait_for(ws.recv(), 10) for ws in sockets]
        for ws in sockets:
            await ws.close()
        return listed, sent, received

    listed, sent, received = run(scenario())
    assert listed == [[1, 2], [1, 2]]
    assert sent == 2
    assert received == ["hello", "hello"]
    assert "default" in password_redis.command("CLIENT", "LIST")
    for node in nodes:
        assert_no_refusal_or_error(node)


def test_an_acl_user_with_the_readmes_rule_can_do_everything_the_cluster_does(start_server, acl_redis):
    nodes = start_nodes(start_server, acl_redis.url_for("wshub", NODE_PASSWORD), 2)

    async def scenario():
        # Claims, two a node: a script's second run on a connection goes by EVALSHA.
        first = await websockets.connect(nodes[0].ws_url(1))
        second = await websockets.connect(nodes[1].ws_url(2))
        others = [await websockets.connect(nodes[n].ws_url(3 + n)) for n in (0, 1)]
        listed = await asyncio.to_thread(clients, nodes[0])  # a list
        for _ in range(2):
            sent = await asyncio.to_thread(broadcast, nodes[1], "to all")  # a broadcast and its count
        got = [await asyncio.wait_for(ws.recv(), 10) for ws in (first, second) for _ in range(2)]
        for ws in others:
            await ws.close()
        status, _, body = await asyncio.to_thread(request, nodes[1], "POST", "/clients/1/send", {"message": "one"})
        assert (status, body) == (200, {"sent": 1})
        assert await asyncio.wait_for(first.recv(), 10) == "one"
        # A replay: node n1's connections are cut while a broadcast goes out; it catches up from the stream.
        assert await asyncio.to_thread(kill_node_connections, acl_redis, "n1") == 2
        await asyncio.to_thread(broadcast, nodes[0], "while cut off")
        replayed = await asyncio.wait_for(second.recv(), 10)
        await first.close()  # a release
        await asyncio.to_thread(wait_until, lambda: clients(nodes[1]) == [2], what="client 1 released")
        await second.close()
        return listed, sent, got, replayed

    listed, sent, got, replayed = run(scenario())
    assert listed == [1, 2, 3, 4]
    assert sent == 4
    assert got == ["to all"] * 4
    assert replayed == "while cut off"
    nodes[1].wait_for_log(r"connected to Redis at .* after")
    assert "user=wshub" in acl_redis.command("CLIENT", "LIST")
    assert command_calls(acl_redis, "evalsha") > 0
    assert_nothing_denied(acl_redis)
    for node in nodes:
        assert_no_refusal_or_error(node)


def kill_node_connections(redis, node_id):
    return redis.kill_connections_of(node_id)


def run_until_exit(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
    full_env.update(env or {})
    return subprocess.run([BINARY, "--port", "0", *args], env=full_env, capture_output=True, text=True, timeout=30)


def test_a_wrong_password_stops_start_up_with_exit_2_and_one_line_naming_redis_url(acl_redis):
    wrong = "wr0ng-secret"
    result = run_until_exit("--redis-url", acl_redis.url_for("wshub", wrong), "--cluster-name", CLUSTER)
    assert result.returncode == 2, result.stderr
    naming = [line for line in result.stderr.splitlines() if "REDIS_URL" in line]
    assert len(naming) == 1, result.stderr
    assert "refused the credentials" in naming[0] and "redis://wshub:***@127.0.0.1" in naming[0]
    assert wrong not in result.stdout + result.stderr
    assert "lost Redis" not in result.stderr and "cannot reach Redis" not in result.stderr


def test_a_missing_password_stops_start_up_too(password_redis):
    result = run_until_exit("--redis-url", password_redis.url, "--cluster-name", CLUSTER)
    assert result.returncode == 2, result.stderr
    assert re.search(r"REDIS_URL .*refused the credentials: NOAUTH", result.stderr), result.stderr


def test_a_password_changed_while_running_is_logged_reported_and_retried_until_restored(start_server, acl_redis):
    node, = start_nodes(start_server, acl_redis.url_for("wshub", NODE_PASSWORD), 1)
    assert redis_ready(node) == "up"
    acl_redis.command("ACL", "SETUSER", "wshub", "resetpass", ">another")
    acl_redis.command("CLIENT", "KILL", "TYPE", "normal")
    node.wait_for_log(r"refused the credentials of REDIS_URL \(WRONGPASS")
    wait_until(lambda: redis_ready(node) == "down", what="/readyz saying Redis is down")
    assert request(node, "GET", "/readyz")[0] == 200
    # Refused at every attempt, logged once.
    wait_until(lambda: command_calls(acl_redis, "auth") >= 6, what="a few more attempts")
    assert sum("refused the credentials" in line for line in node.lines) == 1, "\n".join(node.lines)

    acl_redis.command("ACL", "SETUSER", "wshub", "resetpass", f">{NODE_PASSWORD}")
    node.wait_for_log(r"connected to Redis at .* after")
    wait_until(lambda: redis_ready(node) == "up", what="/readyz saying Redis is up again")
    assert NODE_PASSWORD not in "\n".join(node.lines)


def test_the_password_appears_in_no_output_at_debug_level_nor_in_metrics_nor_help(start_server, acl_redis):
    node, = start_nodes(start_server, acl_redis.url_for("wshub", NODE_PASSWORD), 1, "--log-level", "debug")

    async def scenario():
        async with websockets.connect(node.ws_url(7)) as ws:
            await asyncio.to_thread(broadcast, node, "x")
            return await asyncio.wait_for(ws.recv(), 10)

    assert run(scenario()) == "x"
    metrics = metrics_text(node)
    acl_redis.command("CLIENT", "KILL", "TYPE", "normal")  # the reconnection logs too
    node.wait_for_log(r"connected to Redis at .* after")
    node.shut_down()
    stdout = node.process.stdout.read()
    encoded = acl_redis.url_for("wshub", NODE_PASSWORD).split("@")[0].split(":")[-1]
    for secret in (NODE_PASSWORD, encoded):
        assert secret not in "\n".join(node.lines)
        assert secret not in stdout
        assert secret not in metrics
    assert any("joining through redis://wshub:***@127.0.0.1" in line for line in node.lines), "\n".join(node.lines)

    env = {"REDIS_URL": acl_redis.url_for("wshub", NODE_PASSWORD)}
    help_result = run_until_exit("--help", env=env)
    assert help_result.returncode == 0
    assert NODE_PASSWORD not in help_result.stdout + help_result.stderr
    assert encoded not in help_result.stdout + help_result.stderr


def test_claims_run_by_sha1_and_keep_working_after_the_script_cache_is_flushed(start_server, acl_redis):
    nodes = start_nodes(start_server, acl_redis.url_for("wshub", NODE_PASSWORD), 2)

    async def connect_and_list(ids):
        sockets = [await websockets.connect(nodes[i % 2].ws_url(client_id)) for i, client_id in enumerate(ids)]
        listed = await asyncio.to_thread(clients, nodes[0])
        for ws in sockets:
            await ws.close()
        await asyncio.to_thread(wait_until, lambda: clients(nodes[1]) == [], what="every id released")
        return listed

    assert run(connect_and_list([1, 2, 3, 4])) == [1, 2, 3, 4]
    evalsha_before = command_calls(acl_redis, "evalsha")
    assert evalsha_before >= 2, acl_redis.command("INFO", "commandstats")
    eval_before = command_calls(acl_redis, "eval")

    assert acl_redis.command("SCRIPT", "FLUSH") == "OK"
    assert run(connect_and_list([5, 6])) == [5, 6]
    sent = broadcast(nodes[1], "after the flush")
    assert sent == 0
    assert command_calls(acl_redis, "eval") > eval_before, "the scripts were sent again as text"
    assert command_calls(acl_redis, "evalsha") > evalsha_before
    assert_nothing_denied(acl_redis)
    for node in nodes:
        assert_no_refusal_or_error(node)
