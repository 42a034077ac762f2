"""What the apply lock says about its holder, and `--lock-timeout`'s durations."""

from __future__ import annotations

import getpass
import os
import re
import socket

import click

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: str, option: str) -> float:
    """ "30s", "10m", "1h", "500ms" or a number of seconds → seconds."""
    found = _DURATION.match(str(value))
    if found is None:
        raise click.BadParameter(
            f"{value!r} is not a duration such as 30s, 10m or 1h", param_hint=option
        )
    return float(found.group(1)) * _UNITS[found.group(2) or "s"]


def lock_holder() -> str:
    """Who holds the lock: the CI run when there is one, else user@host."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        repository = os.environ.get("GITHUB_REPOSITORY", "")
        run = os.environ.get("GITHUB_RUN_ID", "")
        actor = os.environ.get("GITHUB_ACTOR", "")
        return f"{actor} in {server}/{repository}/actions/runs/{run}"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def lock_commit() -> str:
    """The commit being applied, when the environment names one."""
    for name in ("MMRC_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA"):
        if os.environ.get(name):
            return os.environ[name][:40]
    return ""
