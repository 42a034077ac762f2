"""The default server configuration: every section and field with the value a fresh
install has (config_defaults.json).

The data is what the real server (tests/realserver, Mattermost 11.1.0) answers to
GET /config on a fresh database, with three corrections: the fields the harness sets
(listen address, SiteURL, database, directories, logging, marketplace, notices, e-mail,
security alerts) carry Mattermost's SetDefaults values instead, masked secrets their
unset values. A client that GETs /config, edits a field and PUTs
the whole thing back sees its edit and nothing else change. Leaves are JSON scalars or
lists; `MAP_PATHS` (config_tree) are maps whose keys are data (kept whole), every other
dict is a struct (unknown keys are dropped, missing keys take their default).
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from reconciler.sandbox.config_secrets import FAKE_SETTING
from reconciler.sandbox.config_tree import MAP_PATHS, Path

__all__ = ["FAKE_SETTING", "default_at", "default_config", "leaf_paths"]


_DEFAULTS: dict[str, Any] = json.loads(
    resources.files("reconciler.sandbox").joinpath("config_defaults.json").read_text()
)


def default_config() -> dict[str, Any]:
    """A fresh copy of the default configuration (SiteURL empty, as SetDefaults leaves it)."""
    return copy.deepcopy(_DEFAULTS)


def leaf_paths(node: dict[str, Any] | None = None, prefix: Path = ()) -> list[Path]:
    """Every settable leaf of the default tree (maps and lists count as leaves)."""
    tree = _DEFAULTS if node is None else node
    paths: list[Path] = []
    for key, value in tree.items():
        path = (*prefix, key)
        if isinstance(value, dict) and path not in MAP_PATHS:
            paths.extend(leaf_paths(value, path))
        else:
            paths.append(path)
    return paths


def default_at(path: Path) -> Any:
    node: Any = _DEFAULTS
    for key in path:
        node = node[key]
    return copy.deepcopy(node)
