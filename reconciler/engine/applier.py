"""Applying a plan: walk its changes, and nothing else.

Changes run in waves: creates and updates kind by kind in dependency order
(within a kind, restores and renames first, so a freed name can be taken),
then archives and removals kind by kind in reverse order. The changes of one
wave are independent and run concurrently (bounded by the client). On the
first failure no new change starts, the ones in flight finish, and every
change ends up applied, failed (with the server's error id and request id) or
not attempted. Ctrl-C works the same way: no new change starts, the ones in
flight finish (a change the main thread was running when interrupted is
failed: it may or may not have reached the server), and the result says it
was interrupted. Running apply again converges: every kind's apply is safe to
repeat (creates look the object up after a lost answer; adds and removals
treat "already so" as done).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError
from reconciler.kinds.base import ApplyContext, Kind, Observation
from reconciler.kinds.registry import KINDS
from reconciler.outcome import ApplyResult, ChangeOutcome
from reconciler.plan import Action, Plan, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client

FIRST_IN_KIND = (Action.RESTORE, Action.RENAME)
BACKWARD = (Action.ARCHIVE, Action.REMOVE, Action.DISABLE)

Progress = Callable[[ChangeOutcome, int, int], None]
INTERRUPTED = "interrupted (Ctrl-C) while this change ran: the server may or may not have made it"


def id_table(observation: Observation) -> dict[str, str]:
    """address → server id for every live object, renamed address and referenced user."""
    ids = {address: obj.id for address, obj in observation.objects.items()}
    for alias, target in observation.aliases.items():
        if target in observation.objects:
            ids[alias] = observation.objects[target].id
    for user_id, username in observation.usernames.items():
        ids[f"user.{username}"] = user_id
    for username, user in observation.users.items():
        ids[f"user.{username}"] = str(user["id"])
    return ids


def waves(changes: Sequence[ResourceChange]) -> list[list[ResourceChange]]:
    forward = sorted((c for c in changes if c.action not in BACKWARD), key=lambda c: c.order)
    backward = sorted((c for c in changes if c.action in BACKWARD), key=lambda c: -c.order)
    result: list[list[ResourceChange]] = []
    for _, group in groupby(forward, key=lambda c: c.order):
        items = list(group)
        first = [c for c in items if c.action in FIRST_IN_KIND]
        rest = [c for c in items if c.action not in FIRST_IN_KIND]
        result.extend(wave for wave in (first, rest) if wave)
    for _, group in groupby(backward, key=lambda c: c.order):
        result.append(list(group))
    return result


def apply_plan(
    plan: Plan,
    client: Client,
    observation: Observation,
    *,
    kinds: Sequence[Kind] = KINDS,
    resolve_secret: Callable[[str, str], str] | None = None,
    progress: Progress | None = None,
    results: dict[str, Any] | None = None,
) -> ApplyResult:
    """`results`, when given, collects what kinds report (ApplyContext.results: outputs)."""
    started = time.monotonic()
    by_name = {kind.name: kind for kind in kinds}
    context = ApplyContext(
        client, observation, ids=id_table(observation), resolve_secret=resolve_secret
    )
    if results is not None:
        context.results = results
    stop = threading.Event()
    outcomes: dict[int, ChangeOutcome] = {}
    index_of = {id(change): index for index, change in enumerate(plan.changes)}
    total = len(plan.changes)
    lock = threading.Lock()

    def record(change: ResourceChange, outcome: ChangeOutcome) -> ChangeOutcome:
        with lock:  # the progress line too: "[2/8]" never comes out before "[1/8]"
            outcomes[index_of[id(change)]] = outcome
            if progress is not None:
                progress(outcome, len(outcomes), total)
        return outcome

    def run(change: ResourceChange) -> ChangeOutcome:
        if stop.is_set():
            return record(change, ChangeOutcome(change.address, change.action, "not_attempted"))
        try:
            by_name[change.kind].apply(change, context)
        except KeyboardInterrupt:
            stop.set()
            record(change, ChangeOutcome(change.address, change.action, "failed", INTERRUPTED))
            raise
        except ApiError as error:
            stop.set()
            return record(
                change,
                ChangeOutcome(
                    change.address,
                    change.action,
                    "failed",
                    str(error),
                    error.error_id,
                    error.request_id,
                ),
            )
        except Exception as error:  # a failure of one change must not lose the others' outcomes
            stop.set()
            text = f"{type(error).__name__}: {error}"
            return record(change, ChangeOutcome(change.address, change.action, "failed", text))
        return record(change, ChangeOutcome(change.address, change.action, "applied"))

    interrupted = False
    try:
        for wave in waves(plan.changes):
            client.map_concurrent(run, wave)
    except KeyboardInterrupt:
        stop.set()
        interrupted = True
    ordered = tuple(
        outcomes.get(i, ChangeOutcome(c.address, c.action, "not_attempted"))
        for i, c in enumerate(plan.changes)
    )
    return ApplyResult(ordered, time.monotonic() - started, interrupted=interrupted)
