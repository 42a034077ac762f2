"""Pydantic validation errors → diagnostics at the right line, with did-you-mean hints.

Each error's `loc` is a path into the merged data; the source map turns it
into a position. Unknown keys get the closest allowed key from the model at
that place (difflib). Messages never echo values longer than a short word, nor
any value of a secret field.
"""

from __future__ import annotations

import difflib
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from reconciler.errors import Diagnostic
from reconciler.workspace.models import Workspace
from reconciler.workspace.secrets import SECRET_REF_PATTERN
from reconciler.workspace.sourcemap import FieldPath, SourceMap

_TYPE_MESSAGES = {
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
}


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation


def model_at(loc: FieldPath, root: type[BaseModel] = Workspace) -> type[BaseModel] | None:
    """The model class describing the mapping at `loc`, if there is one."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif origin is tuple or origin is list:
            current = get_args(current)[0]
        elif origin is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return repr(text) if len(text) <= 30 else "a string"


def _is_secret(loc: FieldPath) -> bool:
    """Whether `loc` is a secret field (a ${env:…}/${file:…} reference): never echoed."""
    model = model_at(loc[:-1]) if loc else None
    field = model.model_fields.get(str(loc[-1])) if model is not None else None
    extra = field.json_schema_extra if field is not None else None
    return isinstance(extra, dict) and str(extra.get("pattern", "")).startswith(SECRET_REF_PATTERN)


def unknown_key(loc: FieldPath) -> tuple[str, str | None]:
    key = str(loc[-1])
    parent = loc[:-1]
    if key == "manage_members" and parent[-2:] == ("moderation", "guests"):
        return (
            "Mattermost has no manage_members moderation for guests "
            "(guests allow post, reactions and channel_mentions)",
            None,
        )
    model = model_at(parent)
    allowed = sorted(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}", f"did you mean {close[0]!r}?"
    if allowed:
        return f"unknown key {key!r}", "allowed keys: " + ", ".join(allowed)
    return f"unknown key {key!r}", None


def diagnostics_from(error: ValidationError, source_map: SourceMap) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for item in error.errors(include_url=False):
        loc: FieldPath = tuple(item["loc"])
        kind = item["type"]
        hint: str | None = None
        if kind == "extra_forbidden":
            message, hint = unknown_key(loc)
        elif kind == "missing":
            message = f"missing required key {str(loc[-1])!r}"
        elif kind in _TYPE_MESSAGES and _is_secret(loc):
            message = f"{_TYPE_MESSAGES[kind]} (a secret field: its value is not shown)"
        elif kind in _TYPE_MESSAGES:
            message = f"{_TYPE_MESSAGES[kind]}, got {_describe(item.get('input'))}"
        elif kind == "literal_error":
            expected = str(item["msg"]).replace("Input should be ", "")
            message = f"must be {expected}, got {_describe(item.get('input'))}"
        else:
            message = str(item["msg"]).replace("Input should be", "must be")
        found.append(source_map.diagnostic(loc, message, hint))
    return found
