"""Behaviours the real server settled (docs/fidelity.md), asserted on both servers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from contract_server import Server

MASK = "*" * 32


def error_of(response: httpx.Response) -> tuple[int, str]:
    body: dict[str, Any] = response.json()
    return response.status_code, str(body.get("id"))


# -- routing ----------------------------------------------------------------------------------


def test_a_non_alphanumeric_id_in_a_path_is_404(server: Server) -> None:
    response = server.admin.get("/api/v4/channels/not-an-id!")
    assert response.status_code == 404


def test_an_unknown_method_on_a_known_route_is_a_json_404(server: Server) -> None:
    """Mattermost's router answers a method it has no handler for like a path it does not know
    (not 405)."""
    for method, path in (("PATCH", "/api/v4/teams"), ("PUT", "/api/v4/system/ping")):
        assert error_of(server.admin.request(method, path)) == (404, "api.context.404.app_error")


def test_an_unknown_hook_id_shape_is_a_plain_404(server: Server) -> None:
    response = server.client().post("/hooks/abc-def", json={"text": "x"})
    assert response.status_code == 404


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["abc\n", "abc\r\n", "ab c", "-abc"])
def test_a_channel_name_with_a_trailing_newline_or_a_bad_character_is_refused(
    server: Server, name: str
) -> None:
    team = server.team()
    body = {"team_id": team["id"], "name": name, "display_name": "X", "type": "O"}
    response = server.admin.post("/api/v4/channels", json=body)
    assert error_of(response) == (400, "model.channel.is_valid.1_or_more.app_error")


def test_a_team_name_with_a_trailing_newline_is_refused(server: Server) -> None:
    body = {"name": server.name("t") + "\n", "display_name": "X", "type": "O"}
    status, _ = error_of(server.admin.post("/api/v4/teams", json=body))
    assert status == 400


# -- teams ------------------------------------------------------------------------------------


def test_invite_id_changes_only_when_privacy_really_changes(server: Server) -> None:
    team = server.team("O")
    same = server.ok(server.admin.put(f"/api/v4/teams/{team['id']}/privacy", json={"privacy": "O"}))
    assert same["invite_id"] == team["invite_id"]
    changed = server.ok(
        server.admin.put(f"/api/v4/teams/{team['id']}/privacy", json={"privacy": "I"})
    )
    assert changed["invite_id"] != team["invite_id"] and changed["type"] == "I"


def test_a_patched_display_name_is_not_trimmed(server: Server) -> None:
    team = server.team()
    patched = server.ok(
        server.admin.put(f"/api/v4/teams/{team['id']}/patch", json={"display_name": " Padded "})
    )
    assert patched["display_name"] == " Padded "


# -- channels ---------------------------------------------------------------------------------


def test_an_empty_channel_patch_changes_nothing(server: Server) -> None:
    team = server.team()
    channel = server.channel(team, purpose="kept")
    patched = server.ok(server.admin.put(f"/api/v4/channels/{channel['id']}/patch", json={}))
    assert patched["purpose"] == "kept" and patched["display_name"] == channel["display_name"]


def post_types(server: Server, channel: dict[str, Any]) -> list[tuple[str, str]]:
    """(type, message) of a channel's posts, oldest first."""
    posts = server.ok(server.admin.get(f"/api/v4/channels/{channel['id']}/posts"))["posts"]
    ordered = sorted(posts.values(), key=lambda post: post["create_at"])
    return [(post["type"], post["message"]) for post in ordered]


def test_the_system_messages_channel_writes_leave(server: Server) -> None:
    """The noise an apply makes in a channel: a join on creation; PUT /channels/{id} posts
    only a display-name change, a patch one message per changed display name, header and
    purpose (none for an unchanged value); privacy changes, archive and restore post too."""
    me = server.ok(server.admin.get("/api/v4/users/me"))["username"]
    team = server.team()
    channel = server.channel(team)
    url = f"/api/v4/channels/{channel['id']}"
    body = {**channel, "header": "H2", "purpose": "P2", "display_name": "Y"}
    server.ok(server.admin.put(url, json=body))
    server.ok(server.admin.put(f"{url}/patch", json={"header": "H3", "purpose": "P2"}))
    server.ok(server.admin.put(f"{url}/patch", json={"header": "H3"}))
    server.ok(server.admin.put(f"{url}/patch", json={"purpose": ""}))
    server.ok(server.admin.put(f"{url}/privacy", json={"privacy": "P"}))
    server.ok(server.admin.delete(url))
    server.ok(server.admin.post(f"{url}/restore"))
    assert post_types(server, channel) == [
        ("system_join_channel", f"{me} joined the channel."),
        (
            "system_displayname_change",
            f"{me} updated the channel display name from: {channel['display_name']} to: Y",
        ),
        ("system_header_change", f"{me} updated the channel header from: H2 to: H3"),
        ("system_purpose_change", f"{me} removed the channel purpose (was: P2)"),
        ("system_change_chan_privacy", "This channel has been converted to a Private Channel."),
        ("system_channel_deleted", f"{me} archived the channel."),
        ("system_channel_restored", f"{me} unarchived the channel."),
    ]


def test_a_patched_channel_display_name_is_trimmed_unlike_a_teams(server: Server) -> None:
    team = server.team()
    channel = server.channel(team)
    patched = server.ok(
        server.admin.put(f"/api/v4/channels/{channel['id']}/patch", json={"display_name": " Y "})
    )
    assert patched["display_name"] == "Y"


def test_put_channel_keeps_group_constrained(server: Server) -> None:
    team = server.team()
    channel = server.channel(team)
    body = {**channel, "purpose": "updated"}
    body.pop("group_constrained", None)
    updated = server.ok(server.admin.put(f"/api/v4/channels/{channel['id']}", json=body))
    assert updated["purpose"] == "updated"
    assert updated["group_constrained"] == channel["group_constrained"]


@pytest.mark.parametrize(("value", "found"), [("1", True), ("T", True), ("yes", False)])
def test_boolean_query_parameters_are_parsed_as_go_does(
    server: Server, value: str, found: bool
) -> None:
    team = server.team()
    channel = server.channel(team)
    server.ok(server.admin.delete(f"/api/v4/channels/{channel['id']}"))
    response = server.admin.get(
        f"/api/v4/teams/{team['id']}/channels/name/{channel['name']}",
        params={"include_deleted": value},
    )
    assert (response.status_code == 200) is found, response.text


def test_what_another_member_sees_of_a_channel_member(server: Server) -> None:
    team = server.team()
    channel = server.channel(team)
    alice, bob = server.user(), server.user()
    server.join(team, alice, channel)
    server.join(team, bob, channel)
    seen = server.ok(
        server.client(server.token_for(bob)).get(
            f"/api/v4/channels/{channel['id']}/members/{alice['id']}"
        )
    )
    assert seen["user_id"] == alice["id"] and seen["channel_id"] == channel["id"]
    assert {"roles", "scheme_user", "scheme_admin", "notify_props"} <= set(seen)


# -- integrations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/hook",
        "http://example.com/%zz",
        "not a url",
        "ftp://x.example/",
        "http://ho|st/",
        "http://h:x/",
    ],
)
def test_command_urls_are_validated_as_go_parses_them(server: Server, url: str) -> None:
    team = server.team()
    body = {"team_id": team["id"], "trigger": server.name("cmd"), "url": url, "method": "P"}
    assert error_of(server.admin.post("/api/v4/commands", json=body)) == (
        400,
        "model.command.is_valid.url_http.app_error",
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a b",
        "https://[::1]:8/x",
        "http://user@host/p",
        "http://example.com/?q=%zz",
        "http://h:/x",
    ],
)
def test_urls_go_accepts(server: Server, url: str) -> None:
    team = server.team()
    body = {"team_id": team["id"], "trigger": server.name("cmd"), "url": url, "method": "P"}
    server.ok(server.admin.post("/api/v4/commands", json=body), 201)


@pytest.mark.parametrize("url", ["http://exa mple.com/hook", "http://example.com/%zz"])
def test_callback_urls_are_validated_as_go_parses_them(server: Server, url: str) -> None:
    team = server.team()
    channel = server.channel(team)
    body = {
        "team_id": team["id"],
        "channel_id": channel["id"],
        "trigger_words": ["go"],
        "callback_urls": [url],
    }
    status, error_id = error_of(server.admin.post("/api/v4/hooks/outgoing", json=body))
    assert (status, error_id) == (400, "model.outgoing_hook.is_valid.url.app_error")


def test_an_outgoing_hook_in_another_teams_channel_is_refused(server: Server) -> None:
    team, other = server.team(), server.team()
    channel = server.channel(other)
    body = {
        "team_id": team["id"],
        "channel_id": channel["id"],
        "trigger_words": ["go"],
        "callback_urls": ["http://127.0.0.1:9/x"],
    }
    assert error_of(server.admin.post("/api/v4/hooks/outgoing", json=body)) == (
        403,
        "api.webhook.create_outgoing.permissions.app_error",
    )


def test_a_bot_username_is_validated_before_lower_casing(server: Server) -> None:
    server.patch_config({"ServiceSettings": {"EnableBotAccountCreation": True}})
    for username in (server.name("Bot"), server.name("bot") + "\n"):
        response = server.admin.post("/api/v4/bots", json={"username": username})
        assert error_of(response) == (400, "model.bot.is_valid.username.app_error")


def test_incoming_hook_posts_wrap_their_errors(server: Server) -> None:
    anonymous = server.client()
    unknown = "z" * 26
    assert error_of(anonymous.post(f"/hooks/{unknown}", json={"text": "x"})) == (
        400,
        "web.incoming_webhook.general.app_error",
    )
    assert error_of(anonymous.post(f"/hooks/{unknown}", json={"text": 5})) == (
        400,
        "web.incoming_webhook.decode.app_error",
    )
    team = server.team()
    private = server.channel(team, type="P")
    member = server.user()
    server.join(team, member)
    hook = server.ok(
        server.admin.post(
            "/api/v4/hooks/incoming",
            json={"channel_id": private["id"], "user_id": member["id"], "display_name": "h"},
        )
    )
    # the owner cannot read the private channel: refused at the first post
    assert error_of(anonymous.post(f"/hooks/{hook['id']}", json={"text": "x"})) == (
        403,
        "web.incoming_webhook.general.app_error",
    )


# -- config -----------------------------------------------------------------------------------


def test_the_config_masks_exactly_these_secrets(server: Server) -> None:
    server.patch_config(
        {
            "GitLabSettings": {"Secret": "gitlab-secret"},
            "EmailSettings": {"SMTPPassword": "smtp-secret"},
        }
    )
    config = server.ok(server.admin.get("/api/v4/config"))
    masked = sorted(
        f"{section}.{key}"
        for section, values in config.items()
        if isinstance(values, dict)
        for key, value in values.items()
        if value == MASK
    )
    assert "GitLabSettings.Secret" in masked and "EmailSettings.SMTPPassword" in masked
    assert config["SqlSettings"]["DataSource"] == MASK
    assert config["GitLabSettings"]["Id"] != MASK


def test_outgoing_hook_channels_on_create_and_update(server: Server) -> None:
    """An archived channel is accepted; a private one, another team's or an unknown one is
    refused, with other ids on create than on update; an update without trigger words and
    channel is a 500 (real server 11.1)."""
    team, other_team = server.team(), server.team()
    public = server.channel(team)
    archived = server.channel(team)
    server.ok(server.admin.delete(f"/api/v4/channels/{archived['id']}"))
    private = server.channel(team, type="P")
    foreign = server.channel(other_team)
    unknown = {"id": "a" * 26}

    def create(channel: dict[str, Any]) -> httpx.Response:
        body = {
            "team_id": team["id"],
            "channel_id": channel["id"],
            "trigger_words": [server.name("w")],
            "callback_urls": ["http://127.0.0.1:9/x"],
        }
        return server.admin.post("/api/v4/hooks/outgoing", json=body)

    assert create(archived).status_code == 201
    assert error_of(create(private)) == (403, "api.outgoing_webhook.disabled.app_error")
    assert error_of(create(foreign)) == (403, "api.webhook.create_outgoing.permissions.app_error")
    assert error_of(create(unknown)) == (404, "app.channel.get.existing.app_error")
    hook = server.ok(create(public), 201)
    url = f"/api/v4/hooks/outgoing/{hook['id']}"

    def update(**changes: Any) -> httpx.Response:
        return server.admin.put(url, json={**hook, **changes})

    assert update(channel_id=archived["id"]).status_code == 200
    assert error_of(update(channel_id=private["id"])) == (
        403,
        "api.webhook.create_outgoing.not_open.app_error",
    )
    assert error_of(update(channel_id=foreign["id"])) == (
        403,
        "api.webhook.create_outgoing.permissions.app_error",
    )
    assert error_of(update(channel_id=unknown["id"])) == (404, "app.channel.get.existing.app_error")
    assert error_of(update(team_id=other_team["id"])) == (
        400,
        "api.webhook.team_mismatch.app_error",
    )
    assert error_of(update(trigger_words=[], channel_id="")) == (
        500,
        "api.webhook.create_outgoing.triggers.app_error",
    )
