"""The applier's ordering and failure handling, against a real sandbox.

Recording kinds (small Kind implementations that call the real client) show the order,
concurrency and stop-on-failure behaviour exactly; one test applies a real plan with the
real kinds and reads the order of the writes from the sandbox's request log.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from live_sandbox import LiveSandbox

from reconciler.client import Client
from reconciler.engine.applier import apply_plan, waves
from reconciler.engine.planner import make_plan
from reconciler.kinds.base import ApplyContext, Observation, PlanContext, UserRef
from reconciler.plan import Action, Plan, ResourceChange
from reconciler.workspace import load_workspace

MISSING_TEAM = "/api/v4/teams/name/no-such-team"


@dataclass
class Recorder:
    """What the recording kinds saw: start/end times per address and the most in flight."""

    behaviour: dict[str, Callable[[ApplyContext], None]] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)
    ended: dict[str, float] = field(default_factory=dict)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, change: ResourceChange, context: ApplyContext) -> None:
        with self.lock:
            self.started[change.address] = time.monotonic()
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            context.client.get("/api/v4/system/ping")  # a real request per change
            self.behaviour.get(change.address, lambda _: None)(context)
        finally:
            with self.lock:
                self.in_flight -= 1
                self.ended[change.address] = time.monotonic()


class RecordingKind:
    """A Kind that records its applies (plan and observe are never called here)."""

    def __init__(self, name: str, recorder: Recorder) -> None:
        self.name = name
        self.recorder = recorder

    def references(self, workspace: Any) -> list[UserRef]:
        return []

    def observe(self, client: Client, context: PlanContext) -> None:
        return None

    def plan(self, context: PlanContext) -> list[ResourceChange]:
        return []

    def apply(self, change: ResourceChange, context: ApplyContext) -> None:
        self.recorder.run(change, context)


KIND_NAMES = ("first", "second", "third")


def change(kind: str, key: str, action: Action = Action.CREATE) -> ResourceChange:
    return ResourceChange(f"{kind}.{key}", kind, action, order=KIND_NAMES.index(kind))


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    return start_sandbox("empty")


@pytest.fixture
def client_of(live: LiveSandbox) -> Iterator[Callable[[int], Client]]:
    clients: list[Client] = []

    def make(parallelism: int) -> Client:
        client = Client(live.url, live.token, parallelism=parallelism, retries=0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def run(plan: Plan, client: Client, recorder: Recorder) -> Any:
    kinds = [RecordingKind(name, recorder) for name in KIND_NAMES]
    return apply_plan(plan, client, Observation(), kinds=kinds)


# -- waves ---------------------------------------------------------------------------------------


def test_waves_go_forward_by_kind_then_backward_in_reverse_kind_order() -> None:
    plan = [
        change("third", "new"),
        change("first", "gone", Action.ARCHIVE),
        change("second", "moved", Action.RENAME),
        change("first", "new"),
        change("second", "new"),
        change("third", "gone", Action.REMOVE),
        change("second", "back", Action.RESTORE),
        change("second", "off", Action.DISABLE),
    ]
    assert [[c.address for c in wave] for wave in waves(plan)] == [
        ["first.new"],
        ["second.moved", "second.back"],  # restores and renames free names first
        ["second.new"],
        ["third.new"],
        ["third.gone"],
        ["second.off"],
        ["first.gone"],
    ]


def test_every_wave_finishes_before_the_next_starts(client_of: Callable[[int], Client]) -> None:
    recorder = Recorder()
    plan = Plan(
        changes=(
            change("third", "c1"),
            change("first", "a1"),
            change("second", "b1"),
            change("first", "a2"),
            change("third", "c2"),
            change("second", "b2"),
            change("first", "gone", Action.REMOVE),
            change("third", "gone", Action.REMOVE),
        )
    )
    for address in ("first.a1", "second.b2"):  # slow members of their waves
        recorder.behaviour[address] = lambda _: time.sleep(0.1)
    result = run(plan, client_of(4), recorder)
    assert result.ok
    order = [[c.address for c in wave] for wave in waves(plan.changes)]
    for earlier, later in itertools.pairwise(order):
        assert max(recorder.ended[a] for a in earlier) <= min(recorder.started[a] for a in later)
    # outcomes come back in plan order, whatever the order of execution
    assert [o.address for o in result.outcomes] == [c.address for c in plan.changes]


def test_concurrency_within_a_wave_is_bounded_by_the_client(
    client_of: Callable[[int], Client],
) -> None:
    recorder = Recorder()
    plan = Plan(changes=tuple(change("first", f"k{i}") for i in range(9)))
    for c in plan.changes:
        recorder.behaviour[c.address] = lambda _: time.sleep(0.05)
    assert run(plan, client_of(3), recorder).ok
    assert recorder.most_in_flight == 3
    recorder = Recorder()
    assert run(plan, client_of(1), recorder).ok
    assert recorder.most_in_flight == 1


def test_the_first_failure_stops_new_changes_and_in_flight_ones_finish(
    client_of: Callable[[int], Client],
) -> None:
    recorder = Recorder()
    slow_started = threading.Event()
    failing = threading.Event()

    def fail(context: ApplyContext) -> None:
        assert slow_started.wait(5)
        failing.set()
        context.client.get(MISSING_TEAM)  # 404 from the server: an ApiError

    def slow(_: ApplyContext) -> None:
        slow_started.set()
        assert failing.wait(5)
        time.sleep(0.1)  # still running when the failure is recorded

    plan = Plan(
        changes=(
            change("first", "fails"),
            change("first", "slow"),
            *(change("first", f"queued{i}") for i in range(4)),
            change("second", "later"),
            change("first", "removal", Action.REMOVE),
        )
    )
    recorder.behaviour = {"first.fails": fail, "first.slow": slow}
    result = run(plan, client_of(2), recorder)
    statuses = {o.address: o.status for o in result.outcomes}
    assert statuses == {
        "first.fails": "failed",
        "first.slow": "applied",
        **{f"first.queued{i}": "not_attempted" for i in range(4)},
        "second.later": "not_attempted",
        "first.removal": "not_attempted",
    }
    assert set(recorder.started) == {"first.fails", "first.slow"}
    [failure] = result.failures()
    assert failure.error_id == "app.team.get_by_name.missing.app_error"
    assert failure.request_id and len(failure.request_id) == 26
    assert failure.error is not None and "404" in failure.error
    assert not result.ok
    assert result.counts() == {"applied": 1, "failed": 1, "not_attempted": 6}


def test_an_unexpected_exception_fails_its_change_without_losing_the_others(
    client_of: Callable[[int], Client],
) -> None:
    recorder = Recorder()

    def broken(_: ApplyContext) -> None:
        raise KeyError("no server id known for team.x")

    recorder.behaviour["second.broken"] = broken
    plan = Plan(changes=(change("first", "a"), change("second", "broken"), change("third", "c")))
    result = run(plan, client_of(2), recorder)
    assert [o.status for o in result.outcomes] == ["applied", "failed", "not_attempted"]
    failure = result.outcomes[1]
    assert failure.error == "KeyError: 'no server id known for team.x'"
    assert (failure.error_id, failure.request_id) == (None, None)


def test_progress_is_reported_once_per_change(client_of: Callable[[int], Client]) -> None:
    seen: list[tuple[str, int, int]] = []
    lock = threading.Lock()

    def progress(outcome: Any, done: int, total: int) -> None:
        with lock:
            seen.append((outcome.address, done, total))

    plan = Plan(changes=tuple(change("first", f"k{i}") for i in range(5)))
    kinds = [RecordingKind(name, Recorder()) for name in KIND_NAMES]
    apply_plan(plan, client_of(3), Observation(), kinds=kinds, progress=progress)
    assert sorted(done for _, done, _ in seen) == [1, 2, 3, 4, 5]
    assert {total for _, _, total in seen} == {5}
    assert sorted(a for a, _, _ in seen) == [c.address for c in plan.changes]


# -- the real kinds, on the wire -----------------------------------------------------------------

BEFORE = """\
version: 1
policy: {classes: {}}
teams:
  - name: alpha
    display_name: Alpha
    members: [alice, bob]
    channels:
      - {name: dev, display_name: Dev, members: [alice, bob]}
      - {name: old, display_name: Old}
      - {name: x1, display_name: X1}
      - {name: x2, display_name: X2}
      - {name: x3, display_name: X3}
"""
AFTER = """\
version: 1
policy: {classes: {}}
teams:
  - name: alpha
    display_name: Alpha
    members: [alice, carol]
    prune: {channels: true, members: true}
    channels:
      - {name: dev, display_name: Dev, members: [alice, carol]}
      - {name: ops, display_name: Ops, members: [carol]}
      - {name: x1, display_name: X1}
      - {name: x2, display_name: X2}
      - {name: x3, display_name: X3}
"""


def test_real_changes_reach_the_server_in_dependency_order(live: LiveSandbox) -> None:
    for name in ("alice", "bob", "carol"):
        live.user(name)
    assert live.mmrc("apply", "-f", str(live.workspace(BEFORE)), "--auto-approve").exit_code == 0
    team = live.team("alpha")["id"]
    dev = live.channel("alpha", "dev")["id"]
    old = live.channel("alpha", "old")["id"]
    bob, carol = live.user_id("bob"), live.user_id("carol")
    loaded = load_workspace(live.workspace(AFTER))
    with Client(live.url, live.token, parallelism=4, retries=0) as client:
        planned = make_plan(loaded, client)
        live.clear_requests()
        result = apply_plan(planned.plan, client, planned.observation)
    assert result.ok, result.failures()
    writes = [f"{r['method']} {r['path']}" for r in live.requests() if r["method"] != "GET"]
    position = {write: index for index, write in enumerate(writes)}
    ops = live.channel("alpha", "ops")["id"]
    add_carol = f"POST /api/v4/teams/{team}/members"
    create_ops = "POST /api/v4/channels"
    add_to_dev = f"POST /api/v4/channels/{dev}/members"
    add_to_ops = f"POST /api/v4/channels/{ops}/members"
    leave_dev = f"DELETE /api/v4/channels/{dev}/members/{bob}"
    archive_old = f"DELETE /api/v4/channels/{old}"
    leave_team = f"DELETE /api/v4/teams/{team}/members/{bob}"
    # forward: team members, then channels, then channel members
    assert position[add_carol] < position[create_ops] < position[add_to_dev]
    assert position[create_ops] < position[add_to_ops]
    # backward, after every forward change: channel members, channels, team members
    assert position[add_to_ops] < position[leave_dev] < position[archive_old] < position[leave_team]
    assert live.api.get(f"/api/v4/teams/{team}/members/{carol}")["delete_at"] == 0
