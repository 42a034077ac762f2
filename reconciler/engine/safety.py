"""Guards: plans that would do more damage than intended fail before anything runs.

`archive_guard_errors` (a hard stop, no override): a channel whose entry says
`prevent_archive: true`, or whose name is in its team's `prevent_archive`
list (which survives the channel leaving the file), is never archived.

`check_safety` (overridden by --allow-destructive): archiving more than a
share of a team's channels, removing more than a share of a team's (or a
channel's) members, making a public channel private, or removing the applying
account from a team or channel (and so its admin rights there).
"""

from __future__ import annotations

from collections import Counter

from reconciler.errors import UnsafePlanError
from reconciler.kinds.base import Observation, PlanContext, PlanOptions
from reconciler.plan import Action, Plan

CHANNEL = "channel"
TEAM_MEMBER = "team_member"
CHANNEL_MEMBER = "channel_member"


def archive_guard_errors(context: PlanContext) -> None:
    """Adds an error for every planned archive that `prevent_archive` forbids."""
    teams = {team.name: (index, team) for index, team in enumerate(context.workspace.teams)}
    for change in context.changes:
        if change.kind != CHANNEL or change.action is not Action.ARCHIVE or change.team is None:
            continue
        if change.team not in teams:
            continue
        t_index, team = teams[change.team]
        channel_name = change.address.rsplit("/channel.", 1)[1]
        for c_index, channel in enumerate(team.channels):
            if channel.name == channel_name and channel.prevent_archive:
                context.error(
                    ("teams", t_index, "channels", c_index, "prevent_archive"),
                    f"the plan archives {change.address}, which sets prevent_archive: true",
                    hint="remove prevent_archive first if the archive is intended",
                )
        if channel_name in team.prevent_archive:
            at = team.prevent_archive.index(channel_name)
            context.error(
                ("teams", t_index, "prevent_archive", at),
                f"the plan archives {change.address}, which team {team.name!r} lists in prevent_archive",
                hint="remove it from the team's prevent_archive list first if the archive is intended",
            )


def unsafe_reasons(plan: Plan, observation: Observation, options: PlanOptions) -> list[str]:
    reasons: list[str] = []
    archives: Counter[str] = Counter()
    removals: Counter[tuple[str, str]] = Counter()
    me = str(observation.me.get("username", ""))
    for change in plan.changes:
        parent = change.address.rsplit("/", 1)[0]
        if change.kind == CHANNEL and change.action is Action.ARCHIVE:
            archives[parent] += 1
        if change.action is Action.REMOVE and change.kind in (TEAM_MEMBER, CHANNEL_MEMBER):
            removals[(parent, change.kind)] += 1
            if me and (change.before or {}).get("username") == me:
                reasons.append(
                    f"{change.address}: removes the applying account ({me}) and with it "
                    "its admin rights there"
                )
        for field in change.fields:
            if (
                change.kind == CHANNEL
                and field.field == "visibility"
                and (field.before, field.after) == ("public", "private")
            ):
                reasons.append(
                    f"{change.address}: makes a public channel private (its history is "
                    "hidden from non-members)"
                )
    for team, count in sorted(archives.items()):
        live = sum(1 for c in observation.under(team, CHANNEL) if not c.archived)
        if live and count / live > options.max_archive_share:
            reasons.append(
                f"{team}: archives {count} of its {live} channels "
                f"(more than {options.max_archive_share:.0%})"
            )
    for (parent, kind), count in sorted(removals.items()):
        live = len(observation.under(parent, kind))
        if live and count / live > options.max_member_removal_share:
            reasons.append(
                f"{parent}: removes {count} of its {live} members "
                f"(more than {options.max_member_removal_share:.0%})"
            )
    return reasons


def check_safety(plan: Plan, observation: Observation, options: PlanOptions) -> None:
    """Raises UnsafePlanError unless the plan is within the guards (or they are overridden)."""
    if options.allow_destructive:
        return
    reasons = unsafe_reasons(plan, observation, options)
    if reasons:
        raise UnsafePlanError(reasons)
