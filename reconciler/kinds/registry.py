"""`KINDS`: every resource kind, in dependency order.

The planner observes and plans in this order; the applier creates and updates
in this order and archives/removes in reverse. Adding a kind is one module
(satisfying `reconciler.kinds.base.Kind`) and one line here.
"""

from __future__ import annotations

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
from reconciler.kinds.base import Kind

KINDS: tuple[Kind, ...] = (
    settings,  # first: switches that bots and integrations need
    bots,
    teams,
    team_members,
    channels,
    channel_members,
    moderation,
    incoming_webhooks,
    outgoing_webhooks,
    commands,
)


def kind_order() -> dict[str, int]:
    """Kind name → position (the `order` of its changes)."""
    return {kind.name: index for index, kind in enumerate(KINDS)}


def by_name(kind_name: str) -> Kind:
    for kind in KINDS:
        if kind.name == kind_name:
            return kind
    raise KeyError(f"unknown resource kind {kind_name!r}")
