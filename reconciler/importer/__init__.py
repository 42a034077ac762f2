"""`mmrc import`: read a live server and write a workspace that reproduces it.

read_server(client, only_teams=..., members=...) -> LiveState   (the kinds' observe)
build_workspace(state, split=..., root=...) -> ImportResult     (YAML text per file + Summary)
"""

from __future__ import annotations

from reconciler.importer.build import ImportResult, build_workspace
from reconciler.importer.read import LiveState, read_server
from reconciler.importer.summary import Summary
from reconciler.importer.yaml_doc import template_safe

__all__ = [
    "ImportResult",
    "LiveState",
    "Summary",
    "build_workspace",
    "read_server",
    "template_safe",
]
