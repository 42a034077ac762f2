"""`check_server`: is the URL a Mattermost server, and which version?"""

from __future__ import annotations

import socket

import httpx
import pytest
from client_helpers import MakeClient, json_response

from reconciler.client import Client, ServerInfo
from reconciler.errors import NotMattermostError, ServerError

PING = {
    "status": "OK",
    "AndroidLatestVersion": "",
    "AndroidMinVersion": "",
    "IosLatestVersion": "",
    "IosMinVersion": "",
    "ActiveSearchBackend": "database",
}
VERSION_ID = "10.11.0.18000000.4f1c2e0b9a.true"


def mattermost(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/api/v4/system/ping"):
        return json_response(PING, **{"X-Version-Id": VERSION_ID, "X-Request-Id": "r1"})
    return json_response({"id": "api.context.404.app_error"}, 404)


def test_reads_version_from_header(make_client: MakeClient) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return mattermost(request)

    client = make_client(handler, url="https://chat.example/mattermost/")
    info = client.check_server()
    assert info == ServerInfo(
        url="https://chat.example/mattermost",
        version="10.11.0",
        build="18000000",
        licensed_header=True,
    )
    assert seen[0].url.path == "/mattermost/api/v4/system/ping"
    assert "Authorization" not in seen[0].headers  # the ping is sent without the token


@pytest.mark.parametrize(
    ("version_id", "version", "build", "licensed"),
    [
        ("9.11.0.123.abc.false", "9.11.0", "123", False),
        ("9.11.1.9.11.1.deadbeef.true", "9.11.1", "9.11.1", True),
        ("10.0.0.dev..false", "10.0.0", "dev", False),
    ],
)
def test_version_id_shapes(
    make_client: MakeClient, version_id: str, version: str, build: str, licensed: bool
) -> None:
    client = make_client(lambda request: json_response(PING, **{"X-Version-Id": version_id}))
    info = client.check_server()
    assert (info.version, info.build, info.licensed_header) == (version, build, licensed)


def test_html_page_is_not_mattermost(make_client: MakeClient) -> None:
    page = "<!doctype html><html><title>Welcome to nginx!</title></html>"
    client = make_client(
        lambda request: httpx.Response(200, text=page, headers={"Content-Type": "text/html"})
    )
    with pytest.raises(NotMattermostError, match="answered 200 with an HTML page") as caught:
        client.check_server()
    assert "http://mm.test is not a Mattermost server" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_404_is_not_mattermost(make_client: MakeClient) -> None:
    client = make_client(lambda request: httpx.Response(404, text="404 page not found"))
    with pytest.raises(NotMattermostError, match="answered 404"):
        client.check_server()


def test_404_with_version_header_is_not_mattermost_api(make_client: MakeClient) -> None:
    """E.g. the URL points at .../api/v4 already: Mattermost answers 404 for the route."""
    client = make_client(
        lambda request: json_response(
            {"id": "api.context.404.app_error"}, 404, **{"X-Version-Id": VERSION_ID}
        ),
        url="http://mm.test/api/v4",
    )
    with pytest.raises(NotMattermostError, match=r"answered 404.*without /api/v4"):
        client.check_server()


def test_missing_version_header_is_not_mattermost(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(PING))
    with pytest.raises(NotMattermostError, match="without an X-Version-Id header"):
        client.check_server()


def test_wrong_json_is_not_mattermost(make_client: MakeClient) -> None:
    client = make_client(
        lambda request: json_response({"hello": "world"}, **{"X-Version-Id": VERSION_ID})
    )
    with pytest.raises(NotMattermostError, match="ping JSON"):
        client.check_server()


def test_garbage_version_header_is_not_mattermost(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(PING, **{"X-Version-Id": "v1"}))
    with pytest.raises(NotMattermostError, match="unrecognised X-Version-Id 'v1'"):
        client.check_server()


def test_redirect_is_explained(make_client: MakeClient) -> None:
    client = make_client(
        lambda request: httpx.Response(
            301, headers={"Location": "https://mm.test/api/v4/system/ping"}
        )
    )
    with pytest.raises(NotMattermostError, match=r"redirected \(301\) to 'https://mm\.test/"):
        client.check_server()


def test_unhealthy_server_is_a_server_error(make_client: MakeClient) -> None:
    client = make_client(
        lambda request: json_response({"status": "UNHEALTHY"}, 500, **{"X-Version-Id": VERSION_ID})
    )
    with pytest.raises(ServerError, match="GET /api/v4/system/ping failed: 500"):
        client.check_server()


def test_connection_failure(make_client: MakeClient) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = make_client(refuse, retries=2)
    with pytest.raises(ServerError) as caught:
        client.check_server()
    assert str(caught.value) == (
        "cannot reach http://mm.test: ConnectError: [Errno 111] Connection refused "
        "(after 3 attempts)"
    )


def test_connection_failure_over_real_sockets() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = Client(f"http://127.0.0.1:{port}", "t", retries=1, backoff_base=0.0)
    with client, pytest.raises(ServerError, match=rf"^cannot reach http://127\.0\.0\.1:{port}: "):
        client.check_server()
