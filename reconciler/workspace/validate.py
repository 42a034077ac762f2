"""Semantic checks of a structurally valid workspace: teams, channels, people, policy.

Every check records a diagnostic at the offending field and carries on, so
one run reports every problem. Integrations (bots, webhooks, commands) and
settings are checked in `validate_integrations.py`.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.errors import Diagnostic
from reconciler.workspace import rules
from reconciler.workspace.checks import Report
from reconciler.workspace.models import Channel, Policy, Team, Workspace
from reconciler.workspace.policy import channel_class, class_prefix, naming_problem
from reconciler.workspace.sourcemap import FieldPath, SourceMap
from reconciler.workspace.validate_integrations import check_bots, check_settings, check_team_hooks

_DOMAIN_BAD_CHARS = set(" \t,@")


def check_workspace(workspace: Workspace, source_map: SourceMap) -> list[Diagnostic]:
    report = Report(source_map)
    bots = check_bots(workspace.bots, report)
    check_settings(workspace, report)
    _check_policy(workspace, report)
    first: dict[str, int] = {}
    for index, team in enumerate(workspace.teams):
        path: FieldPath = ("teams", index)
        if team.name in first:
            earlier = report.where(("teams", first[team.name], "name"))
            here = report.where((*path, "name"))
            report.error(
                (*path, "name"),
                f"team {team.name!r} is declared twice: at {earlier} and at {here}",
            )
        else:
            first[team.name] = index
        _check_team(team, path, workspace.policy, report)
        check_team_hooks(team, path, workspace.policy, bots, report)
    return report.diagnostics


def _check_policy(workspace: Workspace, report: Report) -> None:
    policy = workspace.policy
    base: FieldPath = ("policy",)
    for index, name in enumerate(policy.exempt):
        report.error((*base, "exempt", index), rules.channel_name_problem(name))
    prefixes: dict[str, str] = {}
    for name, cls in policy.classes.items():
        path: FieldPath = (*base, "classes", name)
        prefix = class_prefix(name, cls)
        if not prefix or not all(ch.isalnum() or ch in "-_" for ch in prefix):
            report.error(
                (*path, "prefix") if cls.prefix is not None else path,
                f"prefix {prefix!r} cannot start a channel name (lowercase, digits, '-', '_')",
            )
        elif prefix != prefix.lower():
            report.error((*path, "prefix"), f"prefix {prefix!r} must be lowercase")
        if prefix in prefixes:
            report.error(path, f"class {name!r} has the same prefix as {prefixes[prefix]!r}")
        prefixes[prefix] = name
        if not cls.allow_guests and cls.moderation is not None and cls.moderation.guests:
            report.error(
                (*path, "moderation", "guests"),
                "guest moderation contradicts allow_guests: false",
            )
    teams = {team.name for team in workspace.teams}
    for index, exception in enumerate(policy.exceptions):
        path = (*base, "exceptions", index)
        if exception.team not in teams:
            report.error((*path, "team"), f"team {exception.team!r} is not declared")
        report.error((*path, "channel"), rules.channel_name_problem(exception.channel))
        if not exception.reason.strip():
            report.error((*path, "reason"), "an exception needs a reason")


def _check_team(team: Team, path: FieldPath, policy: Policy, report: Report) -> None:
    report.error((*path, "name"), rules.team_name_problem(team.name))
    report.length((*path, "display_name"), team.display_name, rules.DISPLAY_NAME_MAX, minimum=1)
    report.length((*path, "description"), team.description, rules.TEAM_DESCRIPTION_MAX)
    for index, domain in enumerate(team.allowed_domains or ()):
        if not domain or _DOMAIN_BAD_CHARS & set(domain):
            report.error(
                (*path, "allowed_domains", index),
                f"{domain!r} is not a domain; list one domain per item, without '@'",
            )
    report.usernames((*path, "members"), team.members)
    report.usernames((*path, "guests"), team.guests)
    _both((*path, "guests"), team.members, team.guests, report)
    declared: dict[str, int] = {}
    rosters = _Rosters(team)
    for index, channel in enumerate(team.channels):
        cpath: FieldPath = (*path, "channels", index)
        if channel.name in declared:
            report.error(
                (*cpath, "name"),
                f"channel {channel.name!r} is declared twice in team {team.name!r} "
                f"(also at {report.where((*path, 'channels', declared[channel.name], 'name'))})",
            )
        else:
            declared[channel.name] = index
        _check_channel(team, channel, cpath, policy, report, rosters)
    _check_renames(team, path, report)
    for index, name in enumerate(team.prevent_archive):
        report.error((*path, "prevent_archive", index), rules.channel_name_problem(name))
        if name in declared and team.channels[declared[name]].archived:
            report.error(
                (*path, "prevent_archive", index),
                f"channel {name!r} is archived here and also protected by prevent_archive",
            )


def _both(path: FieldPath, members: Sequence[str] | None, guests: Sequence[str] | None,
          report: Report) -> None:  # fmt: skip
    for index, name in enumerate(guests or ()):
        if name in (members or ()):
            report.error((*path, index), f"{name!r} cannot be both a member and a guest")


class _Rosters:
    """A team's members and guests as sets, made once for all its channels."""

    def __init__(self, team: Team) -> None:
        self.members = None if team.members is None else frozenset(team.members)
        self.guests = None if team.guests is None else frozenset(team.guests)


def _check_channel(
    team: Team,
    channel: Channel,
    path: FieldPath,
    policy: Policy,
    report: Report,
    rosters: _Rosters,
) -> None:
    name_problem = rules.channel_name_problem(channel.name)
    report.error((*path, "name"), name_problem)
    report.length((*path, "display_name"), channel.display_name, rules.DISPLAY_NAME_MAX, minimum=1)
    report.length((*path, "purpose"), channel.purpose, rules.CHANNEL_PURPOSE_MAX)
    report.length((*path, "header"), channel.header, rules.CHANNEL_HEADER_MAX)
    report.usernames((*path, "members"), channel.members)
    report.usernames((*path, "guests"), channel.guests)
    _both((*path, "guests"), channel.members, channel.guests, report)
    _subset(team, rosters, "members", channel.members, (*path, "members"), report)
    _subset(team, rosters, "guests", channel.guests, (*path, "guests"), report)
    if channel.archived and channel.prevent_archive:
        report.error((*path, "prevent_archive"), "archived: true contradicts prevent_archive: true")
    if channel.name == rules.DEFAULT_CHANNEL:
        if channel.archived:
            report.error((*path, "archived"), "town-square cannot be archived")
        if channel.visibility == "private":
            report.error((*path, "visibility"), "town-square cannot be made private")
        if channel.renamed_from:
            report.error((*path, "renamed_from"), "town-square cannot be renamed")
    problem = naming_problem(team.name, channel.name, policy)
    if problem is not None and name_problem is None:
        hint = "rename it (keep the old name in renamed_from) or add it to policy.exceptions"
        report.error((*path, "name"), problem, hint)
    _check_class(channel, path, policy, report)


def _subset(team: Team, rosters: _Rosters, role: str, names: Sequence[str] | None,
            path: FieldPath, report: Report) -> None:  # fmt: skip
    allowed = rosters.members if role == "members" else rosters.guests
    if allowed is None:
        return
    other_role = "guests" if role == "members" else "members"
    other = rosters.guests if role == "members" else rosters.members
    for index, name in enumerate(names or ()):
        if name in allowed:
            continue
        hint = None
        if name in (other or ()):
            hint = f"{name!r} is one of the team's {other_role}; list them under {other_role}"
        report.error(
            (*path, index),
            f"{name!r} is not in the {role} of team {team.name!r}",
            hint or f"add {name!r} to teams[].{role}",
        )


def _check_class(channel: Channel, path: FieldPath, policy: Policy, report: Report) -> None:
    found = channel_class(channel.name, policy)
    if found is None:
        return
    name, cls = found
    where = f"policy.classes.{name}"
    if cls.visibility is not None and channel.visibility not in (None, cls.visibility):
        report.error(
            (*path, "visibility"),
            f"{class_prefix(name, cls)}* channels must be {cls.visibility} ({where}.visibility)",
        )
    if not cls.allow_guests:
        if channel.guests:
            report.error(
                (*path, "guests"),
                f"{class_prefix(name, cls)}* channels do not allow guests ({where}.allow_guests)",
            )
        if channel.moderation is not None and channel.moderation.guests is not None:
            report.error(
                (*path, "moderation", "guests"),
                f"guest moderation on a channel whose class forbids guests ({where})",
            )
    if cls.require_purpose and not (channel.purpose or "").strip():
        report.error(
            (*path, "purpose") if channel.purpose is not None else path,
            f"{class_prefix(name, cls)}* channels need a purpose ({where}.require_purpose)",
        )


def _check_renames(team: Team, path: FieldPath, report: Report) -> None:
    declared = {channel.name for channel in team.channels}
    claimed: dict[str, str] = {}
    for index, channel in enumerate(team.channels):
        for item, old in enumerate(channel.renamed_from):
            rpath: FieldPath = (*path, "channels", index, "renamed_from", item)
            report.error(rpath, rules.channel_name_problem(old))
            if old == channel.name:
                report.error(rpath, f"{old!r} is the channel's own name")
            elif old in declared:
                report.error(
                    rpath, f"{old!r} is also declared as a channel; a renamed_from name must not be"
                )
            elif old == rules.DEFAULT_CHANNEL:
                report.error(rpath, "town-square cannot be renamed")
            if old in claimed and claimed[old] != channel.name:
                report.error(rpath, f"{old!r} is already renamed to {claimed[old]!r}")
            claimed.setdefault(old, channel.name)
