"""Helpers for the import tests (a module with a unique name, not a conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import Result
from ruamel.yaml import YAML

# The demo seed's GitLab secret was set by hand: the plan can never compare it, so any
# value works; the import only references it.
SECRET_ENV = {"MM_GITLAB_SECRET": "any-value-the-plan-cannot-compare"}


def mmrc(live: Any, *args: str, **env: str) -> Result:
    return live.mmrc(*args, **{**SECRET_ENV, **env})


def import_to(live: Any, path: Path, *args: str) -> Result:
    result = mmrc(live, "import", "-o", str(path), *args)
    assert result.exit_code == 0, result.output
    return result


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def team_of(data: Any, name: str) -> Any:
    return next(t for t in data["teams"] if t["name"] == name)


def channel_of(team: Any, name: str) -> Any:
    return next(c for c in team["channels"] if c["name"] == name)


def assert_zero_diff(live: Any, path: Path) -> Result:
    validated = mmrc(live, "validate", "-f", str(path))
    assert validated.exit_code == 0, validated.output
    planned = mmrc(live, "plan", "-f", str(path), "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert "No changes" in planned.stdout
    return planned
