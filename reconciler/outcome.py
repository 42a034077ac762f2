"""What `apply` did, as plain immutable data the applier fills in.

One `ChangeOutcome` per planned change, in plan order: `applied`, `failed`
(with the server's message, its error id and request id when it answered), or
`not_attempted` (apply stops at the first failure, or at Ctrl-C: then
`interrupted` is true and a change in flight is `failed`, as the server may or
may not have carried it out). `ApplyResult.to_dict()` is
a versioned JSON contract like the plan's. No I/O, no HTTP; error strings come
from `ApiError`, which never holds a token or secret.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from reconciler.plan import Action

RESULT_FORMAT_VERSION = "1.0"

Status = Literal["applied", "failed", "not_attempted"]
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    address: str
    action: Action
    status: Status
    error: str | None = None
    error_id: str | None = None  # Mattermost AppError id, e.g. store.sql_channel.save.exists
    request_id: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown outcome status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "action": self.action.value,
            "status": self.status,
            "error": self.error,
            "error_id": self.error_id,
            "request_id": self.request_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChangeOutcome:
        return cls(
            address=data["address"],
            action=Action(data["action"]),
            status=data["status"],
            error=data.get("error"),
            error_id=data.get("error_id"),
            request_id=data.get("request_id"),
        )


@dataclass(frozen=True, slots=True)
class ApplyResult:
    outcomes: tuple[ChangeOutcome, ...] = ()
    duration_s: float = 0.0
    format_version: str = RESULT_FORMAT_VERSION
    interrupted: bool = False  # stopped by Ctrl-C

    @property
    def ok(self) -> bool:
        """True when every change was applied (an empty apply is ok)."""
        return not self.interrupted and all(o.status == "applied" for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        counted = Counter(outcome.status for outcome in self.outcomes)
        return {status: counted.get(status, 0) for status in STATUSES}

    def failures(self) -> tuple[ChangeOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.status == "failed")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "ok": self.ok,
            "interrupted": self.interrupted,
            "duration_s": round(self.duration_s, 3),
            "summary": self.counts(),
            "outcomes": [outcome.to_dict() for outcome in self.outcomes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApplyResult:
        version = str(data.get("format_version", ""))
        if version.split(".")[0] != RESULT_FORMAT_VERSION.split(".")[0]:
            raise ValueError(f"unsupported apply result format_version {version!r}")
        return cls(
            outcomes=tuple(ChangeOutcome.from_dict(o) for o in data.get("outcomes", ())),
            duration_s=float(data.get("duration_s", 0.0)),
            format_version=version,
            interrupted=bool(data.get("interrupted", False)),
        )
