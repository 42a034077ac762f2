"""The sandbox's own admin API under `/__sandbox__/` (only with
`SandboxOptions.admin_api`; otherwise these paths are 404 like any unknown route).

- `POST /__sandbox__/reset` `{"seed": "empty"|"demo"}` (seed optional: the current one)
- `GET /__sandbox__/state` → the whole state; `PUT /__sandbox__/state` loads one
- `GET /__sandbox__/requests` → `[{method, path, status, duration_ms, at, fault}]`;
  `DELETE` clears the log
- `GET /__sandbox__/faults` → `{"spec": {...}, "counts": {...}}`; `PUT` sets a
  `FaultSpec` (see faults.py); `DELETE` clears it
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.sandbox.app import AppError, Request, Response, json_response, route, status_ok
from reconciler.sandbox.faults import FaultSpec, FaultSpecError
from reconciler.sandbox.persistence import StateError, dump_state, load_state, reset_sandbox

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox


def _require_admin_api(sb: Sandbox) -> None:
    if not sb.options.admin_api:
        raise AppError(404, "api.context.404.app_error", "Sorry, we could not find the page.")


def _bad_request(message: str) -> AppError:
    return AppError(400, "sandbox.admin.invalid_request", message)


@route("POST", "/__sandbox__/reset", auth=False)
def reset(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    body = req.json() if req.body.strip() else {}
    seed = body.get("seed", sb.options.seed) if isinstance(body, dict) else None
    if not isinstance(seed, str):
        raise _bad_request('body must be {"seed": "empty"|"demo"}')
    try:
        reset_sandbox(sb, seed)
    except StateError as error:
        raise _bad_request(str(error)) from None
    return json_response({"status": "OK", "seed": seed})


@route("GET", "/__sandbox__/state", auth=False)
def get_state(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    return json_response(dump_state(sb))


@route("PUT", "/__sandbox__/state", auth=False)
def put_state(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    try:
        load_state(sb, req.json())
    except StateError as error:
        raise _bad_request(str(error)) from None
    return status_ok()


@route("GET", "/__sandbox__/requests", auth=False)
def get_requests(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    return json_response(sb.request_log.to_json())


@route("DELETE", "/__sandbox__/requests", auth=False)
def clear_requests(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    sb.request_log.clear()
    return status_ok()


@route("GET", "/__sandbox__/faults", auth=False)
def get_faults(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    return json_response({"spec": sb.faults.spec.to_json(), "counts": dict(sb.faults.counts)})


@route("PUT", "/__sandbox__/faults", auth=False)
def put_faults(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    try:
        spec = FaultSpec.from_json(req.json())
    except (FaultSpecError, TypeError) as error:
        raise _bad_request(str(error)) from None
    sb.faults.configure(spec)
    return json_response({"spec": spec.to_json(), "counts": dict(sb.faults.counts)})


@route("DELETE", "/__sandbox__/faults", auth=False)
def clear_faults(sb: Sandbox, req: Request) -> Response:
    _require_admin_api(sb)
    sb.faults.clear()
    return status_ok()
