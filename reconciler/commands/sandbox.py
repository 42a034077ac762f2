"""`mmrc sandbox`: serve a Mattermost-compatible API v4 server on localhost.

For trying mmrc without a real server, demos and CI. It prints its URL and
the admin token: this is a local, throwaway token (from --admin-token,
MMRC_SANDBOX_TOKEN, or a random one), and printing it is the point. It answers
only to loopback, the --host it listens on and --allowed-host names (a foreign
Host header gets 421). The admin API (/__sandbox__/: reset, state, request log,
faults) is off unless --admin-api, and then needs the admin token. The
process environment's `MM_*` variables pin config fields exactly as they do on
a real server. With --state FILE the whole server is loaded from FILE at start
(when it exists) and saved after every write and at exit.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import FrameType

import click

from reconciler.errors import ReconcilerError
from reconciler.sandbox.app import SERVER_VERSION, version_tuple


def _version(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if version_tuple(value) is None:
        raise click.BadParameter(f"{value!r} is not a version such as {SERVER_VERSION}")
    return value.strip()


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8065,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port).",
)
@click.option(
    "--admin-token",
    envvar="MMRC_SANDBOX_TOKEN",
    help="The system admin's token (env: MMRC_SANDBOX_TOKEN; default: a random one).",
)
@click.option(
    "--seed",
    type=click.Choice(["empty", "demo"]),
    default="empty",
    show_default=True,
    help="Starting state: only an admin, or ASD-PMA's hand-made server.",
)
@click.option(
    "--unlicensed", is_flag=True, help="Behave like a server without an Enterprise licence."
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Load the server from FILE if it exists; save every change to it.",
)
@click.option(
    "--admin-api/--no-admin-api",
    default=False,
    show_default=True,
    help="Serve /__sandbox__/ (reset, state, request log, fault injection) to the admin token.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Answer requests for this Host name too (besides loopback and --host).",
)
@click.option(
    "--server-version",
    default=SERVER_VERSION,
    show_default=True,
    callback=_version,
    help="The Mattermost version to be (X-Version-Id, /config/client); routes newer than it "
    "answer 404.",
)
def command(
    host: str,
    port: int,
    admin_token: str | None,
    seed: str,
    unlicensed: bool,
    state_file: Path | None,
    admin_api: bool,
    allowed_hosts: tuple[str, ...],
    server_version: str,
) -> None:
    """Run a local Mattermost-compatible server until interrupted (Ctrl-C)."""
    from reconciler.sandbox import Sandbox, SandboxOptions
    from reconciler.sandbox.persistence import StateError, StateFile
    from reconciler.sandbox.server import make_server

    environment = {k: v for k, v in os.environ.items() if k.upper().startswith("MM_")}
    options = SandboxOptions(
        admin_token=admin_token or "",
        licensed=not unlicensed,
        environment=environment,
        site_url=f"http://{host}:{port}",
        seed=seed,
        admin_api=admin_api,
        allowed_hosts=allowed_hosts,
        server_version=server_version,
    )
    try:
        sandbox = Sandbox(options)
    except ValueError as error:  # e.g. a seed this build does not have
        raise ReconcilerError(str(error)) from None
    try:
        http_server = make_server(sandbox, host, port)
    except OSError as error:
        raise ReconcilerError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    url = f"http://{host}:{http_server.server_address[1]}"
    if port == 0:
        sandbox.config.set("ServiceSettings.SiteURL", url)
    state: StateFile | None = None
    if state_file is not None:
        try:
            state = StateFile(sandbox, state_file)
        except StateError as error:
            http_server.server_close()
            raise ReconcilerError(str(error)) from None

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"mmrc sandbox serving {url}")
    click.echo(f"admin token: {sandbox.core.admin_token}")
    if state is not None:
        verb = "loaded from" if state.loaded else "saving to"
        click.echo(f"state: {verb} {state_file}")
    click.echo(f"try: MM_URL={url} MM_TOKEN=<the admin token> mmrc plan", err=True)
    try:
        http_server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        http_server.server_close()
        if state is not None:
            state.close()
        click.echo("mmrc sandbox stopped", err=True)
