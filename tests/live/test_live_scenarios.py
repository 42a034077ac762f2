"""The end-to-end scenarios of the plan/apply and integrations issues, through the `mmrc`
CLI, against the server named by MM_URL / MM_TOKEN.

Run with `pytest -m live` (docs/ci.md §7); without MM_URL and MM_TOKEN every test here is
skipped. Each workspace is templated with the run prefix (`mmrc-live-<8 hex>`), so team,
user and bot names are new on every run; the session deletes the teams (the `run_prefix`
finalizer), the webhooks and commands in them, disables the bots and deactivates the
users it created, and each scenario patches back the config fields it changed.

Scenarios:
1. core: plan shows the creates, apply, the second plan is empty (`--detailed-exitcode`
   exits 0); a rename through `renamed_from` keeps the channel's id; prune archives an
   undeclared channel and declaring it again restores it; public → private needs
   `--allow-destructive`; a team's visibility changes through the privacy endpoint.
2. memberships (team and channel members, pruned) and guests (only with a licence that
   includes guest accounts; skipped with the reason otherwise).
3. integrations: a bot, incoming webhooks (a payload posted through one and read back),
   an outgoing webhook with a trigger word, a slash command; changed; pruned;
   `mmrc output` masked; `mmrc rotate`; a canary GitLab SSO secret never printed.
4. a saved plan: applied when current, refused (naming what moved) when stale.

These tests are not recorded as cassettes (MMRC_RECORD_CASSETTES): mmrc's own requests
run concurrently and each step depends on the previous ones, so they would not replay
request by request; tests/e2e and tests/integrations run the same scenarios against the
sandbox offline.
"""

from __future__ import annotations

import json
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_scenario_kit import (
    MASK,
    ConfigGuard,
    LiveRun,
    client_license,
    eventually,
    expect_status,
    guests_unavailable,
    render,
    secret_is_set,
)

from reconciler.kinds.commands import can_set_creator

pytestmark = pytest.mark.live

RECORD_CASSETTES = False  # read by conftest's recorder (see the module docstring)

CANARY = "canary-" + secrets.token_hex(12)
INTEGRATION_SWITCHES = tuple(
    f"ServiceSettings.{key}"
    for key in (
        "EnableIncomingWebhooks",
        "EnableOutgoingWebhooks",
        "EnableCommands",
        "EnablePostUsernameOverride",
        "EnablePostIconOverride",
        "EnableBotAccountCreation",
        "EnableUserAccessTokens",
    )
)


@pytest.fixture(scope="module")
def run(
    live_url: str,
    live_token: str,
    live_client: httpx.Client,
    run_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveRun]:
    live = LiveRun.open(
        live_url, live_token, run_prefix, live_client, tmp_path_factory.mktemp("live-scenarios")
    )
    yield live
    problems = live.close()
    assert not problems, "live cleanup failed:\n" + "\n".join(f"  {p}" for p in problems)


@pytest.fixture
def config_guard(live_client: httpx.Client) -> Iterator[ConfigGuard]:
    """The config as it was before the test; the fields the test tracks are patched back."""
    guard = ConfigGuard(live_client)
    guard.snapshot()
    yield guard
    problems = guard.restore()
    assert not problems, "config not restored:\n" + "\n".join(f"  {p}" for p in problems)


@pytest.fixture
def integrations_cleanup(run: LiveRun, config_guard: ConfigGuard) -> Iterator[None]:
    """Deletes the webhooks and commands of the run's teams right after the test, while
    the integration switches it turned on are still on (config_guard restores them next)."""
    yield
    problems = run.delete_integrations(run.team_names)
    assert not problems, "integrations not deleted:\n" + "\n".join(f"  {p}" for p in problems)


def plan_json(run: LiveRun, path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run.mmrc("plan", "-f", str(path), "--format", "json", env=env)
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def converged(run: LiveRun, path: Path, env: dict[str, str] | None = None) -> None:
    """The second plan: empty, exit 0 with --detailed-exitcode."""
    again = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=0, env=env)
    assert "No changes" in again.stdout


# -- 1. core -------------------------------------------------------------------------------------

CORE = """\
version: 1
policy: {classes: {}}
teams:
  - name: $team
    display_name: mmrc live core
    description: mmrc live suite, removed at the end of the run
    visibility: $team_visibility
    prune: {channels: true}
    channels:
      - {name: $support, display_name: Support, purpose: Help desk$renamed}
      - {name: dev, display_name: Dev, visibility: $dev_visibility, purpose: Development}
      - {name: ops, display_name: Ops, visibility: public}
      - {name: docs, display_name: Docs, visibility: public}
      - {name: vault, display_name: Vault, visibility: private}
$news"""
NEWS = "      - {name: news, display_name: News, visibility: public, purpose: Announcements}\n"


def core_workspace(
    run: LiveRun,
    *,
    support: str = "support",
    news: bool = True,
    dev_visibility: str = "public",
    team_visibility: str = "open",
) -> Path:
    text = render(
        CORE,
        team=run.team("core"),
        support=support,
        renamed=", renamed_from: [support]" if support != "support" else "",
        news=NEWS if news else "",
        dev_visibility=dev_visibility,
        team_visibility=team_visibility,
    )
    return run.write("core.yaml", text)


def test_core_create_converge_rename_archive_restore_and_visibility(run: LiveRun) -> None:
    team = run.team("core")
    path = core_workspace(run)

    # plan shows the creates; apply; the second plan is empty
    planned = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=2)
    assert f"+ team.{team} (create)" in planned.stdout
    for channel in ("support", "dev", "ops", "docs", "vault", "news"):
        assert f"+ team.{team}/channel.{channel} (create)" in planned.stdout
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)
    created = run.team_obj(team)
    assert (created["type"], created["allow_open_invite"], created["delete_at"]) == ("O", True, 0)
    assert created["description"] == "mmrc live suite, removed at the end of the run"
    assert run.channel(team, "vault")["type"] == "P"
    dev = run.channel(team, "dev")
    assert (dev["type"], dev["purpose"]) == ("O", "Development")

    # rename through renamed_from: the same channel (same id) under its new name
    support = run.channel(team, "support")
    path = core_workspace(run, support="team-support")
    planned = run.mmrc("plan", "-f", str(path))
    assert f"~ team.{team}/channel.team-support (rename)" in planned.stdout
    assert "(create)" not in planned.stdout
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)
    renamed = run.channel(team, "team-support")
    assert (renamed["id"], renamed["display_name"]) == (support["id"], "Support")
    gone = run.api.get(f"/api/v4/teams/{created['id']}/channels/name/support")
    assert gone.status_code == 404

    # prune archives a channel the file no longer declares ...
    news = run.channel(team, "news")
    path = core_workspace(run, support="team-support", news=False)
    planned = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=2)
    assert f"- team.{team}/channel.news (archive)" in planned.stdout
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)
    assert run.channel_by_id(news["id"])["delete_at"] > 0

    # ... and declaring it again restores it (not a new channel: an archived one holds the name)
    path = core_workspace(run, support="team-support")
    planned = run.mmrc("plan", "-f", str(path))
    assert f"+ team.{team}/channel.news (restore)" in planned.stdout
    assert "(create)" not in planned.stdout
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)
    restored = run.channel(team, "news")
    assert (restored["id"], restored["delete_at"]) == (news["id"], 0)

    # public → private is refused without --allow-destructive, by plan and by apply
    path = core_workspace(run, support="team-support", dev_visibility="private")
    refused = run.mmrc("plan", "-f", str(path), expect=1)
    assert "makes a public channel private" in refused.stdout + refused.stderr
    run.mmrc("apply", "-f", str(path), "--auto-approve", expect=1)
    assert run.channel(team, "dev")["type"] == "O"
    run.mmrc("apply", "-f", str(path), "--auto-approve", "--allow-destructive")
    converged(run, path)
    made_private = run.channel(team, "dev")
    assert (made_private["id"], made_private["type"]) == (dev["id"], "P")

    # the team's visibility goes through the privacy endpoint (type and open invite together)
    path = core_workspace(
        run, support="team-support", dev_visibility="private", team_visibility="invite-only"
    )
    planned = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=2)
    assert f"~ team.{team} (update in place)" in planned.stdout
    assert "privacy endpoint" in planned.stdout
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)
    invite_only = run.team_obj(team)
    assert (invite_only["id"], invite_only["type"], invite_only["allow_open_invite"]) == (
        created["id"],
        "I",
        False,
    )


# -- 2. memberships and guests ----------------------------------------------------------------------

MEMBERS = """\
version: 1
policy: {classes: {}}
teams:
  - name: $team
    display_name: mmrc live members
    prune: {members: true}
    members: [$members]
    channels:
      - {name: dev, display_name: Dev, members: [$dev]}
      - {name: ops, display_name: Ops, visibility: private, members: [$ops]}
"""


def test_memberships_are_added_and_pruned(run: LiveRun) -> None:
    team = run.team("members")
    alice, bob, carol = (run.create_user(n)["username"] for n in ("alice", "bob", "carol"))
    path = run.write(
        "members.yaml",
        render(
            MEMBERS, team=team, members=f"{alice}, {bob}, {carol}", dev=f"{alice}, {bob}", ops=carol
        ),
    )
    planned = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=2)
    assert f"+ team.{team}/member.{alice} (create)" in planned.stdout
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    # implicit members (the applying account, town-square joins) do not show up as drift
    converged(run, path)

    team_id = run.team_obj(team)["id"]
    ids = {name: run.user_id(name) for name in (alice, bob, carol)}
    for name in (alice, bob, carol):
        member = run.team_member(team_id, ids[name])
        assert member is not None and not member["scheme_guest"], name
    dev = run.channel(team, "dev")["id"]
    ops = run.channel(team, "ops")["id"]
    assert {ids[alice], ids[bob]} <= run.channel_member_ids(dev)
    assert ids[carol] not in run.channel_member_ids(dev)
    assert ids[carol] in run.channel_member_ids(ops)
    assert {ids[alice], ids[bob]}.isdisjoint(run.channel_member_ids(ops))

    # bob leaves the file: prune removes him from the channel and the team
    path = run.write(
        "members.yaml",
        render(MEMBERS, team=team, members=f"{alice}, {carol}", dev=alice, ops=carol),
    )
    # (1 of dev's 3 members: shares apply from 10 members on and the cap is 10, so no guard)
    planned = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=2)
    assert f"- team.{team}/member.{bob} (remove)" in planned.stdout
    assert f"- team.{team}/channel.dev/member.{bob} (remove)" in planned.stdout
    assert f"member.{run.admin} " not in planned.stdout  # the applying account is implicit
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)
    assert run.team_member(team_id, ids[bob]) is None
    assert ids[bob] not in run.channel_member_ids(dev)
    assert run.team_member(team_id, ids[alice]) is not None


GUESTS = """\
version: 1
policy: {classes: {}}
settings:
  guest_accounts: {enable: true}
teams:
  - name: $team
    display_name: mmrc live guests
    members: [$member]
    guests: [$guest]
    channels:
      - {name: project-acme, display_name: Acme, visibility: private, members: [$member], guests: [$guest]}
      - {name: internal, display_name: Internal, visibility: public}
"""


def test_guests_join_only_the_channels_declared(
    run: LiveRun, live_client: httpx.Client, config_guard: ConfigGuard
) -> None:
    reason = guests_unavailable(client_license(live_client))
    if reason:
        pytest.skip(reason)
    config_guard.track("GuestAccountsSettings")
    # guest accounts must be on before a user can be demoted
    expect_status(
        live_client.put("/api/v4/config/patch", json={"GuestAccountsSettings": {"Enable": True}}),
        200,
    )
    member = run.create_user("member")["username"]
    guest = run.create_user("guest", guest=True)["username"]
    assert "system_guest" in run.get(f"/api/v4/users/{run.user_id(guest)}")["roles"]
    team = run.team("guests")
    path = run.write("guests.yaml", render(GUESTS, team=team, member=member, guest=guest))
    planned = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=2)
    assert f"+ team.{team}/guest.{guest} (create)" in planned.stdout
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)

    team_id = run.team_obj(team)["id"]
    guest_id = run.user_id(guest)
    membership = run.team_member(team_id, guest_id)
    assert membership is not None and membership["scheme_guest"] is True
    joined = run.get(f"/api/v4/users/{guest_id}/teams/{team_id}/channels")
    assert sorted(c["name"] for c in joined) == ["project-acme"]  # not town-square, not internal
    acme = run.channel(team, "project-acme")["id"]
    assert {guest_id, run.user_id(member)} <= run.channel_member_ids(acme)


# -- 3. integrations ---------------------------------------------------------------------------------

INTEGRATIONS = """\
version: 1
settings:
  integrations:
    incoming_webhooks: true
    outgoing_webhooks: true
    slash_commands: true
    post_username_override: true
    post_icon_override: true
    bot_account_creation: true
  sso:
    gitlab:
      enable: true
      id: mmrc-live-gitlab-application-id
      secret: $${env:GITLAB_OAUTH_SECRET}
      auth_endpoint: https://gitlab.example.com/oauth/authorize
      token_endpoint: https://gitlab.example.com/oauth/token
      user_api_endpoint: https://gitlab.example.com/api/v4/user
bots:
  - {username: $bot, display_name: $bot_display, description: "$bot_description"}
teams:
  - name: $team
    display_name: mmrc live integrations
    prune: {webhooks: $prune, commands: $prune}
    channels:
      - {name: team-support, display_name: Support, visibility: public}
      - {name: project-development, display_name: Development, visibility: public}
      - {name: topic-business, display_name: Business, visibility: public}
      - {name: alert-monitoring, display_name: Alerts, visibility: public}
    incoming_webhooks:
      - display_name: Redmine
        channel: $redmine_channel
        description: Issues created, status changes, closed issues
        username: redmine-bot
        icon_url: https://redmine.org/favicon.ico
        owner: $bot
      - {display_name: Zammad, channel: team-support, username: zammad-bot, channel_locked: false, owner: $bot}
$grafana    outgoing_webhooks:
      - display_name: n8n ticket trigger
        channel: team-support
        trigger_words: [$trigger_words]
        trigger_when: first_word
        callback_urls: ["$callback"]
        content_type: application/json
        owner: $admin
    commands:
      - trigger: reply
        url: https://n8n.example.com/webhook/mattermost-reply
        method: POST
        display_name: Reply
        description: Reply to a Redmine, Zammad or ERPNext ticket
        autocomplete: true
        autocomplete_hint: "[ticket] message"
        owner: $command_owner
"""
GRAFANA = (
    "      - {display_name: Grafana, channel: alert-monitoring, owner: $bot,"
    ' description: "Grafana alerts via n8n"}\n'
)
HOOKS = ("Redmine", "Zammad", "Grafana")


def integrations_workspace(run: LiveRun, **changes: Any) -> Path:
    bot = run.bot("n8n")
    values: dict[str, Any] = {
        "team": run.team("hooks"),
        "bot": bot,
        "admin": run.admin,
        "bot_display": "n8n",
        "bot_description": "Posts notifications from n8n workflows",
        "prune": "false",
        "redmine_channel": "project-development",
        "grafana": True,
        "trigger_words": '"!ticket"',
        "callback": "https://n8n.example.com/webhook/mattermost-ticket",
        "command_owner": run.admin,
    }
    values.update(changes)
    values["grafana"] = render(GRAFANA, bot=bot) if values["grafana"] else ""
    return run.write("integrations.yaml", render(INTEGRATIONS, **values))


def read_outputs(path: Path) -> dict[str, Any]:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found: dict[str, Any] = json.loads(path.read_text())["outputs"]
    return found


def hook_id(entry: dict[str, Any]) -> str:
    return str(entry["url"]).rsplit("/hooks/", 1)[1]


def test_integrations_lifecycle_outputs_rotate_and_no_secret_leaks(
    run: LiveRun, config_guard: ConfigGuard, integrations_cleanup: None
) -> None:
    gitlab = config_guard.value("GitLabSettings") or {}
    if gitlab.get("Enable") or secret_is_set(config_guard.before, "GitLabSettings.Secret"):
        pytest.skip(
            "this server has GitLab SSO configured; the scenario would overwrite its secret, "
            "which GET /config never reveals, so it could not be put back"
        )
    config_guard.track(*INTEGRATION_SWITCHES, "GitLabSettings", "PluginSettings.Plugins")
    env = {"GITLAB_OAUTH_SECRET": CANARY}
    team = run.team("hooks")
    bot = run.bot("n8n")
    prefix = f"team.{team}/"
    path = integrations_workspace(run)
    out = run.workdir / "outputs.json"

    planned = run.mmrc("plan", "-f", str(path), "--detailed-exitcode", expect=2, env=env)
    assert f"+ bot.{bot} (create)" in planned.stdout
    for name in HOOKS:
        assert f"+ {prefix}incoming_webhook.{name} (create)" in planned.stdout
    assert f"+ {prefix}outgoing_webhook.n8n ticket trigger (create)" in planned.stdout
    assert f"+ {prefix}command.reply (create)" in planned.stdout
    assert "settings.sso.gitlab" in planned.stdout and "(sensitive)" in planned.stdout

    applied = run.mmrc(
        "apply",
        "-f",
        str(path),
        "--auto-approve",
        "--outputs-file",
        str(out),
        "--smoke-test",
        env=env,
    )
    for name in HOOKS:
        assert f"Smoke test ok: {prefix}incoming_webhook.{name} answered 200" in applied.stdout
    converged(run, path, env)
    first = read_outputs(out)

    # what the server holds now
    team_id = run.team_obj(team)["id"]
    bot_user = run.get(f"/api/v4/users/username/{bot}")
    assert bot_user["is_bot"] is True
    assert run.get(f"/api/v4/bots/{bot_user['id']}")["display_name"] == "n8n"
    incoming = run.incoming_hooks(team_id)
    assert sorted(incoming) == sorted(HOOKS)
    redmine = incoming["Redmine"]
    assert (redmine["username"], redmine["icon_url"], redmine["user_id"]) == (
        "redmine-bot",
        "https://redmine.org/favicon.ico",
        bot_user["id"],
    )
    for name in HOOKS:
        assert hook_id(first[f"{prefix}incoming_webhook.{name}"]) == incoming[name]["id"]
    outgoing = run.outgoing_hooks(team_id)["n8n ticket trigger"]
    assert outgoing["trigger_words"] == ["!ticket"] and outgoing["trigger_when"] == 0
    assert outgoing["callback_urls"] == ["https://n8n.example.com/webhook/mattermost-ticket"]
    assert outgoing["channel_id"] == run.channel(team, "team-support")["id"]
    trigger = f"{prefix}outgoing_webhook.n8n ticket trigger"
    assert first[trigger]["token"] == outgoing["token"]
    command = run.commands(team_id)["reply"]
    assert command["creator_id"] == run.me["id"]
    assert first[f"{prefix}command.reply"]["token"] == command["token"]
    config = run.get("/api/v4/config")
    assert config["GitLabSettings"]["Secret"] == MASK  # written, and never shown
    assert config["GitLabSettings"]["Enable"] is True
    assert config["GitLabSettings"]["Id"] == "mmrc-live-gitlab-application-id"
    assert config["ServiceSettings"]["EnableBotAccountCreation"] is True

    # a payload posted through the Zammad hook lands in its channel, as the hook's owner
    marker = f"mmrc live {secrets.token_hex(6)}"
    payload = {
        "channel": "team-support",
        "username": "zammad-bot",
        "text": f"**Urgent Ticket** {marker}\nZD#74001: Server down",
    }
    answer = httpx.post(f"{run.url}/hooks/{incoming['Zammad']['id']}", json=payload, timeout=30)
    assert (answer.status_code, answer.text) == (200, "ok")
    support_id = run.channel(team, "team-support")["id"]

    def find_post() -> dict[str, Any] | None:
        posts = run.get(f"/api/v4/channels/{support_id}/posts", per_page=50)["posts"]
        return next((p for p in posts.values() if marker in p["message"]), None)

    post = eventually(find_post)
    assert post is not None, f"the webhook's post ({marker}) is not in team-support"
    assert post["user_id"] == bot_user["id"]
    assert post["props"]["from_webhook"] == "true"
    assert post["props"]["override_username"] == "zammad-bot"

    # mmrc output: masked unless --reveal
    masked = run.mmrc("output", "-f", str(path), env=env)
    assert "(sensitive)" in masked.stdout
    assert first[trigger]["token"] not in masked.stdout
    revealed = run.mmrc("output", "-f", str(path), "--reveal", "n8n ticket trigger", env=env)
    assert first[trigger]["token"] in revealed.stdout
    run.outputs.remove(revealed.stdout)  # the one output allowed to show a token

    # change them: a hook's channel, trigger words and callback, the command's owner, the bot
    changed = {
        "redmine_channel": "topic-business",
        "trigger_words": '"!ticket", "!ticket-urgent"',
        "callback": "https://n8n.example.com/webhook/mattermost-ticket-v2",
        "command_owner": bot,
        "bot_description": "n8n workflows: tickets and alerts",
        "grafana": False,  # left out while prune is off: reported as unmanaged, left alone
    }
    version = run.api.get("/api/v4/system/ping").headers["X-Version-Id"]
    owner_moves = can_set_creator(version)
    if not owner_moves:
        # Before 11.4, POST /commands makes the creating account the owner: refused at the field
        refused = run.mmrc(
            "plan", "-f", str(integrations_workspace(run, **changed)), expect=1, env=env
        )
        assert "owner: Mattermost" in refused.stderr and "ignores creator_id" in refused.stderr
        changed["command_owner"] = run.admin
    path = integrations_workspace(run, **changed)
    plan = plan_json(run, path, env)
    by_address = {c["address"]: c for c in plan["changes"]}
    assert by_address[f"{prefix}incoming_webhook.Redmine"]["changed_fields"] == ["channel"]
    assert set(by_address[trigger]["changed_fields"]) == {"trigger_words", "callback_urls"}
    if owner_moves:
        assert by_address[f"{prefix}command.reply"]["action"] == "replace"
    else:
        assert f"{prefix}command.reply" not in by_address
    assert by_address[f"bot.{bot}"]["changed_fields"] == ["description"]
    assert f"{prefix}incoming_webhook.Grafana" in plan["unmanaged"]
    assert "settings.sso.gitlab" not in by_address  # the fingerprint matches: nothing to write
    run.mmrc("apply", "-f", str(path), "--auto-approve", "--outputs-file", str(out), env=env)
    converged(run, path, env)
    second = read_outputs(out)
    assert second[f"{prefix}incoming_webhook.Redmine"] == first[f"{prefix}incoming_webhook.Redmine"]
    assert second[trigger]["token"] == first[trigger]["token"]  # the update kept the token
    replaced = second[f"{prefix}command.reply"]["token"] != first[f"{prefix}command.reply"]["token"]
    assert replaced == owner_moves
    moved = run.incoming_hooks(team_id)
    assert moved["Redmine"]["id"] == redmine["id"]
    assert moved["Redmine"]["channel_id"] == run.channel(team, "topic-business")["id"]
    outgoing = run.outgoing_hooks(team_id)["n8n ticket trigger"]
    assert outgoing["trigger_words"] == ["!ticket", "!ticket-urgent"]
    assert outgoing["callback_urls"] == ["https://n8n.example.com/webhook/mattermost-ticket-v2"]
    owner_id = bot_user["id"] if owner_moves else run.get("/api/v4/users/me")["id"]
    assert run.commands(team_id)["reply"]["creator_id"] == owner_id
    assert run.get(f"/api/v4/bots/{bot_user['id']}")["description"] == (
        "n8n workflows: tickets and alerts"
    )

    # prune: the undeclared Grafana hook is deleted and leaves the outputs file
    pruned_path = integrations_workspace(
        run,
        prune="true",
        redmine_channel="topic-business",
        trigger_words='"!ticket", "!ticket-urgent"',
        callback="https://n8n.example.com/webhook/mattermost-ticket-v2",
        command_owner=changed["command_owner"],
        bot_description="n8n workflows: tickets and alerts",
        grafana=False,
    )
    refused = run.mmrc("plan", "-f", str(pruned_path), env=env, expect=1)
    assert f"{prefix}incoming_webhook.Grafana: deletes the incoming webhook" in refused.stderr
    destroying = run.mmrc(
        "plan", "-f", str(pruned_path), "--format", "json", "--allow-destructive", env=env
    )
    plan = json.loads(destroying.stdout)
    assert [(c["address"], c["action"]) for c in plan["changes"]] == [
        (f"{prefix}incoming_webhook.Grafana", "remove")
    ]
    run.mmrc(
        "apply",
        "-f",
        str(pruned_path),
        "--auto-approve",
        "--allow-destructive",
        "--outputs-file",
        str(out),
        env=env,
    )
    converged(run, pruned_path, env)
    assert f"{prefix}incoming_webhook.Grafana" not in read_outputs(out)
    assert sorted(run.incoming_hooks(team_id)) == ["Redmine", "Zammad"]
    grafana = run.api.get(f"/api/v4/hooks/incoming/{incoming['Grafana']['id']}")
    assert grafana.status_code == 404

    # rotate: new tokens for the outgoing hook and the command, written to the outputs file
    rotated = run.mmrc(
        "rotate", "-f", str(pruned_path), "--auto-approve", "--outputs-file", str(out), env=env
    )
    assert f"rotated {prefix}command.reply" in rotated.stdout
    assert f"rotated {trigger}" in rotated.stdout
    final = read_outputs(out)
    assert final[trigger]["token"] != second[trigger]["token"]
    assert final[f"{prefix}command.reply"]["token"] != second[f"{prefix}command.reply"]["token"]
    assert run.outgoing_hooks(team_id)["n8n ticket trigger"]["token"] == final[trigger]["token"]
    assert run.commands(team_id)["reply"]["token"] == final[f"{prefix}command.reply"]["token"]
    converged(run, pruned_path, env)  # a rotation is no drift

    # no output, file or saved plan ever held the canary; hook ids and tokens stay in the file
    saved = run.workdir / "integrations-plan.json"
    run.mmrc("plan", "-f", str(pruned_path), "--out", str(saved), env=env)
    assert CANARY not in run.everything()
    for artefact in (saved, out, path, pruned_path):
        assert CANARY not in artefact.read_text()
    for entry in (*first.values(), *second.values(), *final.values()):
        secret = entry.get("token") or hook_id(entry)
        assert secret not in run.everything()


# -- 4. saved plans ------------------------------------------------------------------------------------

SAVED = """\
version: 1
policy: {classes: {}}
teams:
  - name: $team
    display_name: mmrc live saved plan
    channels:
      - {name: dev, display_name: Dev, purpose: $purpose}
      - {name: ops, display_name: Ops, purpose: $purpose}
"""


def test_saved_plan_applies_when_current_and_is_refused_when_stale(run: LiveRun) -> None:
    team = run.team("saved")
    path = run.write("saved.yaml", render(SAVED, team=team, purpose="first"))
    run.mmrc("apply", "-f", str(path), "--auto-approve")
    converged(run, path)

    path = run.write("saved.yaml", render(SAVED, team=team, purpose="second"))
    planfile = run.workdir / "saved-plan.json"
    run.mmrc("plan", "-f", str(path), "--out", str(planfile))
    assert run.token not in planfile.read_text()
    dev = run.channel(team, "dev")
    moved = live_patch(run, f"/api/v4/channels/{dev['id']}/patch", {"display_name": "Moved"})
    assert moved["display_name"] == "Moved"

    stale = run.mmrc("apply", str(planfile), "--auto-approve", expect=1)
    assert f"team.{team}/channel.dev: changed on the server" in stale.stdout + stale.stderr
    assert run.channel(team, "ops")["purpose"] == "first"  # nothing was applied
    assert run.channel(team, "dev")["display_name"] == "Moved"

    fresh = run.workdir / "fresh-plan.json"
    run.mmrc("plan", "-f", str(path), "--out", str(fresh))
    path.unlink()  # a saved plan applies without the workspace file
    applied = run.mmrc("apply", str(fresh), "--auto-approve", "--format", "json")
    assert json.loads(applied.stdout)["ok"] is True
    assert run.channel(team, "ops")["purpose"] == "second"
    dev_now = run.channel(team, "dev")
    assert (dev_now["purpose"], dev_now["display_name"]) == ("second", "Dev")
    path = run.write("saved.yaml", render(SAVED, team=team, purpose="second"))
    converged(run, path)


def live_patch(run: LiveRun, path: str, body: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = expect_status(run.api.put(path, json=body), 200)
    return found
