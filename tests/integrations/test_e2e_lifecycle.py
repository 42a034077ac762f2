"""The seeds' integrations end to end: plan → apply → plan empty, change, prune, rotate.

Everything runs through `mmrc` (CliRunner) against a sandbox on real HTTP;
every captured output is grepped for the canary secret at the end of each test.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration_seeds import APPROVAL_PAYLOAD, ZAMMAD_PAYLOAD, workspace
from integrations_helpers import CANARY, Mmrc

from reconciler import secret_state

HOOKS = ("Redmine", "Zammad", "ERPNext", "Grafana")


def outputs_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())["outputs"]
    return data


def assert_no_canary(mmrc: Mmrc, *files: Path) -> None:
    assert CANARY not in mmrc.everything()
    for path in files:
        if path.exists():
            assert CANARY not in path.read_text()


def test_create_converge_outputs_and_smoke_test(mmrc: Mmrc) -> None:
    ws = mmrc.write(workspace())
    planned = mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=2)
    for name in HOOKS:
        assert f"team.asd/incoming_webhook.{name}" in planned.stdout
    assert "settings.sso.gitlab" in planned.stdout
    assert "(sensitive)" in planned.stdout

    out = mmrc.workdir / "outputs.json"
    applied = mmrc.run(
        "apply", "-f", str(ws), "--auto-approve", "--outputs-file", str(out), "--smoke-test"
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = outputs_of(out)
    for name in HOOKS:
        entry = data[f"team.asd/incoming_webhook.{name}"]
        assert entry["url"].startswith("http://127.0.0.1:8065/hooks/")  # the server's SiteURL
        assert f"Smoke test ok: team.asd/incoming_webhook.{name} answered 200" in applied.stdout
        hook_id = entry["url"].rsplit("/", 1)[1]
        assert hook_id not in mmrc.everything()  # the credential is only in the file
    token = data["team.asd/outgoing_webhook.n8n ticket trigger"]["token"]
    assert len(token) == 26 and len(data["team.asd/command.reply"]["token"]) == 26
    assert token not in mmrc.everything()

    # the smoke test posted into each hook's own channel
    sandbox = mmrc.sandbox
    with sandbox.lock:
        texts = [p["message"] for p in sandbox.integrations.posts.values()]
    assert sum("mmrc smoke test" in t for t in texts) == len(HOOKS)

    # converged: a second plan is empty
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)

    # the fingerprint is in the server's config, never the value
    with sandbox.lock:
        stored = sandbox.config.effective()
    fingerprints = secret_state.read_fingerprints(stored)
    assert set(fingerprints) == {"settings.sso.gitlab.secret"}
    assert secret_state.verify_fingerprint(
        "settings.sso.gitlab.secret", CANARY, fingerprints["settings.sso.gitlab.secret"]
    )
    assert stored["GitLabSettings"]["Secret"] == CANARY  # it was written

    # mmrc output: masked unless --reveal
    masked = mmrc.run("output", "-f", str(ws))
    assert token not in masked.stdout and "(sensitive)" in masked.stdout
    revealed = mmrc.run("output", "-f", str(ws), "--reveal", "n8n ticket trigger")
    assert token in revealed.stdout
    mmrc.outputs.remove(revealed.stdout)  # the one output allowed to hold a token

    # the webhook carries the seeds' payloads (attachments with interactive buttons)
    zammad = data["team.asd/incoming_webhook.Zammad"]["url"].rsplit("/", 1)[1]
    with httpx.Client(base_url=mmrc.url) as http:
        for payload in (ZAMMAD_PAYLOAD, APPROVAL_PAYLOAD):
            answer = http.post(f"/hooks/{zammad}", json=payload)
            assert answer.status_code == 200 and answer.text == "ok"
    with sandbox.lock:
        posts = list(sandbox.integrations.posts.values())
    approval = [p for p in posts if p["message"] == "Approve deployment?"]
    assert approval and approval[0]["type"] == "slack_attachment"
    actions = approval[0]["props"]["attachments"][0]["actions"]
    assert [a["name"] for a in actions] == ["Approve", "Reject"]
    ticket = next(p for p in posts if "ZD#74001" in p["message"])
    assert ticket["props"]["override_username"] == "zammad-bot"
    assert ticket["props"]["from_webhook"] == "true"
    assert_no_canary(mmrc, ws)


# a bot owns a slash command only where POST /commands honours creator_id (11.4 on)
@pytest.mark.parametrize("server_options", [{"server_version": "11.4.0"}])
def test_changes_owner_to_bot_prune_and_rotate(mmrc: Mmrc) -> None:
    ws = mmrc.write(workspace())
    out = mmrc.workdir / "outputs.json"
    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--outputs-file", str(out))
    before = outputs_of(out)

    changed = workspace(
        redmine_channel="topic-business",  # channel moved
        trigger_words='["!ticket", "!ticket-urgent"]',  # trigger word added
        callback="http://asd-n8n:5678/webhook/mattermost-ticket-v2",  # callback URL changed
        command_owner="n8n-bot",  # owner changed to a bot
        grafana=False,  # removed from the file (prune is off: left alone)
    )
    mmrc.write(changed)
    planned = mmrc.run("plan", "-f", str(ws), "--format", "json")
    plan = json.loads(planned.stdout)
    by_address = {c["address"]: c for c in plan["changes"]}
    redmine = by_address["team.asd/incoming_webhook.Redmine"]
    assert redmine["action"] == "update" and redmine["changed_fields"] == ["channel"]
    outgoing = by_address["team.asd/outgoing_webhook.n8n ticket trigger"]
    assert outgoing["action"] == "update"
    assert set(outgoing["changed_fields"]) == {"trigger_words", "callback_urls"}
    command = by_address["team.asd/command.reply"]
    assert command["action"] == "replace" and command["changed_fields"] == ["owner"]
    assert "team.asd/incoming_webhook.Grafana" in plan["unmanaged"]
    assert "settings.sso.gitlab" not in by_address  # fingerprint matches: nothing to write

    mmrc.run("apply", "-f", str(ws), "--auto-approve", "--outputs-file", str(out))
    after = outputs_of(out)
    # the hook kept its URL; the outgoing hook kept its token (PUT sent it back)
    redmine_url = before["team.asd/incoming_webhook.Redmine"]["url"]
    assert after["team.asd/incoming_webhook.Redmine"]["url"] == redmine_url
    trigger = "team.asd/outgoing_webhook.n8n ticket trigger"
    assert after[trigger]["token"] == before[trigger]["token"]
    # the command was recreated under the bot: a new token, in the outputs file
    assert after["team.asd/command.reply"]["token"] != before["team.asd/command.reply"]["token"]
    sandbox = mmrc.sandbox
    with sandbox.lock:
        hooks = {h["display_name"]: h for h in sandbox.integrations.outgoing.values()}
        commands = [c for c in sandbox.integrations.commands.values() if not c["delete_at"]]
        bot = sandbox.core.user_by_username("n8n-bot")
    assert hooks["n8n ticket trigger"]["trigger_words"] == ["!ticket", "!ticket-urgent"]
    assert hooks["n8n ticket trigger"]["token"] == before[trigger]["token"]
    assert [c["creator_id"] for c in commands if c["trigger"] == "reply"] == [bot.id]
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)

    # prune: the undeclared Grafana hook is removed and leaves the outputs file
    mmrc.write(
        workspace(
            grafana=False,
            prune=True,
            command_owner="n8n-bot",
            redmine_channel="topic-business",
            trigger_words='["!ticket", "!ticket-urgent"]',
            callback="http://asd-n8n:5678/webhook/mattermost-ticket-v2",
        )
    )
    refused = mmrc.run("plan", "-f", str(ws), expect=1)  # deleting a hook is destructive
    assert "team.asd/incoming_webhook.Grafana: deletes the incoming webhook" in refused.stderr
    pruned = mmrc.run("plan", "-f", str(ws), "--format", "json", "--allow-destructive")
    changes = json.loads(pruned.stdout)["changes"]
    assert [(c["address"], c["action"]) for c in changes] == [
        ("team.asd/incoming_webhook.Grafana", "remove")
    ]
    mmrc.run(
        "apply", "-f", str(ws), "--auto-approve", "--allow-destructive", "--outputs-file", str(out)
    )
    assert "team.asd/incoming_webhook.Grafana" not in outputs_of(out)
    mmrc.run("plan", "-f", str(ws), "--detailed-exitcode", expect=0)

    # rotate: new tokens for the outgoing hook and the command, written to the file
    rotated = mmrc.run("rotate", "-f", str(ws), "--auto-approve", "--outputs-file", str(out))
    assert "rotated team.asd/command.reply" in rotated.stdout
    assert "rotated team.asd/outgoing_webhook.n8n ticket trigger" in rotated.stdout
    final = outputs_of(out)
    assert final[trigger]["token"] != after[trigger]["token"]
    assert final["team.asd/command.reply"]["token"] != after["team.asd/command.reply"]["token"]
    assert final["team.asd/incoming_webhook.Redmine"]["url"] == redmine_url
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with sandbox.lock:
        live = {h["display_name"]: h["token"] for h in sandbox.integrations.outgoing.values()}
    assert live["n8n ticket trigger"] == final[trigger]["token"]
    for entry in final.values():
        secret = entry.get("token") or entry["url"].rsplit("/", 1)[1]
        assert secret not in mmrc.everything()
    assert_no_canary(mmrc, ws)
