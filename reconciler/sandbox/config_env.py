"""Settings pinned by the environment: `MM_<SECTION>_<FIELD>` (case-insensitive), as
MM server/config/environment.go reads them, typed by the field's default."""

from __future__ import annotations

import json
from typing import Any

from reconciler.sandbox.config_defaults import default_at, leaf_paths
from reconciler.sandbox.config_tree import Path

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def parse_env_value(raw: str, default: Any) -> tuple[bool, Any]:
    """(ok, value) for an environment string against the type of the field's default."""
    if isinstance(default, bool):
        if raw in _TRUE:
            return True, True
        if raw in _FALSE:
            return True, False
        return False, None
    if isinstance(default, int):
        try:
            return True, int(raw.strip())
        except ValueError:
            return False, None
    if isinstance(default, list):
        if default and isinstance(default[0], dict):
            try:
                return True, json.loads(raw)
            except ValueError:
                return False, None
        return True, [part for part in raw.split(" ") if part]
    if isinstance(default, dict):
        try:
            value = json.loads(raw)
        except ValueError:
            return False, None
        return isinstance(value, dict), value
    return True, raw


def environment_pins(environment: dict[str, str]) -> dict[Path, Any]:
    """The config leaves an environment pins: `MM_<SECTION>_<FIELD>`, case-insensitive."""
    upper = {name.upper(): value for name, value in environment.items()}
    pins: dict[Path, Any] = {}
    for path in leaf_paths():
        name = "MM_" + "_".join(part.upper() for part in path)
        if name in upper:
            ok, value = parse_env_value(upper[name], default_at(path))
            if ok:
                pins[path] = value
    return pins
