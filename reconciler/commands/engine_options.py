"""What `plan` and `apply` share: engine options, the client, colour, the embedded sandbox.

`--sandbox demo|empty` starts a Mattermost-compatible sandbox in this
process on a free port (the only place outside tests that imports
reconciler.sandbox), so `mmrc plan --sandbox demo` shows a real plan with no
server and no token.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.client import Client
from reconciler.commands.options import resolve_target
from reconciler.kinds.base import PlanOptions

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "markdown", "json")


def engine_options(func: F) -> F:
    """--format, --parallelism, --max-rps, --allow-destructive, --prune-bots,
    --rotate-secrets, --no-color, --sandbox."""
    options = [
        click.option(
            "--sandbox",
            type=click.Choice(["demo", "empty"]),
            default=None,
            help="Run against an embedded sandbox server with this seed (no --url or token).",
        ),
        click.option("--no-color", is_flag=True, help="No colour (also: the NO_COLOR variable)."),
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
        click.option(
            "--parallelism",
            type=click.IntRange(min=1, max=64),
            default=8,
            show_default=True,
            help="Requests in flight at once.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="text",
            show_default=True,
            help="Output format.",
        ),
    ]
    for option in options:
        func = option(func)
    return func


def plan_options(
    allow_destructive: bool,
    prune_bots: bool,
    rotate_secrets: bool,
    *,
    check_permissions: bool = True,
) -> PlanOptions:
    return PlanOptions(
        allow_destructive=allow_destructive,
        prune_bots=prune_bots,
        rotate_secrets=rotate_secrets,
        check_permissions=check_permissions,
    )


def use_color(no_color: bool, stream: Any = None) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def open_client(
    url: str | None,
    token_file: Path | None,
    sandbox: str | None,
    parallelism: int,
    max_rps: float | None,
) -> Iterator[Client]:
    """A client for the target server, or for an embedded sandbox while the block runs."""
    if sandbox is None:
        target = resolve_target(url, token_file)
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
