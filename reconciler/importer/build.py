"""An observation → workspace YAML text that reproduces the server (ruamel round-trip).

What is written, and what is not:

- teams (not deleted ones) with display name, visibility, description and
  allowed domains; `prune` all off (an imported workspace never deletes);
- channels, archived ones as `archived: true`; moderation only for channels
  with their own scheme; members and guests only with `--members`, without the
  implicit ones (the importing account, bots, everyone in town-square and
  off-topic), so the next plan is empty;
- incoming webhooks by display name (their ids are credentials and are never
  written); two live hooks with one display name cannot be keyed and are
  skipped with a comment; outgoing webhooks and commands without tokens;
- every enabled bot; the settings the workspace format covers, secrets as
  `${env:…}` references with a comment, env-pinned settings left out with a comment;
- the channels that break the naming policy as `policy.exceptions`, each with
  a comment, so the file validates.

String values that look like Jinja2 are wrapped in `{% raw %}` so templating
gives them back unchanged. Everything skipped or made up is also listed in
the `Summary` (stderr).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.importer.naming import (
    EXCEPTION_COMMENT,
    NamingException,
    naming_exceptions,
    secret_env_name,
)
from reconciler.importer.read import LiveState
from reconciler.kinds import (
    bots,
    channel_members,
    commands,
    incoming_webhooks,
    moderation,
    outgoing_webhooks,
    settings,
    team_members,
)
from reconciler.kinds.base import LiveObject, Observation
from reconciler.kinds.integration_support import config_value, env_pinned
from reconciler.kinds.lookup import DEFAULT_CHANNELS, channel_address, team_address
from reconciler.plan import SENSITIVE
from reconciler.workspace.models import Office365Sso, SsoProvider

SCHEMA_LINE = "yaml-language-server: $schema=./schemas/workspace.schema.json"
_JINJA = ("{{", "{%", "{#")
_SSO_PROVIDERS = ("gitlab", "google", "office365", "openid")


@dataclass
class Summary:
    """What the import did, for stderr: counts, exceptions, skips, variables to set."""

    server: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    exceptions: list[NamingException] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    env_vars: list[tuple[str, str]] = field(default_factory=list)  # (variable, setting)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def render(self, shown: int = 20) -> str:
        lines = [f"Imported from {self.server}:"]
        lines += [f"  {kind}: {n}" for kind, n in self.counts.items()]
        if self.exceptions:
            lines.append(
                f"Naming policy exceptions ({len(self.exceptions)}), kept as a baseline in "
                "policy.exceptions:"
            )
            lines += [f"  {e.team}/{e.channel}" for e in self.exceptions[:shown]]
            if len(self.exceptions) > shown:
                lines.append(f"  … and {len(self.exceptions) - shown} more")
        if self.skipped:
            lines.append(f"Skipped ({len(self.skipped)}):")
            lines += [f"  {s}" for s in self.skipped]
        if self.env_vars:
            lines.append("Set these environment variables before `mmrc plan`:")
            lines += [f"  {var}  ({setting})" for var, setting in self.env_vars]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


@dataclass
class ImportResult:
    files: dict[str, str]  # path relative to the root file's directory → text
    summary: Summary
    root: str


def template_safe(text: str) -> str:
    """`text` such that Jinja2 templating gives it back unchanged."""
    if not any(marker in text for marker in _JINJA):
        return text
    if "endraw" not in text:
        return "{% raw %}" + text + "{% endraw %}"
    return "{{ " + repr(text) + " }}"


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return template_safe(value)
    return value


def _flow(items: Iterable[Any]) -> CommentedSeq:
    seq = CommentedSeq([_plain(i) for i in items])
    seq.fa.set_flow_style()
    return seq


def _flow_map(values: Mapping[str, Any]) -> CommentedMap:
    mapping = CommentedMap((k, _plain(v)) for k, v in values.items())
    mapping.fa.set_flow_style()
    return mapping


def _put(target: CommentedMap, key: str, value: Any) -> None:
    if isinstance(value, (list, tuple)):
        target[key] = _flow(value)
    else:
        target[key] = _plain(value)


def _comment_before(target: CommentedMap, key: Any, lines: list[str], indent: int) -> None:
    """Comment lines above `key` of `target`, whose keys sit at column `indent`."""
    if lines:
        target.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=indent)


class _Builder:
    def __init__(self, state: LiveState, now: dt.datetime) -> None:
        self.state = state
        self.obs: Observation = state.observation
        self.now = now
        self.summary = Summary(server=f"{state.server.url} (Mattermost {state.server.version})")
        self.implicit = {self.obs.me_id, *self.obs.bot_ids}
        self.guests_declared = False

    # -- settings ---------------------------------------------------------------------------
    def settings(self) -> CommentedMap | None:
        config = self.obs.config
        if config is None:
            return None
        out = CommentedMap()
        for group in ("integrations", "guest_accounts"):
            built = self._group(group, 4)
            if built is not None:
                out[group] = built
        sso = CommentedMap()
        for provider in _SSO_PROVIDERS:
            if self._sso_in_use(provider):
                built = self._group(f"sso.{provider}", 6)
                if built is not None:
                    sso[provider] = built
        if sso:
            out["sso"] = sso
        for group in out:
            self.summary.count("settings groups", len(sso) if group == "sso" else 1)
        return out or None

    def _sso_in_use(self, provider: str) -> bool:
        section = settings.GROUPS[f"sso.{provider}"][0]
        values = [config_value(self.obs.config, section, key) for key in ("Enable", "Id", "Secret")]
        return any(bool(v) for v in values)

    def _group(self, group: str, indent: int) -> CommentedMap | None:
        section, fields = settings.GROUPS[group]
        model = {"sso.office365": Office365Sso}.get(group, SsoProvider)
        out = CommentedMap()
        pinned_notes: list[str] = []
        for setting in fields:
            if group.startswith("sso.") and setting.field not in model.model_fields:
                continue
            raw = config_value(self.obs.config, section, setting.key)
            if raw is None:
                continue
            pinned = env_pinned(self.obs.environment, section, setting.key)
            if pinned:
                pinned_notes.append(
                    f"{setting.field}: left out, pinned by the server's environment ({pinned})"
                )
                continue
            value = settings.from_config(setting, raw)
            guest_switch = group == "guest_accounts" and setting.field == "enable"
            if guest_switch and value is False and self.guests_declared:
                pinned_notes.append(
                    "enable: left out: it is false on the server, yet the server has guests "
                    "(imported under guests:), and the format refuses guests with guest "
                    "accounts off"
                )
                continue
            if setting.form == "secret":
                if value != SENSITIVE:
                    continue  # no secret set on the server: nothing to reference
                taken = [name for name, _ in self.summary.env_vars]
                var = secret_env_name(group, setting.field, taken)
                label = f"settings.{group}.{setting.field}"
                out[setting.field] = f"${{env:{var}}}"
                out.yaml_add_eol_comment(f"secret: set ${{env:{var}}} before plan", setting.field)
                self.summary.env_vars.append((var, label))
                continue
            _put(out, setting.field, value)
        self.summary.notes += [f"settings.{group}.{n}" for n in pinned_notes]
        if pinned_notes and out:
            _comment_before(out, next(iter(out)), pinned_notes, indent)
        return out or None

    # -- bots -------------------------------------------------------------------------------
    def bots(self) -> CommentedSeq:
        out = CommentedSeq()
        for live in sorted(self.obs.of_kind(bots.name), key=lambda b: str(b.data["username"])):
            if live.archived:
                self.summary.skipped.append(f"{live.address}: disabled on the server")
                continue
            bot = CommentedMap(username=live.data["username"])
            for key in bots.FIELDS:
                if live.data.get(key):
                    _put(bot, key, live.data[key])
            bot.fa.set_flow_style()
            out.append(bot)
            self.summary.count("bots")
        return out

    # -- teams ------------------------------------------------------------------------------
    def team(self, name: str) -> CommentedMap:
        live = self.state.team(name)
        data = live.data
        out = CommentedMap()
        out["name"] = data["name"]
        _put(out, "display_name", data["display_name"])
        out["visibility"] = data["visibility"]
        _put(out, "description", data["description"])
        if data["allowed_domains"]:
            _put(out, "allowed_domains", data["allowed_domains"])
        self.summary.count("teams")
        team_lists: dict[str, set[str]] = {"member": set(), "guest": set()}
        if self.state.members:
            team_lists = self._members(out, team_address(name), team_members.name)
        out["prune"] = _flow_map(
            {"channels": False, "members": False, "webhooks": False, "commands": False}
        )
        out.yaml_add_eol_comment("import: nothing is deleted", "prune")
        out["channels"] = self.channels(name, team_lists)
        self.hooks(out, name)
        return out

    def _members(
        self,
        out: CommentedMap,
        parent: str,
        kind: str,
        *,
        within: Mapping[str, set[str]] | None = None,
        only_guests: bool = False,
    ) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {"member": set(), "guest": set()}
        for obj in self.obs.under(parent, kind):
            if obj.id in self.implicit:
                continue
            username, role = str(obj.data["username"]), str(obj.data["role"])
            if within is not None and username not in within[role]:
                continue
            found[role].add(username)
        if not only_guests:
            _put(out, "members", sorted(found["member"]))
        if found["guest"]:
            _put(out, "guests", sorted(found["guest"]))
            self.guests_declared = True
        label = "team" if kind == team_members.name else "channel"
        self.summary.count(f"{label} memberships", len(found["member"]) + len(found["guest"]))
        return found

    def channels(self, team: str, team_lists: Mapping[str, set[str]]) -> CommentedSeq:
        out = CommentedSeq()
        for live in self.state.channels(team):
            data = live.data
            channel = CommentedMap()
            channel["name"] = data["name"]
            _put(channel, "display_name", data["display_name"])
            channel["visibility"] = data["visibility"]
            _put(channel, "purpose", data["purpose"])
            _put(channel, "header", data["header"])
            if self.state.members and not live.archived:
                self._members(
                    channel,
                    live.address,
                    channel_members.name,
                    within=team_lists,
                    only_guests=data["name"] in DEFAULT_CHANNELS,
                )
            mod = self.obs.get(f"{live.address}/moderation")
            if mod is not None and not live.archived:
                channel["moderation"] = self._moderation(mod)
                self.summary.count("moderated channels")
            if live.archived:
                channel["archived"] = True
                channel.yaml_add_eol_comment("archived on the server", "archived")
                self.summary.count("archived channels")
            self.summary.count("channels")
            out.append(channel)
        exceptions = naming_exceptions(
            (team, str(c.data["name"])) for c in self.state.channels(team)
        )
        self.summary.exceptions += exceptions
        return out

    def _moderation(self, live: LiveObject) -> CommentedMap:
        out = CommentedMap()
        for role, allowed in (
            ("guests", ("post", "reactions", "channel_mentions")),
            ("members", tuple(moderation.NAMES)),
        ):
            values = {f: live.data[f"{role}.{f}"] for f in allowed if f"{role}.{f}" in live.data}
            if values:
                out[role] = _flow_map(values)
        return out

    # -- integrations -----------------------------------------------------------------------
    def _switch(self, name: str) -> bool | None:
        section, key = settings.GROUPS["integrations"][0], name
        raw = config_value(self.obs.config, section, key)
        return raw if isinstance(raw, bool) else None

    def _channel_of(self, team: str, channel: str | None) -> LiveObject | None:
        if not channel:
            return None
        return self.obs.get(channel_address(team, channel))

    def _owner(self, target: CommentedMap, live: LiveObject, raw_key: str) -> None:
        owner = str(live.data.get("owner") or "")
        if owner and owner != str(live.raw.get(raw_key) or ""):
            target["owner"] = owner

    def _overrides(self, target: CommentedMap, data: Mapping[str, Any], address: str) -> None:
        for key, switch in (
            ("username", "EnablePostUsernameOverride"),
            ("icon_url", "EnablePostIconOverride"),
        ):
            if not data.get(key):
                continue
            if self._switch(switch) is False:
                self.summary.notes.append(
                    f"{address}: {key} left out (ServiceSettings.{switch} is off, so the "
                    "server ignores it)"
                )
                continue
            _put(target, key, data[key])

    def hooks(self, out: CommentedMap, team: str) -> None:
        parent = team_address(team)
        sections = (
            ("incoming_webhooks", incoming_webhooks.name, self._incoming),
            ("outgoing_webhooks", outgoing_webhooks.name, self._outgoing),
            ("commands", commands.name, self._command),
        )
        for key, kind, build in sections:
            items = CommentedSeq()
            skipped: list[str] = []
            for live in sorted(self.obs.under(parent, kind), key=lambda o: o.address):
                built, why = build(team, live)
                if built is None:
                    skipped.append(f"skipped {live.address.split('/', 1)[1]}: {why}")
                    self.summary.skipped.append(f"{live.address}: {why}")
                    continue
                items.append(built)
                self.summary.count(key.replace("_", " "))
            if items or skipped:
                out[key] = items
                _comment_before(out, key, skipped, 4)

    def _incoming(self, team: str, live: LiveObject) -> tuple[CommentedMap | None, str]:
        data = live.data
        ambiguous = self.obs.extra.get(incoming_webhooks.AMBIGUOUS, {})
        if live.address in ambiguous:
            n = len(ambiguous[live.address])
            return None, (
                f"{n} live incoming webhooks share this display name, so none can be keyed "
                "(rename all but one in Mattermost, then import again)"
            )
        if not data["display_name"]:
            return None, "no display name (incoming webhooks are keyed by display name)"
        channel = self._channel_of(team, data["channel"])
        if channel is None:
            return None, "its channel is not a channel of this team"
        if channel.archived:
            return None, f"its channel {data['channel']!r} is archived"
        out = CommentedMap()
        _put(out, "display_name", data["display_name"])
        out["channel"] = data["channel"]
        if data["description"]:
            _put(out, "description", data["description"])
        self._overrides(out, data, live.address)
        out["channel_locked"] = data["channel_locked"]
        self._owner(out, live, "user_id")
        return out, ""

    def _outgoing(self, team: str, live: LiveObject) -> tuple[CommentedMap | None, str]:
        data = live.data
        ambiguous = self.obs.extra.get("outgoing_webhook_ambiguous", {})
        if live.address in ambiguous:
            n = len(ambiguous[live.address])
            return None, f"{n} live outgoing webhooks share this display name"
        if not data["display_name"]:
            return None, "no display name (outgoing webhooks are keyed by display name)"
        out = CommentedMap()
        _put(out, "display_name", data["display_name"])
        if data["channel"]:
            channel = self._channel_of(team, data["channel"])
            if channel is None:
                return None, "its channel is not a channel of this team"
            if channel.archived:
                return None, f"its channel {data['channel']!r} is archived"
            if channel.data["visibility"] != "public":
                return None, f"its channel {data['channel']!r} is private"
            out["channel"] = data["channel"]
        if data["trigger_words"]:
            _put(out, "trigger_words", data["trigger_words"])
        out["trigger_when"] = data["trigger_when"]
        _put(out, "callback_urls", data["callback_urls"])
        out["content_type"] = data["content_type"]
        if data["description"]:
            _put(out, "description", data["description"])
        self._overrides(out, data, live.address)
        self._owner(out, live, "creator_id")
        return out, ""

    def _command(self, team: str, live: LiveObject) -> tuple[CommentedMap | None, str]:
        data = live.data
        out = CommentedMap()
        out["trigger"] = data["trigger"]
        _put(out, "url", data["url"])
        out["method"] = data["method"]
        for key in ("display_name", "description"):
            if data[key]:
                _put(out, key, data[key])
        self._overrides(out, data, live.address)
        out["autocomplete"] = data["autocomplete"]
        for key in ("autocomplete_description", "autocomplete_hint"):
            if data[key]:
                _put(out, key, data[key])
        self._owner(out, live, "creator_id")
        return out, ""

    # -- policy -----------------------------------------------------------------------------
    def policy(self) -> CommentedMap | None:
        if not self.summary.exceptions:
            return None
        items = CommentedSeq()
        for index, exception in enumerate(self.summary.exceptions):
            policy_exception = exception.as_policy()
            items.append(_flow_map(policy_exception.model_dump()))
            items.yaml_add_eol_comment(EXCEPTION_COMMENT, index)
        out = CommentedMap()
        out["exceptions"] = items
        return out

    # -- files ------------------------------------------------------------------------------
    def header(self) -> str:
        server = self.state.server
        when = self.now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return "\n".join(
            [
                SCHEMA_LINE,
                "",
                f"Imported by `mmrc import` from {server.url} (Mattermost {server.version})",
                f"on {when}. `mmrc validate` checks it; `mmrc plan` should show no changes.",
                "Nothing is pruned: objects you remove from this file stay on the server.",
            ]
        )


def _dump(data: CommentedMap) -> str:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def build_workspace(
    state: LiveState,
    *,
    split: bool = False,
    root: str = "workspace.yaml",
    now: dt.datetime | None = None,
) -> ImportResult:
    """The workspace file(s) for `state`. With `split`, one file per team under
    `teams/` (relative to the root file), listed in the root's `include:`."""
    builder = _Builder(state, now or dt.datetime.now(dt.UTC))
    summary = builder.summary
    summary.notes += state.notes
    if state.skipped_teams:
        summary.skipped += [f"team.{t}: deleted on the server" for t in state.skipped_teams]
    for key, label in (
        (incoming_webhooks.DISABLED, "incoming webhooks"),
        ("outgoing_webhook_disabled", "outgoing webhooks"),
        ("command_disabled", "slash commands"),
    ):
        for team in sorted(state.observation.extra.get(key, ())):
            summary.notes.append(f"team {team}: {label} are disabled on the server; none read")

    root_doc = CommentedMap()
    root_doc["version"] = 1
    team_docs = [(name, builder.team(name)) for name in state.teams]
    settings_doc = builder.settings()  # after the teams: it needs to know about guests
    bots_doc = builder.bots()
    files: dict[str, str] = {}
    if split:
        root_doc["include"] = CommentedSeq(f"teams/{name}.yaml" for name, _ in team_docs)
        for name, team_doc in team_docs:
            doc = CommentedMap()
            doc["version"] = 1
            doc["teams"] = CommentedSeq([team_doc])
            doc.yaml_set_start_comment(
                f"Team {name}, imported by `mmrc import` (included from {root})."
            )
            files[f"teams/{name}.yaml"] = _dump(doc)
    policy = builder.policy()
    if policy is not None:
        root_doc["policy"] = policy
        _comment_before(
            root_doc,
            "policy",
            [
                "",
                "Channels whose names break the naming policy (docs/workspace-format.md),",
                "kept as they are; rename them one at a time with renamed_from.",
            ],
            0,
        )
    if settings_doc is not None:
        root_doc["settings"] = settings_doc
    if bots_doc:
        root_doc["bots"] = bots_doc
    if not split:
        root_doc["teams"] = CommentedSeq([doc for _, doc in team_docs])
    root_doc.yaml_set_start_comment(builder.header())
    files = {root: _dump(root_doc), **files}
    return ImportResult(files, summary, root)
