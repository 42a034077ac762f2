"""The option groups commands share, each handed to the command as one value.

- `workspace_options` (-f/--file, --var, --var-file) → `workspace: WorkspaceFile`,
  whose `load()` reads and validates the workspace;
- `server_options` (--url/MM_URL, --token-file/MM_TOKEN) → `server: Server`;
- single options several commands spell the same way: `parallelism_option`,
  `format_option`, `no_color_option`, `sandbox_option`, `out_option`;
- `deprecated_alias`: an old spelling kept hidden for one release, which says
  what replaces it.

One spelling per meaning: `-o/--out FILE` is a command's main artefact (the
saved plan, the imported workspace), `--outputs-file FILE` the hook URLs and
tokens document (apply, rotate), `--format` the output format, `--sandbox` an
embedded sandbox, on every command that has them.

`bundled` is how a group becomes one value: its options are added as usual (same
names, help and order) and their values reach the command as one dataclass.

The token is never taken from argv: it comes from MM_TOKEN or a file named by
--token-file, so it cannot leak through `ps` or shell history.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from reconciler.errors import ReconcilerError
from reconciler.http.credentials import shown_url, token_problem, url_problem
from reconciler.workspace import LoadedWorkspace, Position, load_var_file, load_workspace

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "markdown", "json")


def bundled(
    name: str, value_type: type[Any], options: Sequence[Callable[[F], F]]
) -> Callable[[F], F]:
    """A decorator adding `options` (listed bottom-up, as stacked decorators apply) whose
    values reach the command as one argument `name`: a `value_type` built from the
    parameters named like its fields."""
    keys = [f.name for f in dataclasses.fields(value_type)]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = value_type(**{key: kwargs.pop(key) for key in keys})
            return func(*args, **kwargs)

        wrapped = cast(F, command)
        for option in options:
            wrapped = option(wrapped)
        return wrapped

    return decorate


def deprecated_alias(
    old: str,
    replacement: str,
    dest: str,
    convert: Callable[[Any], Any] = lambda value: value,
    **option: Any,
) -> Callable[[F], F]:
    """A hidden option `old` that sets the command's `dest` (through `convert`) when given,
    with a note on stderr naming `replacement`. Kept for one release."""
    hidden_name = f"{dest}__{old.lstrip('-').replace('-', '_')}"

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(hidden_name)
            if value is not None and value is not False:
                click.echo(
                    f"mmrc: {old} is deprecated and will be removed in the next release; "
                    f"use {replacement}",
                    err=True,
                )
                kwargs[dest] = convert(value)
            return func(*args, **kwargs)

        return cast(F, click.option(old, hidden_name, hidden=True, **option)(command))

    return decorate


# -- the workspace ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkspaceFile:
    """-f/--file with its --var and --var-file overrides."""

    file: Path
    var_pairs: tuple[str, ...] = ()
    var_files: tuple[Path, ...] = ()

    def load(self) -> LoadedWorkspace:
        overrides: dict[str, Any] = {}
        origins: dict[str, Position] = {}
        for var_file in self.var_files:
            overrides.update(load_var_file(var_file, origins))
        pairs = parse_var_pairs(self.var_pairs)
        overrides.update(pairs)
        for key in pairs:  # --var wins: its key has no position in a file
            origins.pop(key, None)
        return load_workspace(self.file, overrides, origins)


def parse_var_pairs(pairs: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--var")
        found[key.strip()] = value
    return found


workspace_options = bundled(
    "workspace",
    WorkspaceFile,
    [
        click.option(
            "--var-file",
            "var_files",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="YAML file of variables (overrides the file's vars:).",
        ),
        click.option(
            "--var",
            "var_pairs",
            multiple=True,
            metavar="KEY=VALUE",
            help="Set a template variable (overrides vars: and --var-file).",
        ),
        click.option(
            "-f",
            "--file",
            "file",
            default="workspace.yaml",
            show_default=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="The workspace file.",
        ),
    ],
)


# -- the server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerTarget:
    url: str
    token: str = ""

    def __repr__(self) -> str:  # never show the token
        return f"ServerTarget(url={self.url!r}, token=<redacted>)"


@dataclass(frozen=True)
class Server:
    """--url (MM_URL) and --token-file (else MM_TOKEN), read only when a client opens."""

    url: str | None
    token_file: Path | None

    def target(self) -> ServerTarget:
        return resolve_target(self.url, self.token_file)


def resolve_target(url: str | None, token_file: Path | None) -> ServerTarget:
    """The server URL and token, checked before any request: a token with a line break, a
    control or a non-ASCII character is refused without being quoted."""
    if not url:
        raise ReconcilerError("no server given: pass --url or set MM_URL")
    problem = url_problem(url)
    if problem is not None:
        raise ReconcilerError(f"invalid server URL {shown_url(url)!r} (--url/MM_URL): {problem}")
    if token_file is not None:
        source = f"the token file {token_file}"
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ReconcilerError(
                f"cannot read token file {token_file}: {error.strerror}"
            ) from None
        except UnicodeDecodeError:
            raise ReconcilerError(
                f"unusable token in {source}: it is not UTF-8 text (a token is printable ASCII)"
            ) from None
    else:
        source = "MM_TOKEN"
        token = os.environ.get("MM_TOKEN", "").strip()
    if not token:
        raise ReconcilerError("no token given: set MM_TOKEN or pass --token-file")
    problem = token_problem(token)
    if problem is not None:
        raise ReconcilerError(f"unusable token in {source}: {problem}")
    return ServerTarget(url=url.strip().rstrip("/"), token=token)


server_options = bundled(
    "server",
    Server,
    [
        click.option(
            "--token-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="File holding the access token (default: the MM_TOKEN environment variable).",
        ),
        click.option(
            "--url",
            envvar="MM_URL",
            help="Mattermost server URL, e.g. https://chat.example.com (env: MM_URL).",
        ),
    ],
)


# -- single options ---------------------------------------------------------------------------

parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(min=1, max=64),
    default=8,
    show_default=True,
    help="Requests in flight at once.",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
no_color_option = click.option(
    "--no-color", is_flag=True, help="No colour (also: the NO_COLOR variable)."
)


def sandbox_option(
    help: str = "Run against an embedded sandbox server with this seed (no --url or token); "
    "it stops when the command ends.",
) -> Callable[[F], F]:
    return click.option("--sandbox", type=click.Choice(["demo", "empty"]), default=None, help=help)


def out_option(help: str) -> Callable[[F], F]:
    """-o/--out FILE: the file a command writes its main artefact to."""
    return click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help=help)
