"""End-to-end helpers: `mmrc` run through CliRunner against a sandbox on real HTTP.

`CANARY` is the GitLab OAuth secret the workspaces read from the environment;
`Mmrc.outputs` keeps every text any command printed (stdout and stderr) and
every exception, so tests can grep all of it for the canary.
"""

from __future__ import annotations

import secrets
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.sandbox import Sandbox, SandboxOptions

ADMIN_TOKEN = "integrationsadmintoken00000"
CANARY = "canary-" + secrets.token_hex(12)


@dataclass
class Mmrc:
    url: str
    sandbox: Sandbox
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)

    def run(self, *args: str, expect: int | None = 0, **env: str) -> Result:
        runner = CliRunner()
        result = runner.invoke(
            cli,
            list(args),
            env={"MM_URL": self.url, "MM_TOKEN": ADMIN_TOKEN, "NO_COLOR": "1", **self.env, **env},
            catch_exceptions=True,
        )
        self.outputs.append(result.stdout)
        self.outputs.append(result.stderr)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self.outputs.append("".join(traceback.format_exception(result.exception)))
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def write(self, text: str, name: str = "workspace.yaml") -> Path:
        path = self.workdir / name
        path.write_text(text)
        return path

    def everything(self) -> str:
        return "\n".join(self.outputs)


def make_sandbox(**options: Any) -> Sandbox:
    options.setdefault("admin_token", ADMIN_TOKEN)
    return Sandbox(SandboxOptions(**options))
