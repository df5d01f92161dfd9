"""The API description: /openapi.json as FastAPI writes it for the seed and for the routes that reach one client,
valid, complete, and /docs (Swagger UI)."""
import datetime
import http.client
import importlib.util
import json
import pathlib
import re
import subprocess

from fastapi import FastAPI, Query
from fastapi.openapi.docs import get_swagger_ui_html
from pydantic import BaseModel, Field

import openapi_validator
from conftest import BINARY, request

REPO = pathlib.Path(__file__).resolve().parents[2]
# The pages FastAPI adds by itself and leaves out of its document; the WebSocket route has no OpenAPI operation.
UNLISTED = {"/openapi.json", "/docs", "/ws", "/ws/"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Issue 17's routes, which reach one client (or a list of them) by id.
CLIENT_ROUTES = {"/clients/{clientId}", "/clients/{clientId}/send", "/send-to-clients"}
# The pieces routes.hpp builds the first two from ("/clients/" id, and "/send" after it): not routes themselves.
CLIENT_ROUTE_PIECES = {"/clients/", "/send"}


def fetch(server, method, path, body=None):
    """(status, headers, text) of a request whose answer need not be JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def page_status(server, method, path="/", body=None):
    return fetch(server, method, path, body)[0]


def document(server):
    status, headers, body = request(server, "GET", "/openapi.json")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    return body


def fastapi_document():
    """The document FastAPI makes for the Python service (bench/peers/python), the one its clients came from."""
    spec = importlib.util.spec_from_file_location("python_peer", REPO / "bench" / "peers" / "python" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app.openapi()


class SendRequest(BaseModel):
    message: str


class SendToClientsRequest(BaseModel):
    clients: list[int] = Field(..., max_items=10000)
    message: str


class HTTPError(BaseModel):
    detail: str


class SendResult(BaseModel):
    sent: int


class SendToClientsResult(BaseModel):
    sent: int
    missing: list[int]


class DisconnectResult(BaseModel):
    closed: int


class Client(BaseModel):
    id: int
    connected_at: datetime.datetime
    node: str


def fastapi_client_routes_document():
    """The document FastAPI makes for the routes that reach one client, declared as a FastAPI service declares them:
    the functions' names give the operationIds, the models the schemas, the parameters keep the path's spelling
    (clientId). FastAPI only describes them; their bodies never run."""
    app = FastAPI()
    not_connected = {404: {"model": HTTPError, "description": "Client not connected"}}

    @app.get("/clients/{clientId}", response_model=Client, responses=not_connected)
    def get_client(clientId: int):
        ...

    @app.delete("/clients/{clientId}", response_model=DisconnectResult, responses=not_connected)
    def disconnect_client(
            clientId: int,
            code: int = Query(1000, ge=1000, le=4999, description="The close code: 1000, or 3000 to 4999."),
            reason: str = Query("closed by the server", description="The close reason: at most 123 bytes of UTF-8.")):
        ...

    @app.post("/clients/{clientId}/send", response_model=SendResult, responses=not_connected)
    def send_to_client(clientId: int, request: SendRequest):
        ...

    @app.post("/send-to-clients", response_model=SendToClientsResult)
    def send_to_clients(request: SendToClientsRequest):
        ...

    return app.openapi()


def fixed_routes():
    """The paths named in src/protocol/routes.hpp: every route the server answers whatever its settings."""
    text = (REPO / "src" / "protocol" / "routes.hpp").read_text()
    return set(re.findall(r'inline constexpr std::string_view \w+ = "([^"]*)";', text))


def test_the_document_is_valid_openapi(server):
    assert openapi_validator.problems(document(server)) == []


def test_the_validator_catches_an_invalid_document(server):
    doc = document(server)
    doc["paths"]["/clients"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/NoSuchSchema"}
    del doc["info"]["title"]
    found = openapi_validator.problems(doc)
    assert "$ref #/components/schemas/NoSuchSchema does not resolve" in found
    assert any("'title' is a required property" in problem for problem in found), found


def test_the_seeds_routes_and_schemas_are_described_as_fastapi_describes_them(server):
    ours, theirs = document(server), fastapi_document()
    assert ours["openapi"] == theirs["openapi"]
    for path, operations in theirs["paths"].items():
        for method, operation in operations.items():
            mine = ours["paths"][path][method]
            for key, value in operation.items():
                assert mine[key] == value, f"{method} {path} {key}"
    for name, schema in theirs["components"]["schemas"].items():
        assert ours["components"]["schemas"][name] == schema, name
    # "wshub 0.2.0 (commit ...)": the document carries the version the binary reports.
    version = subprocess.run([BINARY, "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
    assert ours["info"]["version"] == version


def test_the_routes_that_reach_one_client_are_described_as_fastapi_describes_them(server):
    ours, theirs = document(server), fastapi_client_routes_document()
    assert set(theirs["paths"]) == CLIENT_ROUTES
    for path, operations in theirs["paths"].items():
        assert set(ours["paths"].get(path, {})) == set(operations), path
        for method, operation in operations.items():
            mine = ours["paths"][path][method]
            assert mine["description"], f"{method} {path} says what it does"
            for key, value in operation.items():
                assert mine[key] == value, f"{method} {path} {key}"
    for name, schema in theirs["components"]["schemas"].items():
        assert ours["components"]["schemas"][name] == schema, name


def test_every_route_the_server_answers_is_documented_and_nothing_else(server):
    doc = document(server)
    documented = set(doc["paths"])
    assert documented == (fixed_routes() - UNLISTED - CLIENT_ROUTE_PIECES) | CLIENT_ROUTES
    for path, operations in doc["paths"].items():
        # An id that is not an integer: a route that exists answers 422 (a valid one not connected would be 404).
        probed = path.replace("{clientId}", "not-a-number")
        for method in METHODS:
            body = json.dumps({"message": "probe"}) if method == "POST" else None
            status = page_status(server, method, probed, body)
            if method.lower() in operations:
                assert status not in (404, 405), f"{method} {path} is documented but answers {status}"
            else:
                assert status == 405, f"{method} {path} is not documented but answers {status}"
    for path in ["/openapi.json", "/docs"]:
        assert page_status(server, "GET", path) == 200, path
    assert page_status(server, "GET", "/not-a-route") == 404


def test_the_websocket_route_and_every_close_code_are_described(server):
    description = document(server)["info"]["description"]
    assert "## WebSocket `/ws/{client_id}`" in description
    codes = re.findall(r"= (\d{4}),", (REPO / "src" / "protocol" / "close_code.hpp").read_text())
    assert len(codes) >= 8
    for code in codes:
        assert f"\n| {code} |" in description, code


def test_the_tokens_declare_the_bearer_scheme_on_the_routes_they_guard(start_server):
    server = start_server("--api-token", "api-t0ken", "--metrics-token", "scrape-t0ken")
    doc = document(server)
    assert doc["components"]["securitySchemes"] == {"HTTPBearer": {"type": "http", "scheme": "bearer"}}
    guarded = {(path, method) for path, operations in doc["paths"].items()
               for method, operation in operations.items() if operation.get("security") == [{"HTTPBearer": []}]}
    assert guarded == {("/clients", "get"), ("/broadcast-to-all", "post"), ("/metrics", "get"),
                       ("/clients/{clientId}", "get"), ("/clients/{clientId}", "delete"),
                       ("/clients/{clientId}/send", "post"), ("/send-to-clients", "post")}
    assert openapi_validator.problems(doc) == []


def test_docs_is_fastapis_swagger_ui_page(server):
    status, headers, page = fetch(server, "GET", "/docs")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert page == get_swagger_ui_html(openapi_url="/openapi.json", title="wshub - Swagger UI").body.decode()


def test_docs_url_moves_the_page_and_an_empty_one_turns_it_off(start_server):
    moved = start_server("--docs-url", "/api/docs")
    assert page_status(moved, "GET", "/api/docs") == 200
    assert page_status(moved, "GET", "/docs") == 404
    off = start_server(env={"DOCS_URL": ""})
    assert page_status(off, "GET", "/docs") == 404
    assert page_status(off, "GET", "/openapi.json") == 200
