"""Integration state: incoming/outgoing webhooks, slash commands, posts.

(Owned by the sandbox-integrations work; this first version only fixes the
interface `Sandbox` relies on.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox


class IntegrationStore:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
