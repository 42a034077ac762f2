"""What the two membership kinds share (not a kind itself): roles, reads, declared members.

A team's and a channel's `members` and `guests` are managed alike, each list only
when declared. A username under `members` must be a regular account and one under
`guests` a guest account: mmrc manages memberships, not accounts. The applying
account and bots are implicit members and never drift. The kinds keep what
differs: the endpoints, the permissions apply needs, the default channels.

- `member_references`: the usernames a team or channel names, with their paths;
- `read_members`: the member lists of several teams or channels, concurrently; a
  list the token may not read (403) is recorded for the kind's plan to report;
- `declared_members`: the declared users to plan for (unknown users are reported
  by the engine; a user on the wrong list is an error here);
- `undeclared_members`: the live members of a managed list the file leaves out;
- `warn_kept`: the plan's warning when `members: []` (or `guests: []`) would
  read as "empty it" but, without `prune.members`, removes no one.

A declared list says who is added; the live members it leaves out are removed
only with `prune.members: true`, and listed as unmanaged otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from reconciler.errors import ForbiddenError
from reconciler.kinds.base import UserRef
from reconciler.kinds.lookup import load_usernames

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import LiveObject, Observation, PlanContext
    from reconciler.workspace.sourcemap import FieldPath

ROLES = (("members", "member"), ("guests", "guest"))  # (workspace list, role in addresses)


class HasMembers(Protocol):
    """A team or a channel of the workspace."""

    @property
    def members(self) -> tuple[str, ...] | None: ...

    @property
    def guests(self) -> tuple[str, ...] | None: ...


def managed(container: HasMembers) -> bool:
    return container.members is not None or container.guests is not None


def declared_list(container: HasMembers, role: str) -> tuple[str, ...] | None:
    """The `members` or `guests` list for a live member's role (None: not managed)."""
    return container.members if role == "member" else container.guests


def member_references(container: HasMembers, path: FieldPath) -> Iterator[UserRef]:
    for field, _ in ROLES:
        for index, username in enumerate(getattr(container, field) or ()):
            yield UserRef(username, (*path, field, index))


def is_guest_user(user: Mapping[str, Any]) -> bool:
    return "system_guest" in str(user.get("roles", "")).split()


def member_role(member: Mapping[str, Any], scope: str) -> str:
    """`guest` or `member` for one row of a team's (`scope` "team") or channel's list."""
    guest = bool(member.get("scheme_guest")) or f"{scope}_guest" in str(member.get("roles"))
    return "guest" if guest else "member"


def read_members(
    client: Client,
    observation: Observation,
    work: Iterable[tuple[str, str]],
    unreadable_key: str,
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(key, rows of `GET path`) for each (key, path) in `work`, concurrently, in order.
    A list that answers 403 reads as empty and its key goes to
    `observation.extra[unreadable_key]`. The members' usernames are loaded."""

    def read(item: tuple[str, str]) -> tuple[str, list[dict[str, Any]]]:
        key, path = item
        try:
            return key, list(client.get_paged(path, {}))
        except ForbiddenError:  # the kind's plan reports it at the members
            with observation.lock:
                observation.extra.setdefault(unreadable_key, set()).add(key)
            return key, []

    results = client.map_concurrent(read, list(work))
    load_usernames(client, observation, (m["user_id"] for _, rows in results for m in rows))
    return results


@dataclass(frozen=True, slots=True)
class DeclaredMember:
    username: str
    role: str  # member | guest
    user: dict[str, Any]  # the account, as the engine read it
    path: FieldPath  # where the file names it


def declared_members(
    context: PlanContext, container: HasMembers, path: FieldPath
) -> Iterator[DeclaredMember]:
    """The declared users that exist and are on the list their account type fits; a
    user on the wrong list is an error at its line (an unknown one the engine reports)."""
    for field, role in ROLES:
        for index, username in enumerate(getattr(container, field) or ()):
            user = context.observation.users.get(username)
            if user is None:
                continue
            if is_guest_user(user) != (role == "guest"):
                what = "a guest account" if role == "member" else "not a guest account"
                other = "guests" if role == "member" else "members"
                context.error(
                    (*path, field, index), f"user {username!r} is {what}; list it under {other}"
                )
                continue
            yield DeclaredMember(username, role, user, (*path, field, index))


def undeclared_members(
    context: PlanContext,
    container: HasMembers,
    live: Mapping[str, LiveObject],
    wanted: set[str],
) -> Iterator[LiveObject]:
    """The live members (by address) of a list the file manages but that it does not name,
    leaving out the implicit ones (the applying account, bots)."""
    observation = context.observation
    for address, obj in sorted(live.items()):
        if address in wanted or declared_list(container, str(obj.data["role"])) is None:
            continue
        if obj.id == observation.me_id or obj.id in observation.bot_ids:
            continue
        yield obj


def warn_kept(
    context: PlanContext, address: str, container: HasMembers, kept: Iterable[LiveObject]
) -> None:
    """`members: []` without prune.members removes no one: say so, with the count."""
    counts: dict[str, int] = {}
    for obj in kept:
        role = str(obj.data["role"])
        counts[role] = counts.get(role, 0) + 1
    for field, role in ROLES:
        if declared_list(container, role) == () and counts.get(role):
            count = counts[role]
            who = f"{count} {role}s stay" if count != 1 else f"1 {role} stays"
            context.warn(
                f"{address}: {field}: [] adds no one and removes no one: without "
                f"prune.members: true its {who} (listed as unmanaged); set "
                f"prune.members: true to empty it"
            )
