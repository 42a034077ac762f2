"""Every API path mmrc calls is a route the sandbox serves.

The calls are read from the reconciler's source (kinds, engine, importer, commands,
http, drift, outputs, client; whichever exist): `client.get/get_paged/post/create/put/delete/patch(path, …)`
and the integration-list helpers `create_once(…, endpoint, …)` (POST endpoint) and
`delete_for(…, endpoint)` (DELETE endpoint/{id}), with the path a literal, an f-string
(each `{…}` after a `/` stands for an id) or a module constant. A path mmrc starts to
call without a sandbox route fails here rather than as a 404 in an end-to-end test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import reconciler.sandbox.routes  # noqa: F401  (registers every route module)
from reconciler.sandbox.app import ROUTER

RECONCILER = Path(__file__).resolve().parents[2] / "reconciler"
SOURCES = (
    "kinds",
    "engine",
    "importer",
    "commands",
    "http",
    "drift.py",
    "outputs.py",
    "client.py",
)
CLIENT_METHODS = {
    "get": "GET",
    "get_paged": "GET",
    "post": "POST",
    "create": "POST",
    "put": "PUT",
    "delete": "DELETE",
    "patch": "PATCH",
}
AN_ID = "a" * 26
# Paths built in ways the reader does not follow (a suffix chosen at run time).
ALSO_CALLED = (
    ("GET", "/api/v4/system/ping", "client.py (PING_PATH)"),
    ("GET", f"/api/v4/teams/{AN_ID}/channels/private", "kinds/channels.py (suffix)"),
    ("GET", f"/api/v4/teams/{AN_ID}/channels/deleted", "kinds/channels.py (suffix)"),
)


def _text(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.JoinedStr):
        out = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                out += str(part.value)
            else:  # an id after a slash; otherwise a suffix, which the reader drops
                out += AN_ID if out.endswith("/") else ""
        return out
    return None


def _calls(path: Path) -> set[tuple[str, str, str]]:
    tree = ast.parse(path.read_text(), str(path))
    constants: dict[str, str] = {}
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        text = _text(value, {}) if value is not None else None
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets if text else ():
            if isinstance(target, ast.Name):
                constants[target.id] = text or ""
    where = path.relative_to(RECONCILER).as_posix()
    found: set[tuple[str, str, str]] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in CLIENT_METHODS and node.args:
            target = _text(node.args[0], constants)
            if target and target.startswith(("/api/v4/", "/hooks/")):
                found.add((CLIENT_METHODS[name], target, f"{where}:{node.lineno}"))
        elif name in ("create_once", "delete_for") and len(node.args) >= 3:
            endpoint = _text(node.args[2], constants)
            if endpoint:
                method, target = (
                    ("POST", endpoint)
                    if name == "create_once"
                    else ("DELETE", f"{endpoint}/{AN_ID}")
                )
                found.add((method, target, f"{where}:{node.lineno}"))
    return found


def called_paths() -> list[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set(ALSO_CALLED)
    for name in SOURCES:
        root = RECONCILER / name
        paths = sorted(root.rglob("*.py")) if root.is_dir() else [root] if root.exists() else []
        for path in paths:
            found |= _calls(path)
    return sorted(found)


def test_the_reader_finds_the_calls() -> None:
    calls = {(method, path) for method, path, _ in called_paths()}
    assert len(calls) >= 40
    assert ("POST", "/api/v4/users/usernames") in calls
    assert ("DELETE", f"/api/v4/commands/{AN_ID}") in calls  # through delete_for
    assert ("POST", "/api/v4/hooks/incoming") in calls  # through create_once
    assert ("GET", "/api/v4/audits") in calls  # through a module constant


@pytest.mark.parametrize(("method", "path", "where"), called_paths())
def test_the_sandbox_serves_it(method: str, path: str, where: str) -> None:
    route, _ = ROUTER.match(method, path)
    assert route is not None, f"{where} calls {method} {path}, which the sandbox does not serve"
