"""Reaching one client on a single node: send to one, send to a list, disconnect one, look one up."""
import asyncio
import datetime
import socket
import urllib.parse

import pytest
import websockets

from conftest import broadcast, metric, request, run

NOT_CONNECTED = {"detail": "Client not connected"}
NOT_AN_INTEGER = {"loc": ["path", "clientId"], "msg": "value is not a valid integer", "type": "type_error.integer"}


def send(server, client_id, message):
    return request(server, "POST", f"/clients/{client_id}/send", {"message": message})[::2]


def send_to_clients(server, ids, message):
    return request(server, "POST", "/send-to-clients", {"clients": ids, "message": message})[::2]


def test_a_send_reaches_only_its_client_as_one_text_frame(server):
    async def scenario():
        target = await websockets.connect(server.ws_url(7))
        other = await websockets.connect(server.ws_url(8))
        answer = await asyncio.to_thread(send, server, 7, "just for you \u00e9")
        received = await asyncio.wait_for(target.recv(), 10)
        await other.send("echo")
        # The other client's next frame is its own echo: the send never reached it.
        other_first = await asyncio.wait_for(other.recv(), 10)
        await target.close()
        await other.close()
        return answer, received, other_first

    answer, received, other_first = run(scenario())
    assert answer == (200, {"sent": 1})
    assert received == "just for you \u00e9"
    assert other_first == "Server echo: echo"


def test_a_send_to_a_client_not_connected_is_404(server):
    assert send(server, 99, "anyone?") == (404, NOT_CONNECTED)


@pytest.mark.parametrize("segment", ["abc", "1.5", "99999999999999999999", "%2B"])
def test_a_client_id_that_is_not_a_64_bit_integer_is_422(server, segment):
    for method, path, body in [("POST", f"/clients/{segment}/send", {"message": "x"}),
                               ("GET", f"/clients/{segment}", None), ("DELETE", f"/clients/{segment}", None)]:
        assert request(server, method, path, body)[::2] == (422, {"detail": [NOT_AN_INTEGER]}), (method, path)


def test_a_send_body_is_validated_as_a_broadcast_body(server):
    status, _, body = request(server, "POST", "/clients/7/send", {"text": "x"})
    assert (status, body) == (422, {"detail": [{"loc": ["body", "message"], "msg": "field required",
                                                "type": "value_error.missing"}]})
    status, _, body = request(server, "POST", "/clients/x/send", "[]")
    assert status == 422
    assert [error["loc"] for error in body["detail"]] == [["path", "clientId"], ["body"]]


def test_send_to_clients_counts_the_connected_and_lists_the_missing_in_order(server):
    async def scenario():
        sockets = {i: await websockets.connect(server.ws_url(i)) for i in (1, 2, 3)}
        answer = await asyncio.to_thread(send_to_clients, server, [3, 40, 1, 3, 50, 40, 1], "hi")
        received = {i: await asyncio.wait_for(ws.recv(), 10) for i, ws in sockets.items() if i != 2}
        await sockets[2].send("echo")
        second = await asyncio.wait_for(sockets[2].recv(), 10)
        # Each listed client got it once: its next frame is the broadcast that follows.
        await asyncio.to_thread(broadcast, server, "after")
        after = {i: await asyncio.wait_for(ws.recv(), 10) for i, ws in sockets.items()}
        for ws in sockets.values():
            await ws.close()
        return answer, received, second, after

    answer, received, second, after = run(scenario())
    assert answer == (200, {"sent": 2, "missing": [40, 50]})
    assert received == {1: "hi", 3: "hi"}
    assert second == "Server echo: echo"
    assert after == {1: "after", 2: "after", 3: "after"}


@pytest.mark.parametrize("body, loc, error_type", [
    ({"message": "x"}, ["body", "clients"], "value_error.missing"),
    ({"clients": 7, "message": "x"}, ["body", "clients"], "type_error.list"),
    ({"clients": [1, "two", 3], "message": "x"}, ["body", "clients", 1], "type_error.integer"),
    ({"clients": [1, 2.5], "message": "x"}, ["body", "clients", 1], "type_error.integer"),
    ({"clients": [2 ** 63], "message": "x"}, ["body", "clients", 0], "type_error.integer"),
    ({"clients": list(range(10_001)), "message": "x"}, ["body", "clients"], "value_error.list.max_items"),
    ({"clients": [1]}, ["body", "message"], "value_error.missing"),
])
def test_send_to_clients_validates_its_body(server, body, loc, error_type):
    status, _, answer = request(server, "POST", "/send-to-clients", body)
    assert status == 422
    assert [(error["loc"], error["type"]) for error in answer["detail"]] == [(loc, error_type)]


def test_send_to_clients_takes_ten_thousand_ids(server):
    assert send_to_clients(server, list(range(10_000)), "x") == (200, {"sent": 0, "missing": list(range(10_000))})


def test_delete_closes_the_client_after_what_was_queued_and_frees_its_id(server):
    async def scenario():
        ws = await websockets.connect(server.ws_url(5))
        await asyncio.to_thread(send, server, 5, "before the close")
        answer = await asyncio.to_thread(request, server, "DELETE", "/clients/5?code=4001&reason=bye+now")
        received = await asyncio.wait_for(ws.recv(), 10)
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        again = await websockets.connect(server.ws_url(5))
        await again.send("back")
        echoed = await asyncio.wait_for(again.recv(), 10)
        await again.close()
        return answer[::2], received, ws.close_code, ws.close_reason, echoed

    answer, received, code, reason, echoed = run(scenario())
    assert answer == (200, {"closed": 1})
    assert (received, code, reason) == ("before the close", 4001, "bye now")
    assert echoed == "Server echo: back"


def test_delete_without_parameters_closes_with_1000(server):
    async def scenario():
        ws = await websockets.connect(server.ws_url(6))
        answer = await asyncio.to_thread(request, server, "DELETE", "/clients/6")
        await ws.wait_closed()
        return answer[::2], ws.close_code, ws.close_reason

    assert run(scenario()) == ((200, {"closed": 1}), 1000, "closed by the server")


def test_delete_of_a_client_not_connected_is_404(server):
    assert request(server, "DELETE", "/clients/6")[::2] == (404, NOT_CONNECTED)


@pytest.mark.parametrize("query, loc, error_type", [
    ("code=1001", ["query", "code"], "value_error"),
    ("code=2999", ["query", "code"], "value_error"),
    ("code=5000", ["query", "code"], "value_error"),
    ("code=abc", ["query", "code"], "type_error.integer"),
    ("reason=" + "x" * 124, ["query", "reason"], "value_error.any_str.max_length"),
    ("reason=" + "%C3%A9" * 62, ["query", "reason"], "value_error.any_str.max_length"),
    ("reason=%FF", ["query", "reason"], "value_error.str.utf8"),
])
def test_delete_validates_its_code_and_reason(server, query, loc, error_type):
    status, _, answer = request(server, "DELETE", f"/clients/6?{query}")
    assert status == 422
    assert [(error["loc"], error["type"]) for error in answer["detail"]] == [(loc, error_type)]


def test_delete_accepts_the_longest_reason_and_the_application_codes(server):
    async def scenario():
        answers = []
        for code, reason in [(1000, "r" * 123), (3000, "a"), (4999, "\u00e9" * 61)]:
            ws = await websockets.connect(server.ws_url(9))
            path = f"/clients/9?code={code}&reason={urllib.parse.quote(reason)}"
            answer = await asyncio.to_thread(request, server, "DELETE", path)
            await ws.wait_closed()
            answers.append((answer[0], ws.close_code, ws.close_reason))
        return answers

    assert run(scenario()) == [(200, 1000, "r" * 123), (200, 3000, "a"), (200, 4999, "\u00e9" * 61)]


def test_get_names_the_client_its_connection_time_and_node(start_server):
    node = start_server("--node-id", "ignored-without-redis")

    async def scenario():
        before = datetime.datetime.now(datetime.timezone.utc)
        ws = await websockets.connect(node.ws_url(-12))
        after = datetime.datetime.now(datetime.timezone.utc)
        answer = await asyncio.to_thread(request, node, "GET", "/clients/-12")
        await ws.close()
        return before, after, answer[::2]

    before, after, (status, body) = run(scenario())
    assert status == 200
    assert body["id"] == -12
    assert body["node"] == f"{socket.gethostname()}:{node.port}"
    assert body["connected_at"].endswith("Z") and len(body["connected_at"]) == len("2026-12-02T04:40:00.123456Z")
    connected_at = datetime.datetime.fromisoformat(body["connected_at"].replace("Z", "+00:00"))
    assert before - datetime.timedelta(seconds=1) <= connected_at <= after + datetime.timedelta(seconds=1)
    assert request(node, "GET", "/clients/-12")[::2] == (404, NOT_CONNECTED)


@pytest.mark.parametrize("method, path, allowed", [
    ("PUT", "/clients/7", "GET, DELETE"),
    ("GET", "/clients/7/send", "POST"),
    ("GET", "/send-to-clients", "POST"),
])
def test_wrong_methods_are_405_with_allow(server, method, path, allowed):
    status, headers, body = request(server, method, path)
    assert (status, body) == (405, {"detail": "Method Not Allowed"})
    assert headers["Allow"] == allowed


def test_the_new_routes_need_the_api_token(start_server):
    node = start_server(env={"API_TOKEN": "secret"})
    for method, path, body in [("POST", "/clients/7/send", {"message": "x"}), ("GET", "/clients/7", None),
                               ("DELETE", "/clients/7", None), ("POST", "/send-to-clients",
                                                                 {"clients": [7], "message": "x"})]:
        assert request(node, method, path, body)[0] == 401, path
        authorized = request(node, method, path, body, {"Authorization": "Bearer secret"})[0]
        assert authorized in (200, 404), path


def test_metrics_count_sends_their_deliveries_and_disconnect_requests(server):
    async def scenario():
        sockets = [await websockets.connect(server.ws_url(i)) for i in (1, 2)]
        await asyncio.to_thread(send, server, 1, "a")
        await asyncio.to_thread(send_to_clients, server, [1, 2, 3], "b")
        await asyncio.to_thread(request, server, "DELETE", "/clients/2")
        await asyncio.to_thread(request, server, "DELETE", "/clients/3")
        for ws in sockets:
            await ws.close()

    run(scenario())
    assert metric(server, "wshub_sends_total") == 2
    assert metric(server, "wshub_send_deliveries_total") == 3
    assert metric(server, "wshub_disconnect_requests_total") == 1
