"""Options shared by every command that talks to a server.

The token is never taken from argv: it comes from MM_TOKEN or a file named by
--token-file, so it cannot leak through `ps` or shell history.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.errors import ReconcilerError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ServerTarget:
    url: str
    token: str = ""

    def __repr__(self) -> str:  # never show the token
        return f"ServerTarget(url={self.url!r}, token=<redacted>)"


def server_options(func: F) -> F:
    """Adds --url (MM_URL) and --token-file; the token also comes from MM_TOKEN."""
    func = click.option(
        "--token-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="File holding the access token (default: the MM_TOKEN environment variable).",
    )(func)
    func = click.option(
        "--url",
        envvar="MM_URL",
        help="Mattermost server URL, e.g. https://chat.example.com (env: MM_URL).",
    )(func)
    return func


def resolve_target(url: str | None, token_file: Path | None) -> ServerTarget:
    if not url:
        raise ReconcilerError("no server given: pass --url or set MM_URL")
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ReconcilerError(
                f"cannot read token file {token_file}: {error.strerror}"
            ) from None
    else:
        token = os.environ.get("MM_TOKEN", "").strip()
    if not token:
        raise ReconcilerError("no token given: set MM_TOKEN or pass --token-file")
    return ServerTarget(url=url.rstrip("/"), token=token)
