"""Server config endpoints (MM api4/config.go): GET /config (sanitized effective),
PUT /config (replace), PUT /config/patch (merge), GET /config/environment,
GET /config/client?format=old. All carry `Cache-Control: no-cache, no-store,
must-revalidate`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.sandbox.app import (
    Request,
    Response,
    json_response,
    route,
)
from reconciler.sandbox.routes._core import require_old_format
from reconciler.sandbox.routes._integrations import deny, system_perm

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

NO_CACHE = "no-cache, no-store, must-revalidate"
# Any one of these lets a caller read / write the config (a sysadmin has all of them).
_READ = (
    "manage_system",
    "sysconsole_read_environment_web_server",
    "sysconsole_read_integrations_integration_management",
)
_WRITE = (
    "manage_system",
    "sysconsole_write_environment_web_server",
    "sysconsole_write_integrations_integration_management",
)


def _no_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_CACHE
    return response


def _require_any(sb: Sandbox, req: Request, permissions: tuple[str, ...]) -> None:
    if not any(system_perm(sb, req, perm) for perm in permissions):
        raise deny(req, permissions[0])


@route("GET", "/api/v4/config")
def get_config(sb: Sandbox, req: Request) -> Response:
    _require_any(sb, req, _READ)
    return _no_cache(json_response(sb.config.sanitized()))


@route("PUT", "/api/v4/config")
def update_config(sb: Sandbox, req: Request) -> Response:
    body = req.json("config")
    _require_any(sb, req, _WRITE)
    return _no_cache(json_response(sb.config.update(body, patch=False)))


@route("PUT", "/api/v4/config/patch")
def patch_config(sb: Sandbox, req: Request) -> Response:
    body = req.json("config")
    _require_any(sb, req, _WRITE)
    return _no_cache(json_response(sb.config.update(body, patch=True)))


@route("GET", "/api/v4/config/environment")
def get_environment_config(sb: Sandbox, req: Request) -> Response:
    _require_any(sb, req, _READ)
    # Go marshals the empty (nil) map as `null` (real server); pins make an object
    return _no_cache(json_response(sb.config.environment_overrides() or None))


@route("GET", "/api/v4/config/client", auth=False)
def get_client_config(sb: Sandbox, req: Request) -> Response:
    require_old_format(req, "config", "configuration")
    return _no_cache(json_response(sb.config.client_config()))
