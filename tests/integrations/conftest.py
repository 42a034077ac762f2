"""End-to-end fixtures: a fresh sandbox on real HTTP per test (`mmrc`), see integrations_helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from integrations_helpers import CANARY, Mmrc, make_sandbox

from reconciler.sandbox.server import RunningSandbox, start_in_thread


@pytest.fixture
def server_options() -> dict[str, Any]:
    """Override in a test module (or parametrize) to start the sandbox differently."""
    return {}


@pytest.fixture
def mmrc(tmp_path: Path, server_options: dict[str, Any]) -> Iterator[Mmrc]:
    running: RunningSandbox = start_in_thread(make_sandbox(**server_options))
    try:
        yield Mmrc(running.url, running.sandbox, tmp_path, {"GITLAB_OAUTH_SECRET": CANARY})
    finally:
        running.stop()
