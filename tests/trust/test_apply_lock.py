"""The server-side apply lock: atomic (one winner among concurrent applies), visible (who,
since when, which commit), released at exit, broken when expired, waited for with
--lock-timeout, released by hand with `mmrc force-unlock`; plans do not lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from live_sandbox import LiveSandbox

from reconciler.client import Client
from reconciler.engine.lock import ApplyLock, LockError, current_lock
from reconciler.kinds.teams import LOCK_TEAM

WORKSPACE = """\
version: 1
policy: {classes: {}}
settings:
  integrations: {incoming_webhooks: true}
teams:
  - name: asd
    display_name: ASD
    channels:
      - {name: tickets, display_name: Tickets, visibility: public}
    incoming_webhooks:
      - {display_name: n8n, channel: tickets}
"""


OPENED: list[Client] = []


@pytest.fixture
def live(start_sandbox: Callable[..., LiveSandbox]) -> Iterator[LiveSandbox]:
    yield start_sandbox("empty")
    while OPENED:
        OPENED.pop().close()


def client(live: LiveSandbox) -> Client:
    opened = Client(live.url, live.token, retries=0)
    OPENED.append(opened)
    return opened


def test_of_concurrent_takers_exactly_one_wins(live: LiveSandbox) -> None:
    barrier = threading.Barrier(6)
    won: list[ApplyLock] = []
    refused: list[str] = []

    def take(index: int) -> None:
        lock = ApplyLock(client(live), holder=f"taker-{index}", commit=f"c{index}")
        barrier.wait()
        try:
            lock.acquire(0)
            won.append(lock)
        except LockError as error:
            refused.append(str(error))

    threads = [threading.Thread(target=take, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(refused) == 5
    [winner] = won
    assert winner.info is not None
    held = current_lock(client(live))
    assert held is not None and held.id == winner.info.id
    assert held.holder == winner.holder and held.commit == winner.commit
    assert all(f"held by {winner.holder} since " in text for text in refused)
    assert all(f"mmrc force-unlock {held.id}" in text for text in refused)
    winner.release()
    assert current_lock(client(live)) is None
    again = ApplyLock(client(live), holder="next")
    again.acquire(0)
    again.release()


def test_an_expired_lock_is_broken_and_a_live_one_is_waited_for(live: LiveSandbox) -> None:
    now = [time.time()]
    dead = ApplyLock(client(live), holder="dead", ttl=60, clock=lambda: now[0])
    dead.acquire(0)
    dead._stop.set()  # the holder died: nothing refreshes or releases it
    waiting = ApplyLock(client(live), holder="waiting", clock=lambda: now[0])
    with pytest.raises(LockError, match="held by dead since"):
        waiting.acquire(0)
    now[0] += 61
    waiting.acquire(0)  # expired: broken, then taken
    held = current_lock(client(live))
    assert held is not None and held.holder == "waiting"

    patient = ApplyLock(client(live), holder="patient")
    releaser = threading.Timer(0.5, waiting.release)
    releaser.start()
    started = time.monotonic()
    patient.acquire(timeout=20)  # waits until the holder releases
    releaser.join()
    assert time.monotonic() - started >= 0.5
    assert (current_lock(client(live)) or held).holder == "patient"
    patient.release()


def test_apply_fails_naming_the_holder_and_force_unlock_releases(live: LiveSandbox) -> None:
    path = str(live.workspace(WORKSPACE))
    held = ApplyLock(client(live), holder="ci-run-7", commit="abc123")
    info = held.acquire(0)
    held._stop.set()
    refused = live.mmrc("apply", "-f", path, "--auto-approve")
    assert refused.exit_code == 1
    assert "held by ci-run-7 since" in refused.output and "commit abc123" in refused.output
    assert f"mmrc force-unlock {info.id}" in refused.output
    assert live.api.get_paged("/api/v4/teams") == [live.team(LOCK_TEAM)]  # nothing written
    planned = live.mmrc("plan", "-f", path)  # plans do not lock
    assert planned.exit_code == 0, planned.output
    assert LOCK_TEAM not in planned.output
    wrong = live.mmrc("force-unlock", "not-the-id", "--force")
    assert wrong.exit_code == 1 and f"has the id {info.id}, not not-the-id" in wrong.output
    unlocked = live.mmrc("force-unlock", info.id, "--force")
    assert unlocked.exit_code == 0, unlocked.output
    assert "Released the apply lock held by ci-run-7" in unlocked.output
    applied = live.mmrc("apply", "-f", path, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert current_lock(client(live)) is None  # released at exit


def test_two_applies_started_together_create_one_webhook(live: LiveSandbox) -> None:
    path = str(live.workspace(WORKSPACE))
    results: list[int] = []

    def apply() -> None:
        result = live.mmrc("apply", "-f", path, "--auto-approve", "--lock-timeout", "60s")
        results.append(result.exit_code)

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [0, 0]
    team = live.team("asd")["id"]
    assert len(live.api.get("/api/v4/hooks/incoming", {"team_id": team})) == 1
    assert live.mmrc("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_a_malformed_lock_timeout_is_a_usage_error(live: LiveSandbox) -> None:
    result = live.mmrc("apply", "--auto-approve", "--lock-timeout", "soon")
    assert result.exit_code != 0
    assert "'soon' is not a duration such as 30s, 10m or 1h" in result.output


def test_the_lock_team_name_is_reserved(live: LiveSandbox) -> None:
    path = live.workspace(
        "version: 1\npolicy: {classes: {}}\nteams:\n  - {name: mmrc-lock, display_name: Mine}\n"
    )
    result = live.mmrc("plan", "-f", str(path))
    assert result.exit_code == 1
    assert f"{path}:4:6: teams[0].name: the team name 'mmrc-lock' is reserved" in result.output


def test_a_lock_that_cannot_be_released_is_a_warning_not_the_result(live: LiveSandbox) -> None:
    path = live.workspace(
        "version: 1\npolicy: {classes: {}}\nteams:\n  - {name: alpha, display_name: Alpha}\n"
    )
    live.set_faults(error_rate=1.0, error_statuses=[500], methods=["PUT"], path_regex="/patch$")
    result = live.mmrc("apply", "-f", str(path), "--auto-approve")
    live.clear_faults()
    assert result.exit_code == 0, result.output  # the apply itself worked
    held = current_lock(client(live))
    assert held is not None
    assert "Warning: the apply lock was not released" in result.output
    assert f"mmrc force-unlock {held.id}" in result.output
