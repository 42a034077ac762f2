"""Replay recorded Mattermost exchanges (tests/cassettes/*.yaml) against the sandbox.

Each cassette is a vcrpy recording made on the real server of
`scripts/real-mattermost` (MMRC_RECORD_CASSETTES=1): the live smoke tests (see
tests/live/conftest.py) and the real runs of the contract tests
(tests/contract/conftest.py, `contract_*.yaml`). Every recorded
request is sent, in order, to a fresh in-process sandbox, and the sandbox must
answer with the same status code, a JSON body with at least the recorded field
names (recursively; first element of arrays), the same AppError id for errors,
and the same Mattermost headers.

Ids differ between the recording and the sandbox, so the replay learns a map
as answers come back: walking the recorded and the sandbox JSON side by side,
each recorded 26-character id maps to the sandbox's, and later request paths,
bodies and tokens are rewritten with it. A recorded `Authorization: Bearer
REDACTED` (the real token, scrubbed) is sent as the sandbox admin's token.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.server import SandboxTransport, running

CASSETTE_DIR = Path(__file__).parent / "cassettes"
CASSETTES = sorted(CASSETTE_DIR.glob("*.yaml"))
ADMIN_TOKEN = "replayadmintoken0000000000"
REDACTED_AUTH = "Bearer REDACTED"
MATTERMOST_HEADERS = ("X-Version-Id", "X-Request-Id")
_ID = re.compile(r"^[a-z0-9]{26}$")
_NOT_MAPPED = frozenset({"request_id"})  # differs on every answer by design


@dataclass(frozen=True)
class Interaction:
    method: str
    target: str  # path and query
    headers: dict[str, str]  # lower-cased names
    body: bytes
    status: int
    response_headers: dict[str, list[str]]  # lower-cased names
    response_body: bytes

    @property
    def label(self) -> str:
        return f"{self.method} {self.target}"

    def response_json(self) -> Any:
        if not _is_json(self.response_headers.get("content-type", [""])[0]):
            return None
        return json.loads(self.response_body or b"null")


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    return value.encode() if isinstance(value, str) else bytes(value)


def load_cassette(path: Path) -> list[Interaction]:
    requests, responses, *_ = deserialize(path.read_text(encoding="utf-8"), yamlserializer)
    interactions = []
    for request, response in zip(requests, responses, strict=True):
        parts = urlsplit(request.uri)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        interactions.append(
            Interaction(
                method=request.method.upper(),
                target=target,
                headers={k.lower(): str(v) for k, v in request.headers.items()},
                body=_as_bytes(request.body),
                status=int(response["status"]["code"]),
                response_headers={
                    k.lower(): [str(v) for v in (vs if isinstance(vs, list) else [vs])]
                    for k, vs in response.get("headers", {}).items()
                },
                response_body=_as_bytes(response.get("body", {}).get("string")),
            )
        )
    return interactions


# -- comparing answers ---------------------------------------------------------------------------


def missing_fields(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """Where `actual` lacks a field `recorded` has (objects recursively, arrays by their first
    element), or has another JSON type."""
    if isinstance(recorded, dict):
        if not isinstance(actual, dict):
            return [f"{where}: object expected, got {type(actual).__name__}"]
        if recorded and all(_ID.match(key) for key in (*recorded, *actual)):
            # a map keyed by ids (a post list's `posts`): as many entries, shaped alike
            if len(actual) != len(recorded):
                return [f"{where}: {len(actual)} entries, recorded {len(recorded)}"]
            first = next(iter(actual.values()), None)
            return missing_fields(next(iter(recorded.values())), first, f"{where}.{{id}}")
        problems = []
        for key, value in recorded.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems.extend(missing_fields(value, actual[key], f"{where}.{key}"))
        return problems
    if isinstance(recorded, list):
        if not isinstance(actual, list):
            return [f"{where}: array expected, got {type(actual).__name__}"]
        if recorded and actual:
            return missing_fields(recorded[0], actual[0], f"{where}[0]")
        if recorded and not actual:
            return [f"{where}: empty array, recorded {len(recorded)} element(s)"]
    return []


@dataclass
class IdMap:
    """Recorded ids (and scrubbed placeholders) → the sandbox's, learnt from parallel answers."""

    ids: dict[str, str] = field(default_factory=dict)

    def learn(self, recorded: Any, actual: Any) -> None:
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, value in recorded.items():
                if key in _NOT_MAPPED or key not in actual:
                    continue
                other = actual[key]
                if isinstance(value, str) and isinstance(other, str):
                    if _ID.match(value) and other and value != other:
                        self.ids.setdefault(value, other)
                else:
                    self.learn(value, other)
        elif isinstance(recorded, list) and isinstance(actual, list):
            for rec_item, act_item in self._pair(recorded, actual):
                self.learn(rec_item, act_item)

    @staticmethod
    def _pair(recorded: list[Any], actual: list[Any]) -> list[tuple[Any, Any]]:
        """Objects with a `name` pair by name (lists are not always in the same order)."""
        if all(isinstance(i, dict) and "name" in i for i in recorded + actual):
            by_name = {item["name"]: item for item in actual}
            return [(item, by_name[item["name"]]) for item in recorded if item["name"] in by_name]
        return list(zip(recorded, actual, strict=False))

    def apply(self, text: str) -> str:
        for recorded in sorted(self.ids, key=len, reverse=True):
            text = text.replace(recorded, self.ids[recorded])
        return text


def compare(interaction: Interaction, response: httpx.Response) -> list[str]:
    """Differences between a recorded answer and the sandbox's."""
    problems: list[str] = []
    if response.status_code != interaction.status:
        problems.append(f"status {response.status_code}, recorded {interaction.status}")
    for header in MATTERMOST_HEADERS:
        if header.lower() in interaction.response_headers and header not in response.headers:
            problems.append(f"header {header} missing")
    recorded_type = interaction.response_headers.get("content-type", [""])[0]
    if recorded_type and _is_json(recorded_type) != _is_json(
        response.headers.get("content-type", "")
    ):
        problems.append(
            f"Content-Type {response.headers.get('content-type')!r}, recorded {recorded_type!r}"
        )
        return problems
    recorded = interaction.response_json()
    if recorded is None:
        if not _is_json(recorded_type) and response.content != interaction.response_body:
            problems.append(
                f"body {response.content[:80]!r}, recorded {interaction.response_body[:80]!r}"
            )
        return problems
    actual = response.json()
    problems.extend(missing_fields(recorded, actual))
    if (
        interaction.status >= 400
        and isinstance(recorded, dict)
        and "id" in recorded
        and isinstance(actual, dict)
        and actual.get("id") != recorded["id"]
    ):
        problems.append(f"error id {actual.get('id')!r}, recorded {recorded['id']!r}")
    return problems


# -- replaying ----------------------------------------------------------------------------------


def replay(interactions: list[Interaction], client: httpx.Client) -> list[str]:
    """Send every recorded request in order; return every difference, labelled."""
    ids = IdMap()
    problems: list[str] = []
    for number, interaction in enumerate(interactions, start=1):
        headers = {}
        auth = interaction.headers.get("authorization")
        if auth is not None:
            headers["Authorization"] = (
                f"Bearer {ADMIN_TOKEN}" if auth == REDACTED_AUTH else ids.apply(auth)
            )
        if "content-type" in interaction.headers:
            headers["Content-Type"] = interaction.headers["content-type"]
        body = ids.apply(interaction.body.decode("utf-8")).encode() if interaction.body else None
        response = client.request(
            interaction.method, ids.apply(interaction.target), headers=headers, content=body
        )
        for problem in compare(interaction, response):
            problems.append(f"#{number} {interaction.label}: {problem}")
        recorded = interaction.response_json()
        if recorded is not None and _is_json(response.headers.get("content-type", "")):
            ids.learn(recorded, response.json())
    return problems


@pytest.fixture
def sandbox_client() -> Iterator[httpx.Client]:
    sandbox = Sandbox(SandboxOptions(admin_token=ADMIN_TOKEN))
    transport = SandboxTransport(sandbox)
    with httpx.Client(transport=transport, base_url="http://sandbox.invalid") as client:
        yield client


@pytest.mark.parametrize(
    "cassette",
    CASSETTES
    or [pytest.param(None, marks=pytest.mark.skip(reason="no cassettes in tests/cassettes/"))],
    ids=lambda path: path.stem if isinstance(path, Path) else "none",
)
def test_sandbox_answers_like_the_recorded_server(
    cassette: Path, sandbox_client: httpx.Client
) -> None:
    interactions = load_cassette(cassette)
    assert interactions, f"{cassette.name} holds no interactions"
    problems = replay(interactions, sandbox_client)
    assert not problems, f"{cassette.name}: the sandbox differs from the recording:\n" + "\n".join(
        problems
    )


# -- the machinery itself ------------------------------------------------------------------------


def test_missing_fields_recurses_into_objects_and_first_array_elements() -> None:
    recorded = {"a": 1, "b": {"c": 2, "d": None}, "l": [{"x": 1}], "e": []}
    actual = {"a": 5, "b": {"d": {"deep": 1}}, "l": [{"y": 1}, {"x": 1}], "e": [1], "extra": 1}
    assert missing_fields(recorded, actual) == ["$.b.c: missing", "$.l[0].x: missing"]
    assert missing_fields([{"id": "x"}], {"id": "x"}) == ["$: array expected, got dict"]
    assert missing_fields({"teams": [1]}, {"teams": []}) == [
        "$.teams: empty array, recorded 1 element(s)"
    ]


def test_id_map_follows_ids_through_nested_answers_and_rewrites_requests() -> None:
    rec_team, sb_team = "a" * 26, "b" * 26
    rec_chan, sb_chan = "c" * 26, "d" * 26
    ids = IdMap()
    ids.learn(
        [{"name": "town-square", "id": rec_chan, "team_id": rec_team, "request_id": "e" * 26}],
        [
            {"name": "off-topic", "id": "f" * 26, "team_id": sb_team},
            {"name": "town-square", "id": sb_chan, "team_id": sb_team, "request_id": "g" * 26},
        ],
    )
    assert ids.ids == {rec_chan: sb_chan, rec_team: sb_team}
    assert ids.apply(f"/api/v4/teams/{rec_team}/channels/{rec_chan}") == (
        f"/api/v4/teams/{sb_team}/channels/{sb_chan}"
    )


def _interaction(status: int, body: Any, content_type: str = "application/json") -> Interaction:
    return Interaction(
        method="GET",
        target="/x",
        headers={},
        body=b"",
        status=status,
        response_headers={"content-type": [content_type], "x-version-id": ["10.11.0.1.x.true"]},
        response_body=json.dumps(body).encode() if content_type == "application/json" else body,
    )


def test_compare_catches_status_error_id_header_and_content_type_differences() -> None:
    error = {"id": "store.sql_channel.save_channel.exists.app_error", "message": "m"}
    recorded = _interaction(400, error)
    same = httpx.Response(400, json={**error, "request_id": "r"}, headers={"X-Version-Id": "v"})
    assert compare(recorded, same) == []
    other = httpx.Response(
        500, json={"id": "app.other", "message": "m"}, headers={"X-Version-Id": "v"}
    )
    assert compare(recorded, other) == [
        "status 500, recorded 400",
        "error id 'app.other', recorded 'store.sql_channel.save_channel.exists.app_error'",
    ]
    no_header = httpx.Response(400, json=error)
    assert compare(recorded, no_header) == ["header X-Version-Id missing"]
    text = httpx.Response(
        400, text="limit exceeded\n", headers={"X-Version-Id": "v", "Content-Type": "text/plain"}
    )
    assert compare(recorded, text)[0].startswith("Content-Type 'text/plain'")


def test_replay_maps_ids_and_reports_every_difference() -> None:
    """A tiny fake server standing in for the sandbox: ids differ from the recording."""
    rec_id, served_id = "r" * 26, "s" * 26
    seen: list[tuple[str, str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, request.headers.get("authorization", "")))
        if request.method == "POST":
            return httpx.Response(
                201, json={"id": served_id, "name": "t"}, headers={"X-Version-Id": "v"}
            )
        return httpx.Response(
            404, json={"id": "wrong.id", "message": ""}, headers={"X-Version-Id": "v"}
        )

    recorded = [
        Interaction("POST", "/api/v4/teams", {"authorization": REDACTED_AUTH, "content-type": "application/json"},
                    b'{"name":"t"}', 201, {"content-type": ["application/json"]},
                    json.dumps({"id": rec_id, "name": "t", "type": "O"}).encode()),
        Interaction("GET", f"/api/v4/teams/{rec_id}/channels/name/x", {"authorization": "Bearer bad"},
                    b"", 404, {"content-type": ["application/json"], "x-version-id": ["v"]},
                    b'{"id":"app.channel.get_by_name.missing.app_error","message":""}'),
    ]  # fmt: skip
    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://fake") as client:
        problems = replay(recorded, client)
    assert seen == [
        ("POST", "/api/v4/teams", f"Bearer {ADMIN_TOKEN}"),
        ("GET", f"/api/v4/teams/{served_id}/channels/name/x", "Bearer bad"),
    ]
    assert problems == [
        "#1 POST /api/v4/teams: $.type: missing",
        f"#2 GET /api/v4/teams/{rec_id}/channels/name/x: error id 'wrong.id', "
        "recorded 'app.channel.get_by_name.missing.app_error'",
    ]


def test_the_cassettes_were_recorded_on_the_real_server() -> None:
    """Every cassette is a recording (the hand-written one is gone): the contract tests' real
    runs and the live smoke tests, each anchored on GET /api/v4/users/me."""
    names = [path.name for path in CASSETTES]
    assert sum(name.startswith("contract_") for name in names) >= 30
    for path in CASSETTES:
        first = load_cassette(path)[0]
        assert first.label == "GET /api/v4/users/me", path.name
        assert "NOT recorded" not in path.read_text(encoding="utf-8")[:500], path.name


def _live_recorder() -> Any:
    """tests/live/conftest.py (the recorder the live workflow uses), loaded by path."""
    path = Path(__file__).parent / "live" / "conftest.py"
    spec = importlib.util.spec_from_file_location("mmrc_live_recorder", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_scrubbed_recording_of_a_server_replays_against_a_fresh_sandbox(
    tmp_path: Path, sandbox_client: httpx.Client
) -> None:
    """Record over real HTTP exactly as the live suite does (vcrpy + the scrubber), with a
    sandbox standing in for Mattermost: no secret reaches the file, and the replay machinery
    follows the scrubbed hook id and token placeholders to a fresh sandbox's own."""
    import vcr

    recorder = _live_recorder()
    token = "recordadmintoken0000000000"
    source = Sandbox(SandboxOptions(admin_token=token))
    path = tmp_path / "round_trip.yaml"
    scrubber = recorder.Scrubber(token)
    cassette = vcr.VCR(
        record_mode="all",
        decode_compressed_response=True,
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
    )
    auth = {"Authorization": f"Bearer {token}"}
    with running(source) as server, cassette.use_cassette(str(path)):
        with httpx.Client(base_url=server.url, headers=auth) as client:
            me = client.get("/api/v4/users/me").json()
            patched = client.put(
                "/api/v4/config/patch", json={"ServiceSettings": {"EnableUserAccessTokens": True}}
            )
            assert patched.status_code == 200, patched.text
            team = client.post(
                "/api/v4/teams", json={"name": "recorded", "display_name": "R", "type": "O"}
            ).json()
            channel = client.post(
                "/api/v4/channels",
                json={"team_id": team["id"], "name": "alerts", "display_name": "A", "type": "O"},
            ).json()
            hook = client.post(
                "/api/v4/hooks/incoming", json={"channel_id": channel["id"], "display_name": "H"}
            ).json()
            assert client.get(f"/api/v4/hooks/incoming/{hook['id']}").status_code == 200
            pat = client.post(f"/api/v4/users/{me['id']}/tokens", json={"description": "d"})
            assert pat.status_code == 200, pat.text
            pat_token = pat.json()["token"]
            as_pat = client.get(
                "/api/v4/users/me", headers={"Authorization": f"Bearer {pat_token}"}
            )
            assert as_pat.status_code == 200
        posted = httpx.post(f"{server.url}/hooks/{hook['id']}", json={"text": "hello"})
        assert posted.status_code == 200
        bad = httpx.get(f"{server.url}/api/v4/users/me", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401

    text = path.read_text(encoding="utf-8")
    for secret in (token, hook["id"], pat_token):
        assert secret not in text
    assert "Bearer REDACTED" in text and "Bearer nope" in text
    assert "xhook" in text and "xsecret" in text
    interactions = load_cassette(path)
    assert [i.label for i in interactions][-2:] == [
        "POST /hooks/" + scrubber.replacements[hook["id"]],
        "GET /api/v4/users/me",
    ]
    assert replay(interactions, sandbox_client) == []
