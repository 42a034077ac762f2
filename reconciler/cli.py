"""The `mmrc` command line: a thin dispatcher over reconciler.commands.

Only this module (and the command modules it registers) prints. Known errors
(`ReconcilerError`) exit with their own code and a short message; anything
unexpected exits 3 with a hint to report a bug.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from reconciler import __version__
from reconciler.errors import ConfigError, ReconcilerError

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

    def invoke(self, ctx: click.Context) -> Any:
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


def _debug() -> bool:
    import os

    return os.environ.get("MMRC_DEBUG") == "1"


@click.group(cls=MmrcGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
