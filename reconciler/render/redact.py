"""The last line of defence against secrets in output.

The planner already stores `SENSITIVE` in place of secret values; this pass
makes sure of it anyway before anything is rendered. Every field a
`FieldChange` marks sensitive is masked in that change's field list and in its
`before`/`after` objects (dotted field names are followed into nested
objects). `None` stays `None`: "no secret set" is not itself a secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from reconciler.plan import SENSITIVE, FieldChange, JSONValue, Plan, ResourceChange


def redact_plan(plan: Plan) -> Plan:
    return replace(plan, changes=tuple(redact_change(change) for change in plan.changes))


def redact_change(change: ResourceChange) -> ResourceChange:
    secret = [fc.field for fc in change.fields if fc.sensitive]
    if not secret:
        return change
    return replace(
        change,
        fields=tuple(_redact_field(fc) for fc in change.fields),
        before=_mask_paths(change.before, secret),
        after=_mask_paths(change.after, secret),
    )


def is_sensitive(fc: FieldChange) -> bool:
    return fc.sensitive or fc.before == SENSITIVE or fc.after == SENSITIVE


def _redact_field(fc: FieldChange) -> FieldChange:
    if not fc.sensitive:
        return fc
    return replace(fc, before=_mask(fc.before), after=_mask(fc.after))


def _mask(value: JSONValue) -> JSONValue:
    return None if value is None else SENSITIVE


def _mask_paths(
    obj: Mapping[str, JSONValue] | None, paths: Iterable[str]
) -> Mapping[str, JSONValue] | None:
    if obj is None:
        return None
    masked = dict(obj)
    for path in paths:
        _mask_path(masked, path)
    return masked


def _mask_path(obj: dict[str, JSONValue], path: str) -> None:
    if path in obj:
        obj[path] = _mask(obj[path])
        return
    head, dot, rest = path.partition(".")
    if dot and isinstance(obj.get(head), Mapping):
        inner = dict(obj[head])
        _mask_path(inner, rest)
        obj[head] = inner
