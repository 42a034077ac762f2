"""Semantic checks of bots, webhooks, slash commands and server settings.

Limits are the server's (`rules.py`). References: a webhook's channel must be
declared in its team (town-square and off-topic always exist) and not be
archived; outgoing webhooks only on public channels; owners are a declared
bot or a valid username; secrets are references.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.workspace import rules
from reconciler.workspace.checks import Report, did_you_mean
from reconciler.workspace.models import (
    Bot,
    Command,
    IncomingWebhook,
    Office365Sso,
    OutgoingWebhook,
    Policy,
    SsoProvider,
    Team,
    Workspace,
)
from reconciler.workspace.policy import effective_channel
from reconciler.workspace.secrets import secret_problem
from reconciler.workspace.sourcemap import FieldPath

_IMPLICIT_CHANNELS = ("town-square", "off-topic")  # every team has them
_ENDPOINTS = ("auth_endpoint", "token_endpoint", "user_api_endpoint", "discovery_endpoint")


def check_bots(bots: Sequence[Bot], report: Report) -> set[str]:
    seen: dict[str, int] = {}
    for index, bot in enumerate(bots):
        path: FieldPath = ("bots", index)
        report.error((*path, "username"), rules.username_problem(bot.username))
        report.length((*path, "display_name"), bot.display_name, rules.DISPLAY_NAME_MAX)
        report.length((*path, "description"), bot.description, rules.BOT_DESCRIPTION_MAX)
        if bot.username in seen:
            earlier = report.where(("bots", seen[bot.username], "username"))
            here = report.where((*path, "username"))
            report.error(
                (*path, "username"),
                f"bot {bot.username!r} is declared twice: at {earlier} and at {here}",
            )
        else:
            seen[bot.username] = index
    return set(seen)


def check_settings(workspace: Workspace, report: Report) -> None:
    settings = workspace.settings
    if settings is None:
        return
    if settings.guest_accounts is not None:
        base: FieldPath = ("settings", "guest_accounts")
        for index, domain in enumerate(settings.guest_accounts.restrict_domains or ()):
            if not domain or set(domain) & set(" ,@"):
                report.error((*base, "restrict_domains", index), f"{domain!r} is not a domain")
        if settings.guest_accounts.enable is False:
            for ti, team in enumerate(workspace.teams):
                if team.guests:
                    report.error(
                        ("teams", ti, "guests"),
                        "guests are declared but settings.guest_accounts.enable is false",
                    )
    if settings.sso is None:
        return
    for provider in ("gitlab", "google", "office365", "openid"):
        sso = getattr(settings.sso, provider)
        if sso is not None:
            _check_sso(sso, ("settings", "sso", provider), report)


def _check_sso(sso: SsoProvider | Office365Sso, path: FieldPath, report: Report) -> None:
    if sso.secret is not None:
        report.error((*path, "secret"), secret_problem(sso.secret))
    for name in _ENDPOINTS:
        value = getattr(sso, name)
        if value:
            report.error((*path, name), rules.http_url_problem(value))
    if sso.enable:
        for name in ("id", "secret"):
            if not getattr(sso, name):
                report.error(path, f"enable: true needs {name!r}")


class _Channels:
    """The channels a team's integrations may name."""

    def __init__(self, team: Team, policy: Policy, report: Report) -> None:
        self.team = team
        self.report = report
        self.by_name = {c.name: effective_channel(c, policy) for c in team.channels}
        self.renamed = {old: c.name for c in team.channels for old in c.renamed_from or ()}

    def check(self, path: FieldPath, name: str, *, public_only: bool = False) -> None:
        channel = self.by_name.get(name)
        if channel is None:
            if name in _IMPLICIT_CHANNELS:
                return
            report_hint: str | None
            if name in self.renamed:
                report_hint = f"renamed to {self.renamed[name]!r} in this file: use the new name"
            else:
                report_hint = did_you_mean(name, self.by_name)
            self.report.error(
                path, f"channel {name!r} is not declared in team {self.team.name!r}", report_hint
            )
            return
        if channel.archived:
            self.report.error(path, f"channel {name!r} is archived")
        if public_only and channel.visibility == "private":
            self.report.error(
                path, f"outgoing webhooks work only in public channels; {name!r} is private"
            )


def check_team_hooks(
    team: Team, path: FieldPath, policy: Policy, bots: set[str], report: Report
) -> None:
    channels = _Channels(team, policy, report)
    seen: dict[str, int] = {}
    for index, incoming in enumerate(team.incoming_webhooks):
        hpath: FieldPath = (*path, "incoming_webhooks", index)
        _unique(seen, incoming.display_name, index, hpath, "incoming webhook", report)
        _check_incoming(incoming, hpath, report)
        channels.check((*hpath, "channel"), incoming.channel)
        _owner(incoming.owner, (*hpath, "owner"), bots, report)
    seen = {}
    for index, outgoing in enumerate(team.outgoing_webhooks):
        hpath = (*path, "outgoing_webhooks", index)
        _unique(seen, outgoing.display_name, index, hpath, "outgoing webhook", report)
        _check_outgoing(outgoing, hpath, report)
        if outgoing.channel is not None:
            channels.check((*hpath, "channel"), outgoing.channel, public_only=True)
        _owner(outgoing.owner, (*hpath, "owner"), bots, report)
    _check_intersections(team.outgoing_webhooks, path, report)
    triggers: dict[str, int] = {}
    for index, command in enumerate(team.commands):
        cpath: FieldPath = (*path, "commands", index)
        key = command.trigger.lower()
        if key in triggers:
            where = report.where((*path, "commands", triggers[key], "trigger"))
            report.error(
                (*cpath, "trigger"), f"trigger {command.trigger!r} is already used at {where}"
            )
        triggers.setdefault(key, index)
        _check_command(command, cpath, report)
        _owner(command.owner, (*cpath, "owner"), bots, report)


def _unique(
    seen: dict[str, int], name: str, index: int, path: FieldPath, kind: str, report: Report
) -> None:
    if name in seen:
        where = report.where((*path[:-1], seen[name], "display_name"))
        report.error(
            (*path, "display_name"), f"{kind} display name {name!r} is already used at {where}"
        )
    seen.setdefault(name, index)


def _owner(owner: str | None, path: FieldPath, bots: set[str], report: Report) -> None:
    if owner is None or owner in bots:
        return
    problem = rules.username_problem(owner)
    if problem is not None:
        report.error(path, f"owner is neither a declared bot nor a valid username: {problem}")


def _check_incoming(hook: IncomingWebhook, path: FieldPath, report: Report) -> None:
    report.length((*path, "display_name"), hook.display_name, rules.DISPLAY_NAME_MAX, minimum=1)
    report.length((*path, "description"), hook.description, rules.HOOK_DESCRIPTION_MAX)
    if hook.username:
        report.error((*path, "username"), rules.username_problem(hook.username))
    if hook.icon_url is not None:
        problem = rules.length_problem(hook.icon_url, rules.HOOK_ICON_URL_MAX, unit="bytes")
        report.error((*path, "icon_url"), problem)


def _check_outgoing(hook: OutgoingWebhook, path: FieldPath, report: Report) -> None:
    report.length((*path, "display_name"), hook.display_name, rules.DISPLAY_NAME_MAX, minimum=1)
    report.length((*path, "description"), hook.description, rules.HOOK_DESCRIPTION_MAX)
    words = hook.trigger_words or ()
    for index, word in enumerate(words):
        if not word.strip():
            report.error((*path, "trigger_words", index), "a trigger word must not be empty")
        elif any(ch.isspace() for ch in word):
            report.error(
                (*path, "trigger_words", index),
                f"{word!r} contains a space; only the first word of a message is matched",
            )
    report.error(
        (*path, "trigger_words"),
        rules.length_problem(",".join(words), rules.OUTGOING_RENDERED_MAX),
    )
    if not words and hook.channel is None:
        report.error(path, "an outgoing webhook needs a channel or trigger_words")
    if not hook.callback_urls:
        report.error((*path, "callback_urls"), "at least one callback URL is required")
    for index, url in enumerate(hook.callback_urls):
        report.error((*path, "callback_urls", index), rules.http_url_problem(url))
    report.error(
        (*path, "callback_urls"),
        rules.length_problem(",".join(hook.callback_urls), rules.OUTGOING_RENDERED_MAX),
    )
    if hook.username:
        report.error((*path, "username"), rules.username_problem(hook.username))
    if hook.icon_url is not None:
        report.length((*path, "icon_url"), hook.icon_url, rules.HOOK_ICON_URL_MAX)


def _check_intersections(hooks: Sequence[OutgoingWebhook], path: FieldPath, report: Report) -> None:
    """Mattermost refuses two hooks on one channel sharing a trigger word and a callback URL."""
    for later in range(len(hooks)):
        for earlier in range(later):
            a, b = hooks[earlier], hooks[later]
            if a.channel != b.channel:
                continue
            if set(a.trigger_words or ()) & set(b.trigger_words or ()) and set(
                a.callback_urls
            ) & set(b.callback_urls):
                report.error(
                    (*path, "outgoing_webhooks", later, "trigger_words"),
                    f"shares a trigger word and a callback URL with {a.display_name!r} "
                    "on the same channel, which Mattermost refuses",
                )


def _check_command(command: Command, path: FieldPath, report: Report) -> None:
    report.error((*path, "trigger"), rules.command_trigger_problem(command.trigger))
    report.error((*path, "url"), rules.http_url_problem(command.url))
    report.length((*path, "url"), command.url, rules.COMMAND_URL_MAX)
    report.length((*path, "display_name"), command.display_name, rules.DISPLAY_NAME_MAX)
    report.length((*path, "description"), command.description, rules.COMMAND_DESCRIPTION_MAX)
