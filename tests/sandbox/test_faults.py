"""Fault injection, rate limiting, the request log, the admin API and the state file."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from integration_fixtures import build_world
from sandbox_helpers import ADMIN_TOKEN, make_sandbox, set_config

from reconciler.sandbox import Sandbox
from reconciler.sandbox.faults import FaultInjector, FaultSpec, FaultSpecError
from reconciler.sandbox.persistence import StateFile
from reconciler.sandbox.ratelimit import GCRA
from reconciler.sandbox.server import SandboxTransport


@pytest.fixture
def admin_sb(sandbox: Sandbox) -> Sandbox:
    sandbox.options.admin_api = True
    return sandbox


def test_admin_api_is_404_unless_enabled(http: httpx.Client, sandbox: Sandbox) -> None:
    for method, path in (
        ("GET", "/__sandbox__/requests"),
        ("PUT", "/__sandbox__/faults"),
        ("POST", "/__sandbox__/reset"),
    ):
        r = http.request(method, path, json={})
        assert r.status_code == 404 and r.json()["id"] == "api.context.404.app_error"


def test_seeded_5xx_rate_is_repeatable(http: httpx.Client, admin_sb: Sandbox) -> None:
    def run() -> list[int]:
        spec = {"seed": 7, "error_rate": 0.5, "path_regex": "^/api/v4/system/ping$"}
        assert http.put("/__sandbox__/faults", json=spec).status_code == 200
        return [http.get("/api/v4/system/ping").status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert set(first) <= {200, 500, 502, 503}
    assert 8 < sum(s != 200 for s in first) < 32
    counts = http.get("/__sandbox__/faults").json()["counts"]
    assert counts["error"] == sum(s != 200 for s in second)
    assert http.get("/api/v4/users/me").status_code == 200  # outside the path filter
    assert http.delete("/__sandbox__/faults").json() == {"status": "OK"}
    assert all(http.get("/api/v4/system/ping").status_code == 200 for _ in range(10))


def test_injected_429_and_502_bodies(http: httpx.Client, admin_sb: Sandbox) -> None:
    http.put("/__sandbox__/faults", json={"seed": 1, "rate_429": 1.0, "retry_after": 3})
    r = http.get("/api/v4/system/ping")
    assert r.status_code == 429 and r.text == "limit exceeded\n" and r.headers["retry-after"] == "3"
    http.put("/__sandbox__/faults", json={"seed": 1, "error_rate": 1.0, "error_statuses": [502]})
    r = http.get("/api/v4/system/ping")
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/plain")


def test_lost_response_after_the_write_happened(http: httpx.Client, admin_sb: Sandbox) -> None:
    world = build_world(admin_sb)
    http.put(
        "/__sandbox__/faults", json={"seed": 3, "lost_response_rate": 1.0, "methods": ["POST"]}
    )
    with pytest.raises(httpx.TransportError):
        http.post(
            "/api/v4/hooks/incoming", json={"channel_id": world.tickets.id, "display_name": "n8n"}
        )
    http.delete("/__sandbox__/faults")
    hooks = http.get("/api/v4/hooks/incoming", params={"team_id": world.team.id}).json()
    assert [h["display_name"] for h in hooks] == ["n8n"]  # the write was done
    # a naive retry would now create a duplicate
    http.post(
        "/api/v4/hooks/incoming", json={"channel_id": world.tickets.id, "display_name": "n8n"}
    )
    assert len(http.get("/api/v4/hooks/incoming", params={"team_id": world.team.id}).json()) == 2


def test_connection_drop_happens_before_handling(admin_sb: Sandbox) -> None:
    world = build_world(admin_sb)
    admin_sb.faults.configure(FaultSpec(seed=1, drop_rate=1.0))
    client = httpx.Client(
        transport=SandboxTransport(admin_sb),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/api/v4/hooks/incoming", json={"channel_id": world.tickets.id})
    admin_sb.faults.clear()
    assert admin_sb.integrations.incoming == {}


def test_latency_is_injected() -> None:
    injector = FaultInjector(FaultSpec(seed=1, latency_ms=[5, 10]))
    slept: list[float] = []
    injector.sleep = slept.append
    from reconciler.sandbox.app import Request

    assert injector.before(Request("GET", "/api/v4/users/me")) is None
    assert injector.before(Request("GET", "/__sandbox__/requests")) is None
    assert len(slept) == 1 and 0.005 <= slept[0] <= 0.010


@pytest.mark.parametrize(
    "spec",
    [
        {"error_rate": 2},
        {"latency_ms": -1},
        {"error_statuses": [404]},
        {"path_regex": "("},
        {"nope": 1},
    ],
)
def test_bad_fault_specs(spec: dict[str, object], http: httpx.Client, admin_sb: Sandbox) -> None:
    with pytest.raises(FaultSpecError):
        FaultSpec.from_json(spec)
    assert http.put("/__sandbox__/faults", json=spec).status_code == 400


def test_request_log(http: httpx.Client, admin_sb: Sandbox) -> None:
    http.delete("/__sandbox__/requests")
    http.get("/api/v4/system/ping")
    http.get("/api/v4/nothing-here")
    log = http.get("/__sandbox__/requests").json()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/api/v4/system/ping", 200),
        ("GET", "/api/v4/nothing-here", 404),
    ]
    assert all(e["duration_ms"] >= 0 for e in log)
    assert admin_sb.request_log.entries.maxlen == 10000


def test_rate_limiting(http: httpx.Client, sandbox: Sandbox) -> None:
    set_config(sandbox, "RateLimitSettings.Enable", True)
    set_config(sandbox, "RateLimitSettings.PerSec", 1)
    set_config(sandbox, "RateLimitSettings.MaxBurst", 2)
    statuses = []
    for _ in range(5):
        r = http.get("/api/v4/system/ping")
        statuses.append(r.status_code)
        if r.status_code == 200:
            assert r.headers["x-ratelimit-limit"] == "3"
            assert "retry-after" not in r.headers
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
    r = http.get("/api/v4/system/ping")
    assert r.status_code == 429
    assert r.text == "limit exceeded\n"
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert int(r.headers["retry-after"]) >= 1 and int(r.headers["x-ratelimit-reset"]) >= 1


def test_gcra_refills() -> None:
    now = [0.0]
    limiter = GCRA(per_sec=10, max_burst=1, clock=lambda: now[0])
    assert [limiter.check("k").limited for _ in range(3)] == [False, False, True]
    assert limiter.check("other").limited is False
    now[0] += 0.1
    decision = limiter.check("k")
    assert not decision.limited and decision.limit == 2


def test_reset_to_a_seed(http: httpx.Client, admin_sb: Sandbox) -> None:
    world = build_world(admin_sb)
    http.post("/api/v4/hooks/incoming", json={"channel_id": world.tickets.id})
    set_config(admin_sb, "ServiceSettings.EnableCommands", False)
    r = http.post("/__sandbox__/reset", json={"seed": "empty"})
    assert r.json() == {"status": "OK", "seed": "empty"}
    assert http.get("/api/v4/users/me").status_code == 200  # same admin token
    assert admin_sb.integrations.incoming == {}
    assert admin_sb.config.get("ServiceSettings.EnableCommands") is True
    assert http.post("/__sandbox__/reset", json={"seed": "nope"}).status_code == 400


def test_state_dump_and_load_over_http(http: httpx.Client, admin_sb: Sandbox) -> None:
    world = build_world(admin_sb)
    hook = http.post("/api/v4/hooks/incoming", json={"channel_id": world.tickets.id}).json()
    state = http.get("/__sandbox__/state").json()
    http.delete(f"/api/v4/hooks/incoming/{hook['id']}")
    assert http.put("/__sandbox__/state", json=state).json() == {"status": "OK"}
    assert http.get(f"/api/v4/hooks/incoming/{hook['id']}").status_code == 200
    assert http.put("/__sandbox__/state", json={"format": "x"}).status_code == 400


def test_state_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = make_sandbox()
    state = StateFile(first, path, debounce=0.01)
    assert state.loaded is False
    world = build_world(first)
    client = httpx.Client(
        transport=SandboxTransport(first),
        base_url="http://sb",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    hook = client.post(
        "/api/v4/hooks/incoming", json={"channel_id": world.tickets.id, "display_name": "n8n"}
    ).json()
    cmd = client.post(
        "/api/v4/commands",
        json={
            "team_id": world.team.id,
            "trigger": "reply",
            "method": "P",
            "url": "http://asd-n8n:5678/webhook/reply",
        },
    ).json()
    client.put(
        "/api/v4/config/patch", json={"GitLabSettings": {"Secret": "s3cret", "Enable": True}}
    )
    client.post(f"/hooks/{hook['id']}", json={"text": "persisted"})
    state.close()
    assert path.exists() and path.stat().st_mode & 0o077 == 0

    second = make_sandbox()
    assert StateFile(second, path).loaded is True
    again = httpx.Client(
        transport=SandboxTransport(second),
        base_url="http://sb",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert again.get(f"/api/v4/hooks/incoming/{hook['id']}").json() == hook
    assert again.get(f"/api/v4/commands/{cmd['id']}").json() == cmd
    assert second.config.get("GitLabSettings.Secret") == "s3cret"
    posts = again.get(f"/api/v4/channels/{world.tickets.id}/posts").json()
    assert [posts["posts"][pid]["message"] for pid in posts["order"]] == ["persisted"]


def test_state_file_saves_after_writes(tmp_path: Path) -> None:
    import time

    path = tmp_path / "s.json"
    sb = make_sandbox()
    state = StateFile(sb, path, debounce=0.01)
    client = httpx.Client(
        transport=SandboxTransport(sb),
        base_url="http://sb",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    client.put("/api/v4/config/patch", json={"TeamSettings": {"MaxUsersPerTeam": 77}})
    deadline = time.monotonic() + 5
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert '"MaxUsersPerTeam":77' in path.read_text()
    state.close()
