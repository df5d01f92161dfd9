"""LOG_FORMAT=json: every stderr line is one JSON object with the time, level, message and the event's fields."""
import datetime
import json
import re

import websockets

from conftest import run

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def parsed(lines):
    records = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    for record in records:
        assert RFC3339_UTC.fullmatch(record["time"]), record
        logged_at = datetime.datetime.fromisoformat(record["time"].replace("Z", "+00:00"))
        assert abs(datetime.datetime.now(datetime.timezone.utc) - logged_at) < datetime.timedelta(minutes=5)
        assert record["level"] in {"trace", "debug", "info", "warning", "error", "critical"}
        assert isinstance(record["message"], str) and record["message"]
    return records


def test_connect_and_close_are_json_lines_with_their_fields(start_server):
    server = start_server("--log-level", "debug", env={"LOG_FORMAT": "json"})

    async def scenario():
        async with websockets.connect(server.ws_url(21)) as ws:
            await ws.send("hi")
            await ws.recv()
            server.wait_for_log(r'"message":"client 21 connected')
            local_port = ws.transport.get_extra_info("sockname")[1]
        async with websockets.connect(server.ws_url("abc")) as refused:
            await refused.wait_closed()
        return local_port

    local_port = run(scenario())
    server.wait_for_log(r'"message":"client 21 disconnected')
    server.shut_down()
    records = parsed(server.lines)
    by_message = {record["message"].split(" (")[0].split(":")[0]: record for record in records}

    connected = by_message["client 21 connected from 127.0.0.1"]
    assert connected["level"] == "debug"
    assert connected["client_id"] == 21
    assert connected["remote"] == f"127.0.0.1:{local_port}"
    assert connected["connected"] == 1

    disconnected = by_message["client 21 disconnected"]
    assert (disconnected["client_id"], disconnected["close_code"], disconnected["connected"]) == (21, 1000, 0)
    assert disconnected["remote"] == f"127.0.0.1:{local_port}"
    assert disconnected["reason"] == "closed with code 1000"

    refused = by_message["refused a client with 1008"]
    assert refused["close_code"] == 1008
    assert refused["reason"] == "client id 'abc' is not an integer"
    assert refused["remote"].startswith("127.0.0.1:")

    starting = next(record for record in records if " starting: " in record["message"])
    assert starting["level"] == "info" and re.fullmatch(r"\d+\.\d+\.\d+", starting["version"])
    assert starting["commit"] in starting["message"]
    assert by_message["listening on http"]["url"] == f"http://127.0.0.1:{server.port}"
    assert by_message["received SIGTERM"]["signal"] == "SIGTERM"
    assert records[-1]["message"] == "shutdown: stopped"


def test_text_stays_the_default(start_server):
    server = start_server()
    server.shut_down()
    assert all(not line.startswith("{") for line in server.lines)
    assert re.match(r"^\d{4}-\d\d-\d\dT\S+ info  wshub ", server.lines[0])
