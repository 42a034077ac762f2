"""`mmrc` imports a command's module only when that command runs.

`mmrc --help` lists the commands from `reconciler.cli.COMMANDS`; these tests keep
that table in step with the commands themselves, and check that the start-up
path stays light (no pydantic, httpx, jinja2 or YAML for --version and --help;
no HTTP client for validate).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from reconciler.cli import COMMANDS

HEAVY = ("pydantic", "httpx", "jinja2", "ruamel", "deepdiff", "reconciler.engine")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_matches_the_command(name: str) -> None:
    module, summary = COMMANDS[name]
    command = importlib.import_module(f"reconciler.commands.{module}").command
    assert isinstance(command, click.Command) and command.name == name
    first_paragraph = (command.help or "").split("\n\n")[0]
    assert " ".join(first_paragraph.split()) == summary


def test_every_command_module_is_in_the_table() -> None:
    folder = Path(importlib.import_module("reconciler.commands").__path__[0])
    modules = {
        path.stem
        for path in folder.glob("*.py")
        if "@click.command(" in path.read_text(encoding="utf-8")
    }
    assert modules == {module for module, _ in COMMANDS.values()}


def _imported(*argv: str, cwd: Path | None = None) -> list[str]:
    script = (
        "import json, sys\n"
        "from reconciler.cli import cli\n"
        "try:\n"
        f"    cli({list(argv)!r}, prog_name='mmrc')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {HEAVY!r}\n"
        "found = sorted({m for m in sys.modules for h in heavy if m == h or m.startswith(h + '.')})\n"
        "print(json.dumps(found), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, check=False
    )
    found: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return found


def test_version_and_help_import_nothing_heavy() -> None:
    assert _imported("--version") == []
    assert _imported("--help") == []


def test_validate_imports_no_http_client(tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text("version: 1\n", encoding="utf-8")
    found = _imported("validate", cwd=tmp_path)
    assert "pydantic" in found  # it did load and validate the workspace
    assert not [m for m in found if m.startswith(("httpx", "reconciler.engine", "jinja2"))]
