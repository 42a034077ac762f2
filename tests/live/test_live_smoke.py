"""Live smoke tests: real Mattermost behaviour mmrc depends on, over the plain HTTP API.

Run with `pytest -m live` and MM_URL / MM_TOKEN set (see docs/ci.md); skipped
otherwise. Every team is named with the run prefix and removed at the end.
These pin what the reference notes claim (and the sandbox emulates): if a
server version disagrees, this is where it shows.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.live

# v9.9 and later; v9.0–9.8 sent app.team.save.existing.app_error.
DUPLICATE_TEAM_IDS = {
    "store.sql_team.save_team.existing.app_error",
    "app.team.save.existing.app_error",
}


def create_team(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.post(
        "/api/v4/teams", json={"name": name, "display_name": name[-30:], "type": "O"}
    )
    assert response.status_code == 201, response.text
    team: dict[str, Any] = response.json()
    assert team["name"] == name
    return team


def create_channel(client: httpx.Client, team_id: str, name: str) -> dict[str, Any]:
    response = client.post(
        "/api/v4/channels",
        json={"team_id": team_id, "name": name, "display_name": name, "type": "O"},
    )
    assert response.status_code == 201, response.text
    channel: dict[str, Any] = response.json()
    return channel


def error_id(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) >= {"id", "message", "status_code"}, body
    assert body["status_code"] == response.status_code
    return str(body["id"])


def test_ping_needs_no_token_and_the_version_is_a_header(live_url: str) -> None:
    response = httpx.get(f"{live_url}/api/v4/system/ping", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.json()["status"] == "OK"
    assert re.match(r"^\d+\.\d+\.\d+\.", response.headers["X-Version-Id"])
    assert response.headers.get("X-Request-Id")


def test_a_bad_token_is_401_session_expired(live_url: str) -> None:
    response = httpx.get(
        f"{live_url}/api/v4/users/me",
        headers={
            "Authorization": "Bearer notavalidtoken000000000000",
            "Accept-Encoding": "identity",
        },
    )
    assert response.status_code == 401
    assert error_id(response) == "api.context.session_expired.app_error"


def test_created_team_is_listed_and_its_name_is_taken(
    live_client: httpx.Client, run_prefix: str
) -> None:
    name = f"{run_prefix}-teams"
    team = create_team(live_client, name)
    assert team["type"] == "O"
    assert team["delete_at"] == 0

    listed = live_client.get("/api/v4/teams", params={"per_page": 200})
    assert listed.status_code == 200
    assert team["id"] in {t["id"] for t in listed.json()}

    by_name = live_client.get(f"/api/v4/teams/name/{name}")
    assert by_name.status_code == 200
    assert by_name.json()["id"] == team["id"]

    again = live_client.post(
        "/api/v4/teams", json={"name": name, "display_name": "again", "type": "O"}
    )
    assert again.status_code == 400
    assert error_id(again) in DUPLICATE_TEAM_IDS


def test_channel_patch_archive_restore_round_trip(
    live_client: httpx.Client, run_prefix: str
) -> None:
    team = create_team(live_client, f"{run_prefix}-chan")
    channel = create_channel(live_client, team["id"], "live-round-trip")
    assert channel["team_id"] == team["id"]
    assert channel["type"] == "O"

    patched = live_client.put(
        f"/api/v4/channels/{channel['id']}/patch",
        json={"purpose": "checked by mmrc", "header": "live"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["purpose"] == "checked by mmrc"
    assert patched.json()["header"] == "live"
    assert patched.json()["display_name"] == "live-round-trip"  # PATCH merges

    archived = live_client.delete(f"/api/v4/channels/{channel['id']}")
    assert archived.status_code == 200
    assert archived.json() == {"status": "OK"}

    by_id = live_client.get(f"/api/v4/channels/{channel['id']}")
    assert by_id.status_code == 200  # by id, archived channels are still returned
    assert by_id.json()["delete_at"] > 0

    by_name = live_client.get(f"/api/v4/teams/{team['id']}/channels/name/live-round-trip")
    assert by_name.status_code == 404
    assert error_id(by_name) == "app.channel.get_by_name.missing.app_error"
    with_deleted = live_client.get(
        f"/api/v4/teams/{team['id']}/channels/name/live-round-trip",
        params={"include_deleted": "true"},
    )
    assert with_deleted.status_code == 200
    assert with_deleted.json()["id"] == channel["id"]

    restored = live_client.post(f"/api/v4/channels/{channel['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["delete_at"] == 0


def test_an_archived_channel_keeps_its_name(live_client: httpx.Client, run_prefix: str) -> None:
    team = create_team(live_client, f"{run_prefix}-trap")
    channel = create_channel(live_client, team["id"], "live-archived-name")
    assert live_client.delete(f"/api/v4/channels/{channel['id']}").status_code == 200

    again = live_client.post(
        "/api/v4/channels",
        json={
            "team_id": team["id"],
            "name": "live-archived-name",
            "display_name": "again",
            "type": "O",
        },
    )
    assert again.status_code == 400
    assert error_id(again) == "store.sql_channel.save_channel.exists.app_error"
