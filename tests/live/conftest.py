"""The live suite: tests that talk to a real Mattermost named by MM_URL / MM_TOKEN.

Live tests live in this directory and carry `@pytest.mark.live`. pyproject's
`-m 'not live'` deselects them by default; `pytest -m live` runs them, and
without MM_URL and MM_TOKEN each one is skipped with the reason. Start a server
with `docker compose up -d && eval "$(scripts/bootstrap-mattermost.sh)"`.

Every team a test creates must have a name starting with `run_prefix`
(`mmrc-live-<8 hex>`, new each run). When the session ends every team with that
prefix is deleted: permanently where the server allows it
(`ServiceSettings.EnableAPITeamDeletion`), soft-deleted otherwise (all a
default server allows).

With MMRC_RECORD_CASSETTES=1 each live test's HTTP exchanges are recorded by
vcrpy into `tests/cassettes/<test name>.yaml`, scrubbed of the token, cookies,
passwords, integration tokens and incoming-hook ids, and each cassette starts
with `GET /api/v4/users/me` so a replay can map the recorded admin to its own.
A test module that sets `RECORD_CASSETTES = False` is not recorded (see
test_live_scenarios.py for why).
`tests/test_cassette_replay.py` replays them against the sandbox.
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CASSETTE_DIR = Path(__file__).resolve().parent.parent / "cassettes"
RECORD_ENV = "MMRC_RECORD_CASSETTES"
REDACTED_AUTH = "Bearer REDACTED"  # what a recorded request with the real token carries
FAKE_SETTING = "*" * 32  # Mattermost's mask for secrets in GET /config
SKIP_REASON = "live test: set MM_URL and MM_TOKEN to a Mattermost server (see docs/ci.md)"

# JSON keys whose values are secrets, by the end of their lower-cased name.
_SECRET_KEY_ENDINGS = (
    "token",
    "password",
    "secret",
    "salt",
    "secretaccesskey",
    "datasource",
    "encryptkey",
)
_DROPPED_RESPONSE_HEADERS = frozenset({"set-cookie", "token", "content-length"})


def _live_env() -> tuple[str, str]:
    return os.environ.get("MM_URL", "").strip().rstrip("/"), os.environ.get("MM_TOKEN", "").strip()


def _recording() -> bool:
    return os.environ.get(RECORD_ENV) == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this directory's live tests (with the reason) when no server is named."""
    url, token = _live_env()
    if url and token:
        return
    here = Path(__file__).resolve().parent
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("live") and here in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Cleanup notes from the live scenarios (e.g. a server without an endpoint they use)."""
    kit = sys.modules.get("live_scenario_kit")
    for note in dict.fromkeys(getattr(kit, "NOTES", ())):
        terminalreporter.write_line(f"live cleanup: {note}")


# -- the server --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_url() -> str:
    url, _ = _live_env()
    if not url:
        pytest.skip(SKIP_REASON)
    return url


@pytest.fixture(scope="session")
def live_token() -> str:
    _, token = _live_env()
    if not token:
        pytest.skip(SKIP_REASON)
    return token


@pytest.fixture(scope="session")
def live_client(live_url: str, live_token: str) -> Iterator[httpx.Client]:
    """An httpx client for the server, authenticated with MM_TOKEN (checked once)."""
    with httpx.Client(
        base_url=live_url,
        headers={
            "Authorization": f"Bearer {live_token}",
            "Accept-Encoding": "identity",  # cassettes keep readable bodies
            "X-Requested-With": "XMLHttpRequest",
        },
        timeout=30.0,
    ) as client:
        me = client.get("/api/v4/users/me")
        if me.status_code != 200:
            pytest.fail(
                f"MM_TOKEN is not accepted by {live_url}: GET /api/v4/users/me → {me.status_code}"
            )
        yield client


@pytest.fixture(scope="session")
def run_prefix(live_url: str, live_token: str) -> Iterator[str]:
    """`mmrc-live-<8 hex>`: the name prefix of every team this run creates; they are
    deleted when the session ends."""
    prefix = f"mmrc-live-{secrets.token_hex(4)}"
    yield prefix
    problems = _delete_teams_with_prefix(live_url, live_token, prefix)
    if problems:
        raise AssertionError(
            "live cleanup left teams behind:\n" + "\n".join(f"  {p}" for p in problems)
        )


def _delete_teams_with_prefix(url: str, token: str, prefix: str) -> list[str]:
    problems: list[str] = []
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30.0
    ) as client:
        teams: list[dict[str, Any]] = []
        page = 0
        while True:  # GET /teams includes soft-deleted teams
            response = client.get("/api/v4/teams", params={"page": page, "per_page": 200})
            if response.status_code != 200:
                return [f"GET /api/v4/teams → {response.status_code}: {response.text[:200]}"]
            batch = response.json()
            teams.extend(batch)
            if len(batch) < 200:
                break
            page += 1
        for team in teams:
            if not str(team.get("name", "")).startswith(prefix):
                continue
            path = f"/api/v4/teams/{team['id']}"
            permanent = client.delete(path, params={"permanent": "true"})
            if permanent.status_code == 200:
                continue
            if team.get("delete_at"):
                continue  # already soft-deleted, and the server keeps deleted teams
            soft = client.delete(path)
            if soft.status_code != 200:
                problems.append(f"{team['name']}: DELETE {path} → {soft.status_code}")
    return problems


# -- recording -----------------------------------------------------------------------------------


class Scrubber:
    """Removes secrets from recorded exchanges, replacing each secret value by a stable
    26-character placeholder so a replay can still follow it (a hook id recorded in one
    answer and used in a later path maps to the same placeholder in both)."""

    def __init__(self, token: str = "") -> None:
        self.token = token
        self.replacements: dict[str, str] = {}

    def placeholder(self, value: str, kind: str) -> str:
        if value not in self.replacements:
            stem = f"x{kind}"
            self.replacements[value] = stem + str(len(self.replacements) + 1).zfill(26 - len(stem))
        return self.replacements[value]

    def substitute(self, text: str) -> str:
        for secret in sorted(self.replacements, key=len, reverse=True):
            text = text.replace(secret, self.replacements[secret])
        if self.token:
            text = text.replace(self.token, "REDACTED")
        return text

    def scrub_json(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self.scrub_json(item) for item in data]
        if not isinstance(data, dict):
            return data
        out: dict[str, Any] = {}
        incoming_hook = "channel_locked" in data  # incoming-hook ids are the hook's credential
        for key, value in data.items():
            lowered = key.lower()
            if (
                isinstance(value, str)
                and value
                and value != FAKE_SETTING
                and lowered.endswith(_SECRET_KEY_ENDINGS)
            ):
                out[key] = self.placeholder(value, "secret")
            elif incoming_hook and key == "id" and isinstance(value, str) and value:
                out[key] = self.placeholder(value, "hook")
            else:
                out[key] = self.scrub_json(value)
        return out

    def scrub_body(self, body: bytes | str | None) -> bytes | str | None:
        if not body:
            return body
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            data = json.loads(text)
        except ValueError:
            scrubbed = self.substitute(text)
        else:
            scrubbed = self.substitute(json.dumps(self.scrub_json(data), separators=(",", ":")))
        return scrubbed.encode() if isinstance(body, bytes) else scrubbed

    def request(self, request: Any) -> Any:
        """vcrpy's before_record_request."""
        request = copy.deepcopy(request)
        for name in list(request.headers):
            lowered = name.lower()
            if lowered == "cookie":
                del request.headers[name]
            elif lowered == "authorization" and self.token and self.token in request.headers[name]:
                request.headers[name] = REDACTED_AUTH
            else:
                # A token met earlier (a new PAT) becomes its placeholder; a deliberately bad
                # token stays as sent, so the replay sends it too.
                request.headers[name] = self.substitute(str(request.headers[name]))
        request.body = self.scrub_body(request.body)
        request.uri = self.substitute(request.uri)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy's before_record_response."""
        response = copy.deepcopy(response)
        response["headers"] = {
            name: values
            for name, values in response.get("headers", {}).items()
            if name.lower() not in _DROPPED_RESPONSE_HEADERS
        }
        body = response.get("body", {})
        if "string" in body:
            body["string"] = self.scrub_body(body["string"])
        return response


def cassette_path(test_name: str) -> Path:
    return CASSETTE_DIR / (re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_") + ".yaml")


@pytest.fixture
def cassette_scrubber() -> type[Scrubber]:
    """The Scrubber class, for the recorder's own tests."""
    return Scrubber


@pytest.fixture(autouse=True)
def _record_cassette(request: pytest.FixtureRequest) -> Iterator[None]:
    """With MMRC_RECORD_CASSETTES=1, record a live test into tests/cassettes/<test>.yaml."""
    if (
        not _recording()
        or request.node.get_closest_marker("live") is None
        or getattr(request.module, "RECORD_CASSETTES", True) is False
    ):
        yield
        return
    import vcr

    client: httpx.Client = request.getfixturevalue("live_client")
    token: str = request.getfixturevalue("live_token")
    path = cassette_path(request.node.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # record_mode "all" would keep old interactions
    scrubber = Scrubber(token)
    recorder = vcr.VCR(
        record_mode="all",
        decode_compressed_response=True,
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
    )
    with recorder.use_cassette(str(path)):
        client.get("/api/v4/users/me")  # the anchor a replay maps the admin's id from
        yield
