"""Status → ApiError mapping, AppError parsing, one-line messages."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from client_helpers import MakeClient, app_error, json_response

from reconciler.errors import (
    ApiError,
    ClientError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    UnauthorizedError,
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ClientError),
        (401, UnauthorizedError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, ClientError),
        (501, ServerError),
        (500, ServerError),
    ],
)
def test_status_maps_to_error_class(make_client: MakeClient, status: int, cls: type) -> None:
    client = make_client(lambda request: app_error(status, "some.id", "msg"))
    with pytest.raises(ApiError) as caught:
        client.get("/api/v4/x")
    assert type(caught.value) is cls
    assert caught.value.status == status


def test_message_is_one_line_with_ids(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return app_error(400, "app.channel.update.bad_id", "Invalid\nchannel id.", request_id="xyz")

    client = make_client(handler)
    with pytest.raises(ClientError) as caught:
        client.put("/api/v4/channels/c1/patch", {"header": "x"})
    error = caught.value
    assert str(error) == (
        "PUT /api/v4/channels/c1/patch failed: 400 app.channel.update.bad_id: "
        "Invalid channel id. (request id: xyz)"
    )
    assert (error.method, error.path, error.status) == ("PUT", "/api/v4/channels/c1/patch", 400)
    assert error.error_id == "app.channel.update.bad_id"
    assert error.request_id == "xyz"
    assert error.server_message == "Invalid channel id."


def test_request_id_falls_back_to_header(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"id": "a.b", "message": "m"}, 403, **{"X-Request-Id": "hdr"})

    client = make_client(handler)
    with pytest.raises(ForbiddenError) as caught:
        client.get("/api/v4/teams")
    assert caught.value.request_id == "hdr"
    assert str(caught.value).endswith("(request id: hdr)")


def test_query_string_is_not_in_the_error(make_client: MakeClient) -> None:
    client = make_client(lambda request: app_error(404, "x.y", "gone"))
    with pytest.raises(NotFoundError) as caught:
        client.get("/api/v4/users/search?term=secretish", {"q": "v"})
    assert caught.value.path == "/api/v4/users/search"
    assert "secretish" not in str(caught.value)
    assert "?" not in str(caught.value)


def test_text_plain_429_body(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            text="limit exceeded\n",
            headers={"Content-Type": "text/plain", "Retry-After": "1", "X-Request-Id": "r9"},
        )

    client = make_client(handler, retries=1)
    with pytest.raises(ClientError) as caught:
        client.get("/api/v4/teams")
    assert str(caught.value) == "GET /api/v4/teams failed: 429 limit exceeded (request id: r9)"
    assert caught.value.error_id is None
    assert caught.value.server_message == "limit exceeded"


def test_html_error_body_is_not_dumped(make_client: MakeClient) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1>" + "x" * 5000 + "</body></html>"
    client = make_client(
        lambda request: httpx.Response(502, text=page, headers={"Content-Type": "text/html"}),
        retries=0,
    )
    with pytest.raises(ServerError) as caught:
        client.get("/api/v4/teams")
    assert str(caught.value) == "GET /api/v4/teams failed: 502 non-JSON answer (text/html)"


def test_hardened_mode_500(make_client: MakeClient) -> None:
    client = make_client(lambda request: app_error(500, "", "Internal Server Error", "r"))
    with pytest.raises(ServerError) as caught:
        client.get("/api/v4/teams")
    assert (
        str(caught.value) == "GET /api/v4/teams failed: 500 Internal Server Error (request id: r)"
    )
    assert caught.value.error_id is None


def test_empty_error_body_uses_reason_phrase(make_client: MakeClient) -> None:
    client = make_client(lambda request: httpx.Response(405))
    with pytest.raises(ClientError, match=r"failed: 405 Method Not Allowed$"):
        client.delete("/api/v4/teams/t")


def test_unexpected_redirect_is_an_error(make_client: MakeClient) -> None:
    client = make_client(
        lambda request: httpx.Response(302, headers={"Location": "https://sso.example/login"})
    )
    with pytest.raises(ApiError, match=re.escape("redirect to 'https://sso.example/login'")):
        client.get("/api/v4/teams")


def test_success_bodies(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/hooks/abc":
            return httpx.Response(200, text="ok", headers={"Content-Type": "text/plain"})
        if request.method == "DELETE":
            return httpx.Response(204)
        return json_response({"status": "OK"})

    client = make_client(handler)
    assert client.post("/hooks/abc", {"text": "hi"}) == "ok"
    assert client.delete("/api/v4/teams/t") is None
    assert client.put("/api/v4/teams/t/patch", {}) == {"status": "OK"}


def test_paths_must_be_relative(make_client: MakeClient) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({})

    client = make_client(handler)
    with pytest.raises(ValueError, match="must start with '/'"):
        client.get("https://elsewhere.example/api/v4/users/me")
    assert seen == []


def test_request_shape(make_client: MakeClient) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({})

    client = make_client(handler, url="https://mm.test/chat/", token=" tok \n")
    client.post("/api/v4/teams", {"name": "a"})
    request = seen[0]
    assert str(request.url) == "https://mm.test/chat/api/v4/teams"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["User-Agent"].startswith("mmrc/")
    assert json.loads(request.read()) == {"name": "a"}


def test_invalid_url() -> None:
    from reconciler.client import Client

    with pytest.raises(ApiError, match="invalid server URL"):
        Client("mm.example.com", "t")
