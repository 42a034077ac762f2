"""A team's `incoming_webhooks:`, `outgoing_webhooks:` and `commands:` as an import writes them.

Incoming webhooks are keyed by display name and their ids (credentials) are
never written; two live hooks with one display name cannot be keyed and are
skipped with a comment, as are hooks whose channel is not (or no longer) one
the format can name. Outgoing webhooks and commands are written without their
tokens. A username or icon_url the server ignores (its override switch is off)
is left out with a note, and the owner is written only when it is a username
(not an unresolved id) and not the importing account, which is implicit: what
mmrc creates is owned by the applying account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.importer.summary import Summary
from reconciler.importer.yaml_doc import comment_before, put
from reconciler.kinds import commands, incoming_webhooks, outgoing_webhooks, settings
from reconciler.kinds.base import LiveObject, Observation
from reconciler.kinds.integration_support import config_value
from reconciler.kinds.lookup import channel_address, team_address

Built = tuple[CommentedMap | None, str]  # (the entry, or None and why it is skipped)


class IntegrationsWriter:
    def __init__(self, observation: Observation, summary: Summary) -> None:
        self.obs = observation
        self.summary = summary

    def add_to(self, out: CommentedMap, team: str) -> None:
        """Add the team's integration lists (those it has on the server) to `out`."""
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
                comment_before(out, key, skipped, 4)

    def _incoming(self, team: str, live: LiveObject) -> Built:
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
        put(out, "display_name", data["display_name"])
        out["channel"] = data["channel"]
        if data["description"]:
            put(out, "description", data["description"])
        self._overrides(out, data, live.address)
        out["channel_locked"] = data["channel_locked"]
        self._owner(out, live, "user_id")
        return out, ""

    def _outgoing(self, team: str, live: LiveObject) -> Built:
        data = live.data
        ambiguous = self.obs.extra.get(outgoing_webhooks.AMBIGUOUS, {})
        if live.address in ambiguous:
            n = len(ambiguous[live.address])
            return None, f"{n} live outgoing webhooks share this display name"
        if not data["display_name"]:
            return None, "no display name (outgoing webhooks are keyed by display name)"
        out = CommentedMap()
        put(out, "display_name", data["display_name"])
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
            put(out, "trigger_words", data["trigger_words"])
        out["trigger_when"] = data["trigger_when"]
        put(out, "callback_urls", data["callback_urls"])
        out["content_type"] = data["content_type"]
        if data["description"]:
            put(out, "description", data["description"])
        self._overrides(out, data, live.address)
        self._owner(out, live, "creator_id")
        return out, ""

    def _command(self, team: str, live: LiveObject) -> Built:
        data = live.data
        out = CommentedMap()
        out["trigger"] = data["trigger"]
        put(out, "url", data["url"])
        out["method"] = data["method"]
        for key in ("display_name", "description"):
            if data[key]:
                put(out, key, data[key])
        self._overrides(out, data, live.address)
        out["autocomplete"] = data["autocomplete"]
        for key in ("autocomplete_description", "autocomplete_hint"):
            if data[key]:
                put(out, key, data[key])
        self._owner(out, live, "creator_id")
        return out, ""

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
        unresolved = owner == str(live.raw.get(raw_key) or "")
        if owner and not unresolved and owner != str(self.obs.me.get("username") or ""):
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
            put(target, key, data[key])
