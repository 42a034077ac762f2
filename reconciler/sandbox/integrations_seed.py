"""The demo seed's hand-made integrations (`mmrc sandbox --seed demo`): what ASD-PMA
clicked together before mmrc, with the drift workspace.yaml is to fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.sandbox.integrations_commands import decode_command
from reconciler.sandbox.integrations_incoming import decode_incoming
from reconciler.sandbox.integrations_outgoing import decode_outgoing

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox
    from reconciler.sandbox.records import Channel

N8N = "http://asd-n8n:5678"


def _first_channel(sb: Sandbox, team_id: str, names: tuple[str, ...]) -> Channel | None:
    for name in names:
        channel = sb.core.channel_by_name(team_id, name)
        if channel is not None:
            return channel
    return None


def seed_demo_integrations(sb: Sandbox) -> None:
    """What ASD-PMA clicked together before mmrc (shared/seeds): the n8n and Grafana
    incoming hooks, the `!ticket` outgoing hook and `/reply`, all owned by whoever
    made them (an admin), with drift from workspace.yaml (form-encoded `!ticket`,
    `/reply` at an older URL without autocomplete, GitLab SSO half configured)."""
    store, core = sb.integrations, sb.core
    team = core.team_by_name("asd") or next(iter(core.teams.values()), None)
    owner = core.user_by_username("jan.devries") or core.user(core.admin_user_id)
    if team is not None and owner is not None:
        hooks = (
            (("tickets", "topic-tickets"), "n8n", "Ticket Notificatie (Redmine via n8n)", False),
            (("alerts", "alert-monitoring"), "Grafana", "Alert Handler workflow", True),
            (("support", "team-support"), "Zammad", "Zammad meldingen", True),
        )
        for names, display_name, description, locked in hooks:
            channel = _first_channel(sb, team.id, names)
            if channel is None:
                continue
            hook = decode_incoming(
                {
                    "channel_id": channel.id,
                    "display_name": display_name,
                    "description": description,
                    "channel_locked": locked,
                }
            )
            store.create_incoming(owner.id, channel, hook)
        store.create_outgoing(
            decode_outgoing(
                {
                    "team_id": team.id,
                    "creator_id": owner.id,
                    "display_name": "n8n ticket trigger",
                    "description": "Command Handler workflow (!ticket)",
                    "trigger_words": ["!ticket"],
                    "trigger_when": 0,
                    "callback_urls": [f"{N8N}/webhook/mattermost-ticket"],
                    "content_type": "application/x-www-form-urlencoded",
                }
            )
        )
        store.create_command(
            decode_command(
                {
                    "team_id": team.id,
                    "creator_id": owner.id,
                    "trigger": "reply",
                    "method": "P",
                    "url": f"{N8N}/webhook/reply",
                    "display_name": "Reply",
                    "description": "Reageer op tickets",
                    "auto_complete": False,
                }
            )
        )
    config = sb.config
    for path, value in (
        ("ServiceSettings.EnablePostUsernameOverride", True),
        ("GitLabSettings.Enable", True),
        ("GitLabSettings.Id", "asd-mattermost"),
        ("GitLabSettings.Secret", "gitlab-secret-set-by-hand"),
        ("GitLabSettings.AuthEndpoint", "http://asd-gitlab/oauth/authorize"),
        ("GitLabSettings.TokenEndpoint", "http://asd-gitlab/oauth/token"),
    ):
        config.set(path, value)
