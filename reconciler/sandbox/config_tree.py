"""The config tree: what kind of node each setting is, and Go's ways of reading a
body into it (MM server/config, utils.Merge, encoding/json).

`with_defaults` is json.Decode over SetDefaults (PUT /config: omitted settings go
back to their defaults); `merge_patch` is utils.Merge (PUT /config/patch: only
present keys change, lists and maps are replaced whole). Both match keys
case-insensitively and answer a value of the wrong JSON type with 400
api.context.invalid_body_param.app_error.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.sandbox.app import invalid_body_param

Path = tuple[str, ...]

# Maps: their keys are data, not field names (kept whole, replaced whole by a patch).
MAP_PATHS: frozenset[Path] = frozenset(
    {
        ("PluginSettings", "Plugins"),
        ("PluginSettings", "PluginStates"),
        ("LogSettings", "AdvancedLoggingJSON"),
        ("NotificationLogSettings", "AdvancedLoggingJSON"),
        ("ExperimentalAuditSettings", "AdvancedLoggingJSON"),
        ("FeatureFlags",),
    }
)
# Go non-pointer fields: a patch that omits them sets them to their zero value.
NON_POINTER_PATHS: frozenset[Path] = frozenset(
    {
        ("RateLimitSettings", "VaryByHeader"),
        ("ClientRequirements", "AndroidLatestVersion"),
        ("ClientRequirements", "AndroidMinVersion"),
        ("ClientRequirements", "IosLatestVersion"),
        ("ClientRequirements", "IosMinVersion"),
    }
)
# Lists of structs (not strings).
OBJECT_LIST_PATHS: frozenset[Path] = frozenset({("SqlSettings", "ReplicaLagSettings")})


def get_path(tree: dict[str, Any], path: Path) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise KeyError(".".join(path))
        node = node[key]
    return node


def set_path(tree: dict[str, Any], path: Path, value: Any) -> None:
    node = tree
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def has_path(tree: dict[str, Any], path: Path) -> bool:
    try:
        get_path(tree, path)
    except KeyError:
        return False
    return True


def type_ok(value: Any, default: Any, path: Path) -> bool:
    if path in MAP_PATHS:
        return isinstance(value, dict)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        item_type: type = dict if path in OBJECT_LIST_PATHS else str
        return all(isinstance(item, item_type) for item in value)
    return True


def match_key(body: dict[str, Any], key: str) -> str | None:
    """Go's encoding/json matches struct field names case-insensitively."""
    if key in body:
        return key
    lowered = key.lower()
    for candidate in body:
        if candidate.lower() == lowered:
            return candidate
    return None


def with_defaults(body: Any, defaults: dict[str, Any], prefix: Path = ()) -> dict[str, Any]:
    """SetDefaults over a decoded body: unknown keys dropped, missing/null → default.
    A value of the wrong JSON type is a decode error (400 invalid_body_param config)."""
    if not isinstance(body, dict):
        raise invalid_body_param("config")
    result: dict[str, Any] = {}
    for key, default in defaults.items():
        path = (*prefix, key)
        found = match_key(body, key)
        value = body[found] if found is not None else None
        if isinstance(default, dict) and path not in MAP_PATHS:
            result[key] = with_defaults(value if value is not None else {}, default, path)
        elif value is None:
            result[key] = copy.deepcopy(default)
        elif not type_ok(value, default, path):
            raise invalid_body_param("config")
        else:
            result[key] = copy.deepcopy(value)
    return result


def merge_patch(base: dict[str, Any], patch: Any, prefix: Path = ()) -> dict[str, Any]:
    """utils.Merge: present (non-null) keys replace, structs recurse, lists/maps whole;
    Go non-pointer fields absent from the patch become their zero value."""
    if not isinstance(patch, dict):
        raise invalid_body_param("config")
    result = copy.deepcopy(base)
    for key, current in base.items():
        path = (*prefix, key)
        found = match_key(patch, key)
        value = patch[found] if found is not None else None
        if isinstance(current, dict) and path not in MAP_PATHS:
            result[key] = merge_patch(current, value if value is not None else {}, path)
        elif value is None:
            if path in NON_POINTER_PATHS:
                result[key] = ""
        elif not type_ok(value, current, path):
            raise invalid_body_param("config")
        else:
            result[key] = copy.deepcopy(value)
    return result


def sent(body: dict[str, Any], path: Path) -> Any:
    """The value a body sends at `path` (keys matched as Go does), or None."""
    node: Any = body
    for key in path:
        if not isinstance(node, dict):
            return None
        found = match_key(node, key)
        if found is None:
            return None
        node = node[found]
    return node


def sent_any(body: Any, path: Path) -> bool:
    return isinstance(body, dict) and sent(body, path) is not None
