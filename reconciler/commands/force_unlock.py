"""`mmrc force-unlock LOCK_ID`: release the server's apply lock by hand, as Terraform's.

For when an apply died holding the lock and you do not want to wait for it to
expire. LOCK_ID is the id the refused apply printed (it names the holder too);
another id is refused, so a lock taken since is never broken by mistake. Asks
on a terminal; `--force` skips the question and is needed without one.
"""

from __future__ import annotations

import click

from reconciler.commands.engine_options import interactive, open_client
from reconciler.commands.options import Server, sandbox_option, server_options
from reconciler.engine.lock import LockError, current_lock, force_unlock
from reconciler.errors import ReconcilerError


@click.command("force-unlock")
@click.argument("lock_id")
@server_options
@click.option("--force", is_flag=True, help="Do not ask for confirmation.")
@sandbox_option("Use an embedded sandbox.")
def command(lock_id: str, server: Server, force: bool, sandbox: str | None) -> None:
    """Release the apply lock LOCK_ID that a dead apply left behind."""
    if not force and not interactive():
        raise ReconcilerError(
            "force-unlock needs confirmation, and there is no terminal to ask on: "
            "pass --force to release the lock without asking"
        )
    with open_client(server, sandbox=sandbox, parallelism=1) as client:
        held = current_lock(client)
        if held is None:
            raise LockError("no apply lock is held on this server")
        if not force:
            click.echo(f"The apply lock is held by {held.describe()}.")
            question = "Release it? An apply still running under it would then run unlocked"
            if not click.confirm(question, default=False):
                raise ReconcilerError("force-unlock cancelled; the lock is still held")
        released = force_unlock(client, lock_id)
    click.echo(f"Released the apply lock held by {released.describe()}.")
