"""The server-side apply lock: one `mmrc apply` at a time per Mattermost server.

Mattermost has no lock API, and a config write is last-writer-wins. What it does
have is a unique name: a channel's name is unique within its team (a database
constraint: of two concurrent `POST /channels` with one name exactly one succeeds,
the other answers 400 `store.sql_channel.save_channel.exists.app_error`). So:

- acquire = create the private channel `apply-lock` in the team `mmrc-lock`
  (invite-only; created once, never deleted; the teams kind hides it from plans,
  imports and drift). Its header holds who took the lock, since when, from which
  commit, a lock id and when it expires;
- a second apply finds the name taken: it waits (`--lock-timeout`) or fails naming
  the holder and the lock id;
- release = rename the channel (which frees the name at once) and archive it;
- expiry: the holder refreshes `expires` while it runs; a lock past its expiry
  (the holder died) is broken by the next apply, which then takes its own;
- `mmrc force-unlock LOCK_ID` releases a lock by hand, as `terraform force-unlock`.

The same holds on the sandbox, whose channel names are unique the same way.
Expiry compares the holder's clock with the breaker's: keep clocks in sync (NTP).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from reconciler.errors import ApiError, ReconcilerError
from reconciler.kinds.teams import LOCK_TEAM

if TYPE_CHECKING:
    from reconciler.client import Client

LOCK_CHANNEL: Final = "apply-lock"
EXISTS: Final = "store.sql_channel.save_channel.exists.app_error"
TEAM_EXISTS: Final = "store.sql_team.save_team.existing.app_error"
DEFAULT_TTL: Final = 300.0  # seconds a lock lives without a refresh
POLL: Final = 2.0  # seconds between attempts while waiting
NOT_A_MEMBER: Final = (
    f"cannot take the apply lock: this account cannot see the team {LOCK_TEAM!r} that holds "
    "it; add the account to that team (a system admin's first apply created it)"
)


class LockError(ReconcilerError):
    """The lock is held by another apply (or cannot be taken or released)."""


@dataclass(frozen=True)
class LockInfo:
    """A lock as its channel header describes it."""

    id: str
    holder: str
    since: float  # epoch seconds
    commit: str
    expires: float  # epoch seconds
    channel_id: str = ""

    def header(self) -> str:
        return json.dumps(
            {
                "mmrc_lock": 1,
                "id": self.id,
                "holder": self.holder,
                "since": _iso(self.since),
                "commit": self.commit,
                "expires": _iso(self.expires),
            },
            separators=(",", ":"),
        )

    def describe(self) -> str:
        commit = f", commit {self.commit}" if self.commit else ""
        return f"{self.holder} since {_iso(self.since)}{commit} (lock id {self.id})"

    @classmethod
    def from_channel(cls, channel: dict[str, Any]) -> LockInfo:
        try:
            data = json.loads(str(channel.get("header") or ""))
            return cls(
                id=str(data["id"]),
                holder=str(data["holder"]),
                since=_epoch(str(data["since"])),
                commit=str(data.get("commit") or ""),
                expires=_epoch(str(data["expires"])),
                channel_id=str(channel.get("id") or ""),
            )
        except (ValueError, KeyError, TypeError):
            # not written by mmrc (or damaged): a lock of unknown holder that never expires
            return cls("unknown", "an unknown holder", 0.0, "", float("inf"), str(channel["id"]))


def _iso(epoch: float) -> str:
    if epoch == float("inf"):
        return "never"
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(text: str) -> float:
    if text == "never":
        return float("inf")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


class ApplyLock:
    """`with ApplyLock(client, holder=…, commit=…).held(timeout):` — the apply lock, taken
    (waiting up to `timeout` seconds), refreshed while the block runs, released after."""

    def __init__(
        self,
        client: Client,
        *,
        holder: str,
        commit: str = "",
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.holder = holder
        self.commit = commit
        self.ttl = ttl
        self._clock = clock
        self._sleep = sleep
        self.info: LockInfo | None = None
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None

    # -- taking and giving back ---------------------------------------------------------
    def acquire(self, timeout: float = 0.0) -> LockInfo:
        team_id = lock_team_id(self.client, create=True)
        assert team_id is not None
        lock_id = str(uuid.uuid4())
        deadline = self._clock() + timeout
        while True:
            now = self._clock()
            mine = LockInfo(lock_id, self.holder, now, self.commit, now + self.ttl)
            taken = self._create(team_id, mine)
            if taken is not None:
                self.info = taken
                self._start_refresher()
                return taken
            held = current_lock(self.client, team_id)
            if held is None:
                continue  # released in between: try again at once
            if held.expires < self._clock():
                _release(self.client, held, reason="expired")
                continue
            left = deadline - self._clock()
            if left <= 0:
                raise LockError(
                    f"the server's apply lock is held by {held.describe()}; wait for it "
                    f"(apply --lock-timeout 10m), or if that apply died, run "
                    f"`mmrc force-unlock {held.id}`"
                )
            self._sleep(min(POLL, left))

    def release(self) -> None:
        self._stop.set()
        if self._refresher is not None:
            self._refresher.join(timeout=5)
        if self.info is not None:
            _release(self.client, self.info, reason="released")
            self.info = None

    def refresh(self) -> None:
        """Push `expires` forward (the holder is alive)."""
        if self.info is None:
            return
        self.info = LockInfo(
            self.info.id,
            self.info.holder,
            self.info.since,
            self.info.commit,
            self._clock() + self.ttl,
            self.info.channel_id,
        )
        self.client.put(
            f"/api/v4/channels/{self.info.channel_id}/patch", {"header": self.info.header()}
        )

    def __enter__(self) -> ApplyLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # -- machinery ----------------------------------------------------------------------
    def _create(self, team_id: str, mine: LockInfo) -> LockInfo | None:
        body = {
            "team_id": team_id,
            "name": LOCK_CHANNEL,
            "display_name": "mmrc apply lock",
            "type": "P",
            "purpose": "Held while mmrc applies; see the header. Do not edit.",
            "header": mine.header(),
        }

        def find_mine() -> dict[str, Any] | None:  # after a lost answer: did we create it?
            held = current_lock(self.client, team_id)
            if held is not None and held.id == mine.id:
                return {"id": held.channel_id}
            return None

        try:
            created = self.client.create("/api/v4/channels", body, find_existing=find_mine)
        except ApiError as error:
            if error.error_id == EXISTS:
                return None
            if error.status == 403:
                raise LockError(NOT_A_MEMBER) from None
            raise
        return LockInfo(
            mine.id, mine.holder, mine.since, mine.commit, mine.expires, str(created["id"])
        )

    def _start_refresher(self) -> None:
        interval = max(self.ttl / 3, 0.05)

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.refresh()
                except ApiError:
                    continue  # tried again at the next interval; expiry is the backstop

        self._refresher = threading.Thread(target=run, name="mmrc-lock-refresh", daemon=True)
        self._refresher.start()


def lock_team_id(client: Client, *, create: bool) -> str | None:
    """The id of the team that holds the lock channel (created when asked to)."""
    try:
        team = client.get(f"/api/v4/teams/name/{LOCK_TEAM}")
        return str(team["id"])
    except ApiError as error:
        if error.status == 403:
            raise LockError(NOT_A_MEMBER) from None
        if error.status != 404:
            raise
        if not create:
            return None
    body = {
        "name": LOCK_TEAM,
        "display_name": "mmrc lock",
        "type": "I",
        "description": "Holds mmrc's apply lock (a private channel); do not delete.",
    }

    def find() -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = client.get(f"/api/v4/teams/name/{LOCK_TEAM}")
        except ApiError:
            return None
        return found

    try:
        team = client.create("/api/v4/teams", body, find_existing=find)
    except ApiError as error:
        if error.error_id != TEAM_EXISTS:
            raise LockError(
                f"cannot create the team {LOCK_TEAM!r} for the apply lock: {error}"
            ) from None
        team = find()
        if team is None:
            raise LockError(NOT_A_MEMBER) from None
    return str(team["id"])


def current_lock(client: Client, team_id: str | None = None) -> LockInfo | None:
    """The lock held now (None when none is)."""
    team_id = team_id or lock_team_id(client, create=False)
    if team_id is None:
        return None
    try:
        channel = client.get(f"/api/v4/teams/{team_id}/channels/name/{LOCK_CHANNEL}")
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return LockInfo.from_channel(channel)


def _release(client: Client, info: LockInfo, *, reason: str) -> None:
    """Free the lock name (rename), then archive the channel. A lock already gone is fine."""
    freed = f"{LOCK_CHANNEL}-{reason}-{info.id[:8]}-{uuid.uuid4().hex[:6]}"
    try:
        client.put(f"/api/v4/channels/{info.channel_id}/patch", {"name": freed})
    except ApiError as error:
        if error.status in (400, 404):  # already renamed/archived: someone released it
            return
        raise LockError(f"cannot release the apply lock (lock id {info.id}): {error}") from None
    with contextlib.suppress(ApiError):  # the name is free: an unarchived one is only clutter
        client.delete(f"/api/v4/channels/{info.channel_id}")


def force_unlock(client: Client, lock_id: str) -> LockInfo:
    """Release the lock `lock_id` whoever holds it; refuses another lock's id."""
    held = current_lock(client)
    if held is None:
        raise LockError("no apply lock is held on this server")
    if held.id != lock_id:
        raise LockError(
            f"the lock held now has the id {held.id}, not {lock_id}: it is held by "
            f"{held.describe()}"
        )
    _release(client, held, reason="unlocked")
    return held
