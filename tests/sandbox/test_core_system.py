"""System endpoints, auth and headers."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sandbox_helpers import ADMIN_TOKEN, ID_RE, add_user, assert_error, make_sandbox, set_config

from reconciler.sandbox import Sandbox


def test_ping_needs_no_auth_and_has_the_exact_body(
    client_for: Callable[[str | None], httpx.Client],
) -> None:
    response = client_for(None).get("/api/v4/system/ping")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "OK",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
        "ActiveSearchBackend": "database",
    }
    assert response.headers["x-version-id"].startswith("11.1.0.")
    assert response.headers["x-version-id"].endswith(".true")
    assert ID_RE.match(response.headers["x-request-id"])


def test_ping_with_server_status(http: httpx.Client) -> None:
    body = http.get("/api/v4/system/ping?get_server_status=true").json()
    assert body["database_status"] == "OK"
    assert body["filestore_status"] == "OK"


def test_client_license_licensed_and_formats(http: httpx.Client) -> None:
    body = http.get("/api/v4/license/client?format=old").json()
    assert body["IsLicensed"] == "true"
    assert body["GuestAccounts"] == "true"
    assert all(isinstance(v, str) for v in body.values())
    assert_error(http.get("/api/v4/license/client"), 501, "api.license.client.old_format.app_error")
    assert_error(
        http.get("/api/v4/license/client?format=new"),
        400,
        "api.context.invalid_url_param.app_error",
    )


def test_client_license_unlicensed() -> None:
    sb = make_sandbox(licensed=False)
    with httpx.Client(transport=_transport(sb), base_url="http://sb") as client:
        response = client.get("/api/v4/license/client?format=old")
    assert response.json() == {"IsLicensed": "false"}
    assert response.headers["x-version-id"].endswith(".false")


def _transport(sb: Sandbox) -> httpx.BaseTransport:
    from reconciler.sandbox.server import SandboxTransport

    return SandboxTransport(sb)


def test_missing_and_bad_tokens_are_401(client_for: Callable[[str | None], httpx.Client]) -> None:
    assert_error(
        client_for(None).get("/api/v4/users/me"), 401, "api.context.session_expired.app_error"
    )
    assert_error(
        client_for("nope").get("/api/v4/users/me"), 401, "api.context.session_expired.app_error"
    )


def test_token_header_forms_and_cookie(url: str) -> None:
    for headers in (
        {"Authorization": f"Bearer {ADMIN_TOKEN}"},
        {"Authorization": f"bearer {ADMIN_TOKEN}"},
        {"Authorization": f"Token {ADMIN_TOKEN}"},
        {"Authorization": f"TOKEN {ADMIN_TOKEN}"},
        {"Cookie": f"MMAUTHTOKEN={ADMIN_TOKEN}"},
    ):
        response = httpx.get(f"{url}/api/v4/users/me", headers=headers)
        assert response.status_code == 200, headers
        assert response.json()["username"] == "sysadmin"


def test_generated_admin_token_when_none_given() -> None:
    sb = Sandbox()
    assert sb.options.admin_token
    assert sb.core.admin_token == sb.options.admin_token
    admin = sb.core.user(sb.core.admin_user_id)
    assert admin is not None and admin.roles == "system_admin system_user"


def test_unknown_route_and_method(http: httpx.Client) -> None:
    """The router's 404, for an unknown path and an unknown method alike (real server): no
    request id, a detailed error naming the path."""
    for response, path in (
        (http.get("/api/v4/nothing/here"), "/api/v4/nothing/here"),
        (http.delete("/api/v4/system/ping"), "/api/v4/system/ping"),
        (http.get("/api/v4/teams/not-an-id"), "/api/v4/teams/not-an-id"),
    ):
        assert response.status_code == 404
        body = response.json()
        assert set(body) == {"id", "message", "detailed_error", "status_code"}
        assert body["id"] == "api.context.404.app_error"
        assert f"url='{path}'" in body["detailed_error"]
        assert "x-request-id" not in response.headers and "x-version-id" not in response.headers


def test_personal_access_tokens(
    sandbox: Sandbox, http: httpx.Client, client_for: Callable[[str | None], httpx.Client]
) -> None:
    alice = add_user(sandbox, "alice")
    assert_error(
        http.post(f"/api/v4/users/{alice.id}/tokens", json={"description": "ci"}),
        501,
        "app.user_access_token.disabled",
    )
    set_config(sandbox, "ServiceSettings.EnableUserAccessTokens", True)
    assert_error(
        http.post(f"/api/v4/users/{alice.id}/tokens", json={}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    created = http.post(f"/api/v4/users/{alice.id}/tokens", json={"description": "ci"})
    assert created.status_code == 200
    token = created.json()
    assert set(token) == {"id", "token", "user_id", "description", "is_active"}
    assert token["user_id"] == alice.id and token["is_active"] is True
    as_alice = client_for(token["token"])
    assert as_alice.get("/api/v4/users/me").json()["id"] == alice.id
    # a plain user cannot mint tokens (create_user_access_token is not in system_user)
    assert_error(
        as_alice.post(f"/api/v4/users/{alice.id}/tokens", json={"description": "x"}),
        403,
        "api.context.permissions.app_error",
    )
    # disabling PATs makes the user's token stop working
    set_config(sandbox, "ServiceSettings.EnableUserAccessTokens", False)
    assert as_alice.get("/api/v4/users/me").status_code == 401
    set_config(sandbox, "ServiceSettings.EnableUserAccessTokens", True)
    assert http.post("/api/v4/users/tokens/revoke", json={"token_id": token["id"]}).json() == {
        "status": "OK"
    }
    assert as_alice.get("/api/v4/users/me").status_code == 401
    assert_error(
        http.post("/api/v4/users/tokens/revoke", json={"token_id": token["id"]}),
        404,
        "app.user_access_token.get_by_id.app_error",
    )


def test_bot_tokens_work_with_pats_disabled(
    sandbox: Sandbox, http: httpx.Client, client_for: Callable[[str | None], httpx.Client]
) -> None:
    set_config(sandbox, "ServiceSettings.EnableBotAccountCreation", True)
    bot = http.post("/api/v4/bots", json={"username": "n8n-bot"}).json()
    created = http.post(f"/api/v4/users/{bot['user_id']}/tokens", json={"description": "n8n"})
    assert created.status_code == 200
    me = client_for(created.json()["token"]).get("/api/v4/users/me").json()
    assert me["is_bot"] is True and me["username"] == "n8n-bot"
