"""Reads and names shared by several kinds (not a kind itself).

Addresses are built here so every kind spells them the same way, and user ids
met in membership lists are turned into usernames with one bulk request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError, NotFoundError

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, Observation

TOWN_SQUARE = "town-square"
DEFAULT_CHANNELS = ("town-square", "off-topic")


def team_address(team: str) -> str:
    return f"team.{team}"


def channel_address(team: str, channel: str) -> str:
    return f"team.{team}/channel.{channel}"


def load_usernames(client: Client, observation: Observation, user_ids: Iterable[str]) -> None:
    """Learn the usernames of `user_ids` not yet known (one POST /users/ids per 200)."""
    missing = sorted({uid for uid in user_ids if uid not in observation.usernames})
    for start in range(0, len(missing), 200):
        users = client.post("/api/v4/users/ids", missing[start : start + 200], idempotent=True)
        for user in users or ():
            observation.remember_user(user)


def already_done(error: ApiError, *error_ids: str) -> bool:
    """Whether `error` means the wanted state already holds (a concurrent apply won)."""
    return error.error_id in error_ids or isinstance(error, NotFoundError)


def as_list(data: Any, key: str) -> list[dict[str, Any]]:
    """A list response, or the list inside a with-count response."""
    if isinstance(data, dict):
        return list(data.get(key) or [])
    return list(data or [])


def live_channel_id(context: ApplyContext, address: str) -> str:
    """The id of the channel at `address`; a default channel (town-square, off-topic)
    that Mattermost made with a team created by this apply is looked up by name."""
    try:
        return context.id_of(address)
    except KeyError:
        team, channel_name = address.split("/channel.", 1)
        if channel_name not in DEFAULT_CHANNELS:
            raise
        found = context.client.get(
            f"/api/v4/teams/{context.id_of(team)}/channels/name/{channel_name}",
            {"include_deleted": "true"},
        )
        context.set_id(address, str(found["id"]))
        return str(found["id"])
