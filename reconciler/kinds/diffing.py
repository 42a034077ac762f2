"""The declared-fields diff shared by every kind (pure; no I/O).

Only the fields the user wrote (`model_fields_set`, after policy defaults)
are compared, so server defaults never read as drift. Values are compared in
normal form: tuples become lists, sets of names compare sorted where a kind
says order does not matter.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from reconciler.plan import FieldChange


def normal(value: Any) -> Any:
    """A JSON-able form for comparison and for plan before/after values."""
    if isinstance(value, BaseModel):
        return {k: normal(v) for k, v in value.model_dump(exclude_unset=True).items()}
    if isinstance(value, Mapping):
        return {str(k): normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normal(v) for v in value]
    return value


def declared(model: BaseModel, fields: Iterable[str]) -> dict[str, Any]:
    """The declared (set, non-None) values among `fields`, in normal form."""
    chosen: dict[str, Any] = {}
    for name in fields:
        if name in model.model_fields_set:
            value = getattr(model, name)
            if value is not None:
                chosen[name] = normal(value)
    return chosen


def diff_fields(
    desired: Mapping[str, Any],
    live: Mapping[str, Any],
    *,
    unordered: Collection[str] = (),
) -> tuple[FieldChange, ...]:
    """A FieldChange for each desired field whose live value differs (desired order)."""
    changes: list[FieldChange] = []
    for name, raw in desired.items():
        want, have = normal(raw), normal(live.get(name))
        if name in unordered and isinstance(want, list) and isinstance(have, list):
            if sorted(map(str, want)) == sorted(map(str, have)):
                continue
        elif want == have:
            continue
        changes.append(FieldChange(name, have, want))
    return tuple(changes)


def flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"guests": {"post": True}}` → `{"guests.post": True}` (for nested fields)."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            flat.update(flatten(item, name + "."))
        else:
            flat[name] = item
    return flat
