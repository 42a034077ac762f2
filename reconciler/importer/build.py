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

This module writes the teams, channels, memberships, bots and the policy, and
assembles the files; `settings_doc` writes `settings:`, `integrations_doc` a
team's webhooks and commands, and `yaml_doc` holds the ruamel helpers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.importer.integrations_doc import IntegrationsWriter
from reconciler.importer.naming import EXCEPTION_COMMENT, naming_exceptions
from reconciler.importer.read import LiveState
from reconciler.importer.settings_doc import settings_section
from reconciler.importer.summary import Summary
from reconciler.importer.yaml_doc import comment_before, dump, flow_map, put
from reconciler.kinds import (
    bots,
    channel_members,
    commands,
    incoming_webhooks,
    moderation,
    outgoing_webhooks,
    team_members,
)
from reconciler.kinds.base import LiveObject, Observation
from reconciler.kinds.lookup import DEFAULT_CHANNELS, team_address

SCHEMA_LINE = "yaml-language-server: $schema=./schemas/workspace.schema.json"


@dataclass
class ImportResult:
    files: dict[str, str]  # path relative to the root file's directory → text
    summary: Summary
    root: str


class _Builder:
    def __init__(self, state: LiveState, now: dt.datetime) -> None:
        self.state = state
        self.obs: Observation = state.observation
        self.now = now
        self.summary = Summary(server=f"{state.server.url} (Mattermost {state.server.version})")
        self.implicit = {self.obs.me_id, *self.obs.bot_ids}
        self.guests_declared = False

    def settings(self) -> CommentedMap | None:
        return settings_section(self.obs, self.summary, guests_declared=self.guests_declared)

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
                    put(bot, key, live.data[key])
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
        put(out, "display_name", data["display_name"])
        out["visibility"] = data["visibility"]
        put(out, "description", data["description"])
        if data["allowed_domains"]:
            put(out, "allowed_domains", data["allowed_domains"])
        self.summary.count("teams")
        team_lists: dict[str, set[str]] = {"member": set(), "guest": set()}
        if self.state.members:
            team_lists = self._members(out, team_address(name), team_members.name)
        out["prune"] = flow_map(
            {"channels": False, "members": False, "webhooks": False, "commands": False}
        )
        out.yaml_add_eol_comment("import: nothing is deleted", "prune")
        out["channels"] = self.channels(name, team_lists)
        IntegrationsWriter(self.obs, self.summary).add_to(out, name)
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
            put(out, "members", sorted(found["member"]))
        if found["guest"]:
            put(out, "guests", sorted(found["guest"]))
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
            put(channel, "display_name", data["display_name"])
            channel["visibility"] = data["visibility"]
            put(channel, "purpose", data["purpose"])
            put(channel, "header", data["header"])
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
                out[role] = flow_map(values)
        return out

    # -- policy -----------------------------------------------------------------------------
    def policy(self) -> CommentedMap | None:
        if not self.summary.exceptions:
            return None
        items = CommentedSeq()
        for index, exception in enumerate(self.summary.exceptions):
            policy_exception = exception.as_policy()
            items.append(flow_map(policy_exception.model_dump()))
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
        (outgoing_webhooks.DISABLED, "outgoing webhooks"),
        (commands.DISABLED, "slash commands"),
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
            files[f"teams/{name}.yaml"] = dump(doc)
    policy = builder.policy()
    if policy is not None:
        root_doc["policy"] = policy
        comment_before(
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
    files = {root: dump(root_doc), **files}
    return ImportResult(files, summary, root)
