"""Fixtures shared across test folders (append-only: several engineers add here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from live_sandbox import ADMIN_TOKEN, LiveSandbox

from reconciler.client import Client
from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.server import start_in_thread


@pytest.fixture
def start_sandbox(tmp_path: Path) -> Iterator[Callable[..., LiveSandbox]]:
    """`start_sandbox(seed="empty", licensed=True, **options)` → a LiveSandbox (stopped after)."""
    started: list[LiveSandbox] = []

    def start(seed: str = "empty", licensed: bool = True, **options: Any) -> LiveSandbox:
        sandbox = Sandbox(
            SandboxOptions(
                admin_token=ADMIN_TOKEN, seed=seed, licensed=licensed, admin_api=True, **options
            )
        )
        running = start_in_thread(sandbox)
        api = Client(running.url, ADMIN_TOKEN, retries=0)
        live = LiveSandbox(running, ADMIN_TOKEN, api, tmp_path)
        started.append(live)
        return live

    yield start
    for live in started:
        live.api.close()
        live.running.stop()


@pytest.fixture
def sandbox_empty(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    return start_sandbox("empty")
