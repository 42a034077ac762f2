"""What `plan` and `apply` share: engine options, the client, colour, the embedded sandbox.

`engine_options` hands the command one `engine: EngineChoices`, which knows the
plan options, the colour choice and how to open the client. `open_client` is
also what the other server commands (drift, import, output, rotate) connect with.

`--sandbox demo|empty` starts a Mattermost-compatible sandbox in this
process on a free port (the only place outside tests that imports
reconciler.sandbox), so `mmrc plan --sandbox demo` shows a real plan with no
server and no token.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import click

from reconciler.client import Client
from reconciler.commands.options import (
    Server,
    bundled,
    format_option,
    no_color_option,
    parallelism_option,
    sandbox_option,
)
from reconciler.kinds.base import PlanOptions


@dataclass(frozen=True)
class EngineChoices:
    """--format, --parallelism, --max-rps, --allow-destructive, --prune-bots,
    --rotate-secrets, --no-color, --sandbox."""

    fmt: str
    parallelism: int
    max_rps: float | None
    allow_destructive: bool
    prune_bots: bool
    rotate_secrets: bool
    no_color: bool
    sandbox: str | None

    def plan_options(self, *, check_permissions: bool = True) -> PlanOptions:
        return PlanOptions(
            allow_destructive=self.allow_destructive,
            prune_bots=self.prune_bots,
            rotate_secrets=self.rotate_secrets,
            check_permissions=check_permissions,
        )

    @property
    def color(self) -> bool:
        return use_color(self.no_color)

    def client(self, server: Server) -> AbstractContextManager[Client]:
        return open_client(
            server, sandbox=self.sandbox, parallelism=self.parallelism, max_rps=self.max_rps
        )


engine_options = bundled(
    "engine",
    EngineChoices,
    [
        sandbox_option(),
        no_color_option,
        click.option("--rotate-secrets", is_flag=True, help="Write every declared secret again."),
        click.option(
            "--prune-bots",
            is_flag=True,
            help="Disable bots the file does not declare (only those the mmrc account owns).",
        ),
        click.option(
            "--allow-destructive",
            is_flag=True,
            help="Allow plans past the safety guards (mass archive/removal, public → private, "
            "removing the applying account).",
        ),
        click.option(
            "--max-rps",
            type=click.FloatRange(min=0.1),
            default=None,
            help="At most this many requests per second.",
        ),
        parallelism_option,
        format_option,
    ],
)


def use_color(no_color: bool, stream: Any = None) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def open_client(
    server: Server,
    *,
    sandbox: str | None = None,
    parallelism: int = 8,
    max_rps: float | None = None,
) -> Iterator[Client]:
    """A client for the target server, or for an embedded sandbox while the block runs."""
    if sandbox is None:
        target = server.target()
        with Client(target.url, target.token, parallelism=parallelism, max_rps=max_rps) as client:
            yield client
        return
    from reconciler.sandbox import Sandbox, SandboxOptions
    from reconciler.sandbox.server import start_in_thread

    running = start_in_thread(Sandbox(SandboxOptions(seed=sandbox)))
    try:
        token = running.sandbox.options.admin_token
        with Client(running.url, token, parallelism=parallelism, max_rps=max_rps) as client:
            yield client
    finally:
        running.stop()


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
