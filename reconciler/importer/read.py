"""Reading a live server for `mmrc import`, through the engine's observe and the kinds'.

The kinds observe what a workspace declares (channels of declared teams,
members of channels whose members are managed, …), so the reader declares
in three steps what it wants to see, growing a synthetic workspace:

1. settings, every bot, every team (the engine's `observe`: server ping,
   licence, the importing account, permissions);
2. the selected teams → their channels (and team members with `--members`);
3. their channels → channel members (`--members`), moderation (only channels
   with their own scheme: a channel without one follows its team and system
   scheme), incoming and outgoing webhooks and slash commands (read for the
   teams that prune them: the synthetic teams say so).

No endpoint is read here directly: every read is a kind's `observe`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.engine.observe import observe
from reconciler.errors import ReconcilerError
from reconciler.kinds import (
    bots,
    channel_members,
    channels,
    commands,
    incoming_webhooks,
    moderation,
    outgoing_webhooks,
    settings,
    team_members,
    teams,
)
from reconciler.kinds.base import LiveObject, Observation, PlanContext, PlanOptions
from reconciler.kinds.lookup import team_address
from reconciler.workspace.models import (
    Channel,
    MemberModeration,
    Moderation,
    Prune,
    Settings,
    Team,
    Workspace,
)

if TYPE_CHECKING:
    from reconciler.client import Client, ServerInfo

# A moderation the reader declares only so that the moderation kind reads the channel.
_PROBE = Moderation(members=MemberModeration(post=True))
_READ_INTEGRATIONS = Prune(webhooks=True, commands=True)


@dataclass
class LiveState:
    """What `mmrc import` read: the observation plus how it was read."""

    observation: Observation
    server: ServerInfo
    teams: tuple[str, ...]  # imported team names, server order
    members: bool  # memberships were read
    skipped_teams: tuple[str, ...] = ()  # deleted teams (not imported)
    notes: list[str] = field(default_factory=list)

    def team(self, name: str) -> LiveObject:
        found = self.observation.get(team_address(name))
        assert found is not None
        return found

    def channels(self, team: str) -> list[LiveObject]:
        return sorted(
            self.observation.under(team_address(team), channels.name),
            key=lambda c: (c.archived, str(c.data["name"])),
        )


def read_server(
    client: Client, *, only_teams: Sequence[str] = (), members: bool = False
) -> LiveState:
    """Observe the server for an import (raises ReconcilerError for an unknown `--team`)."""
    context = PlanContext(
        workspace=Workspace(version=1, settings=Settings()),
        observation=Observation(),
        options=PlanOptions(prune_bots=True),  # the bots kind then reads every bot
    )
    info = observe(client, context, (settings, bots, teams))
    observation = context.observation
    live_teams = sorted(observation.of_kind(teams.name), key=lambda t: str(t.data["name"]))
    active = [t for t in live_teams if not t.archived]
    deleted = tuple(str(t.data["name"]) for t in live_teams if t.archived)
    names = [str(t.data["name"]) for t in active]
    if only_teams:
        unknown = [n for n in only_teams if n not in names]
        if unknown:
            known = ", ".join(names) or "none"
            raise ReconcilerError(
                f"no such team on the server: {', '.join(unknown)} (teams: {known})"
            )
        names = [n for n in names if n in set(only_teams)]
        deleted = ()
    selected = [t for t in active if t.data["name"] in names]

    context.workspace = Workspace(
        version=1,
        settings=Settings(),
        teams=tuple(
            Team(
                name=str(t.data["name"]),
                display_name=str(t.data["display_name"]),
                members=() if members else None,
                # the integration kinds read the hooks and commands of teams that prune them
                # (nothing is planned here, so nothing is pruned)
                prune=_READ_INTEGRATIONS,
            )
            for t in selected
        ),
    )
    for kind in (team_members, channels):
        kind.observe(client, context)

    declared: list[Team] = []
    for team in context.workspace.teams:
        declared_channels = []
        for live in observation.under(team_address(team.name), channels.name):
            own_scheme = bool(live.raw.get("scheme_id"))
            declared_channels.append(
                Channel(
                    name=str(live.data["name"]),
                    display_name=str(live.data["display_name"]),
                    members=() if members and not live.archived else None,
                    moderation=_PROBE if own_scheme and not live.archived else None,
                )
            )
        declared.append(team.model_copy(update={"channels": tuple(declared_channels)}))
    context.workspace = context.workspace.model_copy(update={"teams": tuple(declared)})
    for kind in (channel_members, moderation, incoming_webhooks, outgoing_webhooks, commands):
        kind.observe(client, context)
    state = LiveState(observation, info, tuple(names), members, deleted)
    if observation.config is None:
        state.notes.append(
            "settings: the server's config is not readable with this token "
            "(GET /api/v4/config needs a system console read permission); none imported"
        )
    return state
