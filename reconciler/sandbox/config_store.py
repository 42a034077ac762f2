"""Server configuration: stored, environment-pinned and effective config.

(Owned by the sandbox-integrations work; this first version only fixes the
interface `Sandbox` relies on.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox


class ConfigStore:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def hash(self) -> str:
        """The client-config hash part of X-Version-Id."""
        return "0"

    def developer_mode(self) -> bool:
        """ServiceSettings.EnableDeveloper: whether AppError bodies carry detailed_error."""
        return False
