"""The channel naming policy: prefix classes with defaults and constraints.

A channel belongs to the class whose prefix (default `<class>-`) starts its
name, the longest prefix winning. Exempt names and the `exceptions` baseline
sit outside the rules. `effective_channel` is how the engine sees a channel:
the class's defaults filled in where the user wrote nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from reconciler.workspace.models import Channel, ChannelClass, Moderation, Policy


def class_prefix(name: str, channel_class: ChannelClass) -> str:
    return channel_class.prefix if channel_class.prefix is not None else f"{name}-"


def channel_class(channel_name: str, policy: Policy) -> tuple[str, ChannelClass] | None:
    """The class `channel_name` belongs to, as (class name, class), if any."""
    best: tuple[str, ChannelClass] | None = None
    best_len = -1
    for name, candidate in policy.classes.items():
        prefix = class_prefix(name, candidate)
        fits = channel_name.startswith(prefix) and len(channel_name) > len(prefix)
        if fits and len(prefix) > best_len:
            best, best_len = (name, candidate), len(prefix)
    return best


def is_excepted(team: str, channel_name: str, policy: Policy) -> bool:
    return any(e.team == team and e.channel == channel_name for e in policy.exceptions)


def naming_problem(team: str, channel_name: str, policy: Policy) -> str | None:
    """Why `channel_name` breaks the naming convention, or None."""
    if not policy.classes or channel_name in policy.exempt:
        return None
    if is_excepted(team, channel_name, policy):
        return None
    if channel_class(channel_name, policy) is not None:
        return None
    prefixes = ", ".join(f"{class_prefix(n, c)}…" for n, c in sorted(policy.classes.items()))
    return f"{channel_name!r} does not follow the naming convention ({prefixes})"


def _merge(default: Any, own: Any) -> Any:
    """Per-field merge of two moderation role models: the channel's own values win."""
    if default is None:
        return own
    if own is None:
        return default
    values = default.model_dump(exclude_unset=True)
    values.update(own.model_dump(exclude_unset=True))
    return type(own).model_validate(values)


def effective_channel(channel: Channel, policy: Policy) -> Channel:
    """`channel` with its class's defaults filled in (and recorded as set fields)."""
    found = channel_class(channel.name, policy)
    if found is None:
        return channel
    _, cls = found
    update: dict[str, Any] = {}
    if channel.visibility is None and cls.visibility is not None:
        update["visibility"] = cls.visibility
    if cls.moderation is not None:
        own = channel.moderation or Moderation()
        guests = _merge(cls.moderation.guests, own.guests) if cls.allow_guests else own.guests
        members = _merge(cls.moderation.members, own.members)
        roles = {k: v for k, v in (("guests", guests), ("members", members)) if v is not None}
        if roles:
            update["moderation"] = Moderation(**roles)
    if not update:
        return channel
    values = channel.model_dump(exclude_unset=True)
    for key, value in update.items():
        values[key] = (
            value.model_dump(exclude_unset=True) if isinstance(value, BaseModel) else value
        )
    return Channel.model_validate(values)
