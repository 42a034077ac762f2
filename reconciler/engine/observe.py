"""Reading the server: who we are, what the licence allows, the users the file names,
then each kind's bulk reads, in `KINDS` order (later kinds need earlier ids), then what
the applying account may do in the teams and channels read (engine.access).

Shared reads run concurrently: licence, the applying account, and every
referenced user in one `POST /users/usernames`. A username the server does
not know is a plan-time error at the line that names it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reconciler.engine.access import read_scoped_permissions, system_permissions
from reconciler.errors import ApiError
from reconciler.kinds.base import Kind, PlanContext, UserRef

if TYPE_CHECKING:
    from reconciler.client import Client, ServerInfo

USERNAMES_PER_REQUEST = 1000


def observe(client: Client, context: PlanContext, kinds: Sequence[Kind]) -> ServerInfo:
    info = client.check_server()
    observation = context.observation
    observation.server_version = info.version
    refs: list[UserRef] = [ref for kind in kinds for ref in kind.references(context.workspace)]
    usernames = sorted({ref.username for ref in refs})
    batches = [
        usernames[start : start + USERNAMES_PER_REQUEST]
        for start in range(0, len(usernames), USERNAMES_PER_REQUEST)
    ]

    def read_license() -> Any:
        try:
            return client.get("/api/v4/license/client", {"format": "old"})
        except ApiError:
            return {}

    def read_users(batch: list[str]) -> Callable[[], Any]:
        return lambda: client.post("/api/v4/users/usernames", batch, idempotent=True)

    reads: list[Callable[[], Any]] = [
        read_license,
        lambda: client.get("/api/v4/users/me"),
        *(read_users(batch) for batch in batches),
    ]
    license_, me, *user_lists = client.map_concurrent(lambda read: read(), reads)
    observation.license = dict(license_ or {})
    observation.me = dict(me or {})
    if observation.me:
        observation.remember_user(observation.me)
        observation.users.setdefault(str(observation.me["username"]), observation.me)
    for users in user_lists:
        for user in users or ():
            observation.users[str(user["username"])] = user
            observation.remember_user(user)
    bots = {bot.username for bot in context.workspace.bots}
    for ref in refs:
        if ref.username not in observation.users:
            _unknown_user(context, ref, known=set(observation.users) | bots, bots=bots)
    observation.permissions = system_permissions(client, observation.me)
    for kind in kinds:
        kind.observe(client, context)
    read_scoped_permissions(client, context)
    return info


def _unknown_user(context: PlanContext, ref: UserRef, *, known: set[str], bots: set[str]) -> None:
    """A username the server does not know: say so at its line, with the nearest known name
    (the users the file names that exist, and its bots)."""
    close = difflib.get_close_matches(ref.username, sorted(known), n=1, cutoff=0.75)
    owner = bool(ref.path) and ref.path[-1] == "owner"
    if close:
        hint = f"did you mean {close[0]!r}?"
    elif owner:
        hint = "declare the bot under bots:, or name an existing user"
    else:
        hint = "create the account first, or fix the spelling"
    if owner:
        declared = f" ({', '.join(sorted(bots))})" if bots else ""
        message = (
            f"owner {ref.username!r} is neither a bot the file declares{declared} "
            "nor a user on the server"
        )
    else:
        message = (
            f"user {ref.username!r} does not exist on the server "
            "(mmrc manages memberships, not accounts)"
        )
    context.error(ref.path, message, hint=hint)
