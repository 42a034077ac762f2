"""Every route the sandbox serves exists in Mattermost's OpenAPI description, and the
main objects carry (at least) the fields the spec's schemas name.

Iterates over ALL registered routes (core and integrations), so routes added later
are checked too. Skips cleanly when ../shared (the reference) is absent.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_helpers import add_channel, add_team, add_user, join, set_config

import reconciler.sandbox.routes  # noqa: F401  (registers every route module)
from reconciler.sandbox import Sandbox
from reconciler.sandbox.app import ROUTER

SPEC_PATH = (
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "mattermost-openapi-v4.yaml"
)
METHODS = ("get", "post", "put", "delete", "patch")

# Routes outside the API v4 tree: real Mattermost serves /hooks/{id} (not described by
# the API spec) and /__sandbox__/ is the sandbox's own admin API.
OUTSIDE_SPEC_PREFIXES = ("/hooks/", "/__sandbox__/")

# API v4 routes newer than the 2023 spec: each with where Mattermost added it. Nothing else
# may be missing from the spec, and each entry must still be missing (a newer spec that
# describes one lets it leave this list).
NEWER_THAN_SPEC: dict[tuple[str, str], str] = {
    # Ownership transfer, mattermost/mattermost#36850 (2026; api4/webhook.go moveIncomingHook).
    # The sandbox serves it from MOVE_INCOMING_SINCE on (11.9.0, an estimate: no release
    # note names the version); older servers answer 404.
    ("POST", "/api/v4/hooks/incoming/{hook_id}/move/{user_id}"): "mattermost#36850",
}

# Fields a spec schema names that real Mattermost no longer sends (or sends only when
# non-zero, through Go's `omitempty`); the sandbox behaves like the server here.
NOT_SENT: dict[str, set[str]] = {
    "User": {
        "props",  # omitempty: absent while empty
        "last_password_update",  # omitempty; also 0 for users without a password (bots)
        "last_picture_update",  # omitempty: absent until a picture is uploaded
        "failed_attempts",  # omitempty: absent while 0
        "mfa_active",  # omitempty: absent while false
        "terms_of_service_id",  # omitempty: absent until terms are accepted
        "terms_of_service_create_at",  # omitempty, as above
    },
}


def normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@cache
def spec() -> dict[str, Any]:
    if not SPEC_PATH.exists():
        pytest.skip("shared/reference is not available")
    text = SPEC_PATH.read_text()
    try:  # PyYAML's C loader is ten times faster than ruamel on this 850 KB file
        import yaml

        loaded: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    except (ImportError, AttributeError):
        from ruamel.yaml import YAML

        loaded = YAML(typ="safe", pure=True).load(text)
    return loaded


def spec_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), normalise(path))
        for path, operations in spec()["paths"].items()
        for method in operations
        if method in METHODS
    }


def test_every_route_is_in_the_spec() -> None:
    operations = spec_operations()
    missing = [
        f"{route.method} {route.template}"
        for route in ROUTER.routes
        if not route.template.startswith(OUTSIDE_SPEC_PREFIXES)
        and (route.method, normalise(route.template.replace(":path", ""))) not in operations
        and (route.method, route.template) not in NEWER_THAN_SPEC
    ]
    assert missing == []
    assert len(ROUTER.routes) >= 60  # the core alone registers about that many


def test_the_newer_routes_are_served_and_absent_from_the_spec() -> None:
    operations = spec_operations()
    served = {(route.method, route.template) for route in ROUTER.routes}
    for method, template in NEWER_THAN_SPEC:
        assert (method, template) in served, f"{method} {template} is not a sandbox route"
        assert (method, normalise(template)) not in operations, (
            f"the spec now describes {method} {template}: drop it from NEWER_THAN_SPEC"
        )


def test_routes_outside_the_spec_are_only_hooks_and_admin() -> None:
    outside = [r.template for r in ROUTER.routes if not r.template.startswith("/api/v4/")]
    assert all(t.startswith(OUTSIDE_SPEC_PREFIXES) for t in outside), outside


def schema_fields(name: str) -> set[str]:
    properties = spec()["components"]["schemas"][name].get("properties") or {}
    return set(properties)


def check(name: str, item: dict[str, Any]) -> None:
    expected = schema_fields(name) - NOT_SENT.get(name, set())
    assert expected, name
    assert expected <= set(item), f"{name} lacks {sorted(expected - set(item))}"


def test_main_objects_have_the_spec_fields(sandbox: Sandbox, http: httpx.Client) -> None:
    spec()
    team = add_team(sandbox)
    dev = add_channel(sandbox, team, "dev")
    bob = add_user(sandbox, "bob")
    join(sandbox, team, bob, dev)
    set_config(sandbox, "ServiceSettings.EnableBotAccountCreation", True)
    bot = http.post(
        "/api/v4/bots", json={"username": "bot1", "display_name": "B", "description": "d"}
    )
    check("Bot", bot.json())
    check("Team", http.get(f"/api/v4/teams/{team.id}").json())
    for item in http.get("/api/v4/teams").json():
        check("Team", item)
    check("Channel", http.get(f"/api/v4/channels/{dev.id}").json())
    for item in http.get("/api/v4/channels").json():
        check("Channel", item)
    check("TeamMember", http.get(f"/api/v4/teams/{team.id}/members/{bob.id}").json())
    check("ChannelMember", http.get(f"/api/v4/channels/{dev.id}/members/{bob.id}").json())
    for item in http.get("/api/v4/users").json():
        check("User", item)
    check("User", http.get("/api/v4/users/me").json())
    check("Role", http.get("/api/v4/roles/name/channel_user").json())
