"""The plan as plain, immutable data (no I/O, no HTTP).

A `Plan` is what `mmrc plan` computed: an ordered tuple of `ResourceChange`s,
warnings, the addresses of live objects the file does not manage, and a
fingerprint of every live object that was read (so `apply plan.json` can
refuse when the server moved). Renderers only read it; the applier only walks
it. `to_dict()` is the versioned JSON contract (`FORMAT_VERSION`) and
`from_dict()` reads a saved plan back.

Nothing secret is ever stored here: sensitive values are replaced by
`SENSITIVE` before a change is built, and incoming-webhook ids (credentials)
never appear; server ids are looked up again at apply time by address.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FORMAT_VERSION = "1.0"
SENSITIVE = "(sensitive)"

JSONValue = Any  # str | int | float | bool | None | list | dict


class Action(StrEnum):
    """What happens to one object. `glyph` is how Terraform-style output shows it."""

    CREATE = "create"
    UPDATE = "update"
    RENAME = "rename"
    RESTORE = "restore"
    ARCHIVE = "archive"
    REMOVE = "remove"
    DISABLE = "disable"
    ENABLE = "enable"
    REPLACE = "replace"

    @property
    def glyph(self) -> str:
        return _GLYPHS[self]

    @property
    def destructive(self) -> bool:
        return self in (Action.ARCHIVE, Action.REMOVE, Action.DISABLE, Action.REPLACE)


_GLYPHS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.RENAME: "~",
    Action.RESTORE: "+",
    Action.ARCHIVE: "-",
    Action.REMOVE: "-",
    Action.DISABLE: "-",
    Action.ENABLE: "+",
    Action.REPLACE: "-/+",
}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one object: `before` → `after` (SENSITIVE when secret)."""

    field: str
    before: JSONValue
    after: JSONValue
    sensitive: bool = False

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "sensitive": self.sensitive,
        }


@dataclass(frozen=True, slots=True)
class ResourceChange:
    """One planned change to one object, addressed like `team.asd/channel.project-alpha`.

    `before`/`after` are the normalised object (workspace field names) with
    secrets redacted; `after` is None for archive/remove, `before` None for
    create. `notes` are human explanations the renderers show next to the change
    (e.g. "visibility changes through the privacy endpoint"). `order` is the
    kind's position in the dependency order (the applier's sort key).
    """

    address: str
    kind: str
    action: Action
    before: Mapping[str, JSONValue] | None = None
    after: Mapping[str, JSONValue] | None = None
    fields: tuple[FieldChange, ...] = ()
    notes: tuple[str, ...] = ()
    team: str | None = None
    order: int = 0

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(change.field for change in self.fields)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "address": self.address,
            "kind": self.kind,
            "action": self.action.value,
            "team": self.team,
            "before": _plain(self.before),
            "after": _plain(self.after),
            "changed_fields": list(self.changed_fields),
            "fields": [change.to_dict() for change in self.fields],
            "notes": list(self.notes),
            "order": self.order,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResourceChange:
        return cls(
            address=data["address"],
            kind=data["kind"],
            action=Action(data["action"]),
            before=data.get("before"),
            after=data.get("after"),
            fields=tuple(
                FieldChange(f["field"], f["before"], f["after"], bool(f.get("sensitive")))
                for f in data.get("fields", ())
            ),
            notes=tuple(data.get("notes", ())),
            team=data.get("team"),
            order=int(data.get("order", 0)),
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything `mmrc plan` decided. Immutable; derive, don't mutate."""

    changes: tuple[ResourceChange, ...] = ()
    warnings: tuple[str, ...] = ()
    unmanaged: tuple[str, ...] = ()
    observed: Mapping[str, str] = field(default_factory=dict)  # address → live fingerprint
    server: Mapping[str, str] = field(default_factory=dict)  # url, version
    workspace: Mapping[str, str] = field(default_factory=dict)  # file, sha256
    format_version: str = FORMAT_VERSION

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        counted = Counter(change.action.value for change in self.changes)
        return {action.value: counted.get(action.value, 0) for action in Action}

    def teams(self) -> tuple[str | None, ...]:
        """Teams in first-appearance order (None = server-wide changes)."""
        seen: dict[str | None, None] = {}
        for change in self.changes:
            seen.setdefault(change.team, None)
        return tuple(seen)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "format_version": self.format_version,
            "server": dict(self.server),
            "workspace": dict(self.workspace),
            "summary": {**self.counts(), "unmanaged": len(self.unmanaged)},
            "changes": [change.to_dict() for change in self.changes],
            "warnings": list(self.warnings),
            "unmanaged": list(self.unmanaged),
            "observed": dict(sorted(self.observed.items())),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        version = str(data.get("format_version", ""))
        if version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
            raise ValueError(f"unsupported plan format_version {version!r}")
        return cls(
            changes=tuple(ResourceChange.from_dict(c) for c in data.get("changes", ())),
            warnings=tuple(data.get("warnings", ())),
            unmanaged=tuple(data.get("unmanaged", ())),
            observed=dict(data.get("observed", {})),
            server=dict(data.get("server", {})),
            workspace=dict(data.get("workspace", {})),
            format_version=version,
        )

    def fingerprint(self) -> str:
        """A stable hash of what the plan would do (changes only)."""
        payload = json.dumps([c.to_dict() for c in self.changes], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


def _plain(value: Mapping[str, JSONValue] | None) -> dict[str, JSONValue] | None:
    return None if value is None else dict(value)


def fingerprint_object(data: Mapping[str, Any]) -> str:
    """Fingerprint of a live object's server JSON, for stale-plan detection."""
    payload = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
