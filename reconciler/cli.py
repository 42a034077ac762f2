"""The `mmrc` command line: a thin dispatcher over reconciler.commands.

Only this module (and the command modules it registers) prints. Exit codes:

    0  success (with --detailed-exitcode: no changes / no drift)
    1  an error: bad usage (an unknown option, a value out of range), an invalid
       workspace, a refused plan, a failed apply, a server error
    2  only with --detailed-exitcode: changes present (drift found)
    3  a bug in mmrc (the message says how to report it)
    130 interrupted (Ctrl-C)

Click's own usage errors exit 2; here they exit 1, so a typo in a CI job never
reads as "changes present".
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from reconciler import __version__
from reconciler.commands.hints import next_step
from reconciler.errors import ApiError, ConfigError, ReconcilerError


class UsageError(click.UsageError):
    """Click's usage error (shown the same way), exiting 1."""

    exit_code = 1


# Each command: its module under reconciler.commands (exposing `command`, a click.Command)
# and the first paragraph of its help, which `mmrc --help` lists without importing the
# module: a command's module (and what it needs: httpx, the engine, the sandbox) is
# imported only when that command runs. tests/test_cli_startup.py keeps these in step.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "Check the workspace file offline and report every problem in it."),
    "schema": ("schema", "Print the JSON Schema of workspace.yaml (for editor completion)."),
    "plan": ("plan", "Show what `apply` would change on the server."),
    "apply": (
        "apply",
        "Apply the changes a plan shows (from the workspace, or a saved PLANFILE).",
    ),
    "sandbox": (
        "sandbox",
        "Run a local Mattermost-compatible server until interrupted (Ctrl-C).",
    ),
    "output": (
        "output",
        "Print hook URLs and tokens (masked unless --reveal). NAME: an address, "
        "a hook's display name, a command's trigger, or TEAM/NAME.",
    ),
    "rotate": ("rotate", "Regenerate the tokens of outgoing webhooks and slash commands."),
    "import": ("import_", "Write a workspace.yaml that reproduces a live server."),
    "drift": ("drift", "Report changes made on the server outside git (and who made them)."),
    "force-unlock": (
        "force_unlock",
        "Release the apply lock LOCK_ID that a dead apply left behind.",
    ),
}


class MmrcGroup(click.Group):
    """Routes every failure through one handler: exit 1 for known errors, 3 for bugs.

    Commands load lazily from `COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(f"reconciler.commands.{COMMANDS[cmd_name][0]}")
            self.add_command(module.command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _usage_errors_exit_1():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _usage_errors_exit_1():
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            for diagnostic in error.diagnostics:
                click.echo(str(diagnostic), err=True)
            count = len(error.diagnostics)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
            ctx.exit(error.exit_code)
        except ReconcilerError as error:
            click.echo(f"Error: {error}", err=True)
            hint = next_step(error) if isinstance(error, ApiError) else None
            if hint:
                click.echo(f"Hint: {hint}", err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as error:  # a bug: keep the type, never the arguments' secrets
            click.echo(
                f"Internal error ({type(error).__name__}). This is a bug in mmrc; "
                "please report it with the command you ran (run with MMRC_DEBUG=1 for a traceback).",
                err=True,
            )
            if _debug():
                raise
            ctx.exit(3)


@contextmanager
def _usage_errors_exit_1() -> Iterator[None]:
    """Click exits 2 on a usage error; mmrc keeps 2 for "changes present"."""
    try:
        yield
    except UsageError:
        raise
    except click.UsageError as error:
        raise UsageError(error.format_message(), error.ctx) from None


def _debug() -> bool:
    import os

    return os.environ.get("MMRC_DEBUG") == "1"


EXIT_CODES_HELP = """\b
Exit codes:
  0    success; with --detailed-exitcode: no changes (no drift)
  1    an error, including bad usage (an unknown option, a value out of range)
  2    only with --detailed-exitcode: changes present (drift found)
  3    a bug in mmrc
  130  interrupted (Ctrl-C)"""


@click.group(
    cls=MmrcGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, prog_name="mmrc")
def cli() -> None:
    """mmrc: Mattermost configuration as code.

    Keep teams, channels, memberships, integrations and server settings in
    workspace.yaml; `mmrc plan` shows what would change, `mmrc apply` makes it so.
    """


def main() -> None:
    cli(prog_name="mmrc")


if __name__ == "__main__":  # pragma: no cover
    main()
