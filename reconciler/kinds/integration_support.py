"""What the integration kinds share (not a kind itself): switches, owners, channels, ids.

- `Switch`: an integration switch of `ServiceSettings` as it will be *after*
  apply (the workspace's value unless the server's environment pins it), so
  webhooks that need it can be refused at plan time with the switch's name.
- Owners: a webhook's or command's owner is a declared bot or a username;
  apply resolves it through the id table (`bot.<name>`, then `user.<name>`).
- Incoming-webhook ids are credentials: `describe_hook_id` names a hook in an
  error by creation time and the first 4 characters of its id only.

Reading, planning and applying a team's list of hooks or commands is
`reconciler.kinds.integration_lists`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.kinds.lookup import channel_address, team_address

if TYPE_CHECKING:
    from reconciler.kinds.base import ApplyContext, Observation, PlanContext
    from reconciler.workspace.sourcemap import FieldPath

# workspace name under settings.integrations → (config section, config field)
SWITCHES: dict[str, tuple[str, str]] = {
    "incoming_webhooks": ("ServiceSettings", "EnableIncomingWebhooks"),
    "outgoing_webhooks": ("ServiceSettings", "EnableOutgoingWebhooks"),
    "slash_commands": ("ServiceSettings", "EnableCommands"),
    "post_username_override": ("ServiceSettings", "EnablePostUsernameOverride"),
    "post_icon_override": ("ServiceSettings", "EnablePostIconOverride"),
    "bot_account_creation": ("ServiceSettings", "EnableBotAccountCreation"),
    "user_access_tokens": ("ServiceSettings", "EnableUserAccessTokens"),
}
# Mattermost's defaults (model/config.go SetDefaults), used when the config cannot be read.
SWITCH_DEFAULTS = {
    "incoming_webhooks": True,
    "outgoing_webhooks": True,
    "slash_commands": True,
    "post_username_override": False,
    "post_icon_override": False,
    "bot_account_creation": False,
    "user_access_tokens": False,
}


# observation.extra keys where kinds record teams whose list call answered 501
_DISABLED_KEYS = {
    "incoming_webhooks": "incoming_webhook_disabled",
    "outgoing_webhooks": "outgoing_webhook_disabled",
    "slash_commands": "command_disabled",
}


def env_name(section: str, field: str) -> str:
    """The environment variable that pins a setting: MM_<SECTION>_<FIELD>."""
    return f"MM_{section.upper()}_{field.upper()}"


def lookup_ci(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """`mapping[key]`, matching keys case-insensitively (Mattermost's JSON decoding does)."""
    if not isinstance(mapping, Mapping):
        return None
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for name, value in mapping.items():
        if str(name).lower() == lowered:
            return value
    return None


def config_value(config: Mapping[str, Any] | None, section: str, field: str) -> Any:
    return lookup_ci(lookup_ci(config, section), field)


def env_pinned(environment: Mapping[str, Any], section: str, field: str) -> str | None:
    """The variable's name when `/config/environment` says the field is pinned, else None."""
    return env_name(section, field) if config_value(environment, section, field) else None


@dataclass(frozen=True, slots=True)
class Switch:
    name: str  # workspace name, e.g. post_username_override
    section: str
    field: str
    live: bool | None  # None: the config could not be read
    after: bool  # the value once the plan is applied
    pinned: str | None  # MM_… when the environment pins it

    @property
    def label(self) -> str:
        return f"settings.integrations.{self.name} ({self.section}.{self.field})"

    def why_off(self) -> str:
        if self.pinned:
            return f"{self.label} is off and pinned by the server's environment ({self.pinned})"
        return f"{self.label} is off on the server"

    def fix(self) -> str:
        if self.pinned:
            return f"unset {self.pinned} on the server (or set it to true)"
        return f"set settings.integrations.{self.name}: true in the workspace"


def switch(context: PlanContext, name: str) -> Switch:
    section, field = SWITCHES[name]
    observation = context.observation
    raw = config_value(observation.config, section, field)
    live = bool(raw) if isinstance(raw, bool) else None
    if live is None and observation.extra.get(_DISABLED_KEYS.get(name, ""), ()):
        live = False  # the config is not readable, but a list call answered 501
    pinned = env_pinned(observation.environment, section, field)
    settings = context.workspace.settings
    declared = getattr(settings.integrations, name) if settings and settings.integrations else None
    if pinned or declared is None:
        after = live if live is not None else SWITCH_DEFAULTS[name]
    else:
        after = bool(declared)
    return Switch(name, section, field, live, after, pinned)


def require_switch(context: PlanContext, name: str, path: FieldPath, what: str) -> bool:
    """Plan error at `path` when switch `name` will be off; True when it will be on."""
    state = switch(context, name)
    if state.after:
        return True
    context.error(path, f"{what} needs {state.label}, but {state.why_off()}", hint=state.fix())
    return False


def check_overrides(
    context: PlanContext, data: Mapping[str, Any], path: FieldPath, what: str
) -> None:
    """A declared username / icon_url is blanked by the server when its override switch is off."""
    for field_name, switch_name in (
        ("username", "post_username_override"),
        ("icon_url", "post_icon_override"),
    ):
        if data.get(field_name):
            require_switch(
                context,
                switch_name,
                (*path, field_name),
                f"{what} declares {field_name} {data[field_name]!r}, which",
            )


# -- teams, channels, owners ----------------------------------------------------------------


def live_team_id(observation: Observation, team: str) -> str | None:
    live = observation.get(team_address(team))
    if live is None or live.archived:
        return None
    return live.id


def channel_names(observation: Observation, team: str) -> dict[str, str]:
    """channel id → name for the team's observed channels."""
    return {
        obj.id: obj.address.rsplit("/channel.", 1)[1]
        for obj in observation.under(team_address(team), "channel")
    }


def channel_name(observation: Observation, team: str, channel_id: str) -> str:
    if not channel_id:
        return ""
    return channel_names(observation, team).get(channel_id, f"<channel {channel_id}>")


def channel_id(context: ApplyContext, team: str, channel: str) -> str:
    return context.id_of(channel_address(team, channel))


def owner_id(context: ApplyContext, owner: str) -> str:
    """The user id of a declared bot or of a user named in the workspace."""
    for address in (f"bot.{owner}", f"user.{owner}"):
        try:
            return context.id_of(address)
        except KeyError:
            continue
    raise KeyError(f"no server id known for owner {owner!r}")


def describe_hook_id(hook: Mapping[str, Any]) -> str:
    """An incoming webhook named without its credential: creation time + 4 id characters."""
    hook_id = str(hook.get("id", ""))
    created = int(hook.get("create_at") or 0)
    when = dt.datetime.fromtimestamp(created / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"id {hook_id[:4]}… created {when}"


def version_tuple(version: str) -> tuple[int, int, int] | None:
    """A server version ("10.11.0", from X-Version-Id) as numbers; None when it is not one."""
    parts = version.strip().split(".")[:3]
    if len(parts) < 2 or not all(part.isdigit() for part in parts):
        return None
    numbers = [int(part) for part in parts] + [0]
    return numbers[0], numbers[1], numbers[2]


def site_url(observation: Observation, fallback: str) -> str:
    configured = config_value(observation.config, "ServiceSettings", "SiteURL")
    return str(configured or fallback).rstrip("/")


# -- tokens (memory only: never in a LiveObject, a change or a message) ----------------------

_TOKENS = "integration_tokens"


def remember_token(observation: Observation, address: str, token: str) -> None:
    with observation.lock:
        observation.extra.setdefault(_TOKENS, {})[address] = token


def token_of(observation: Observation, address: str) -> str | None:
    tokens: dict[str, str] = observation.extra.get(_TOKENS, {})
    return tokens.get(address)
