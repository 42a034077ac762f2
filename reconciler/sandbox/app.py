"""The sandbox's request/response core: routing, auth, AppError bodies, headers.

Route handlers live in the `routes/` modules and register themselves on
`ROUTER` with `@route("GET", "/api/v4/teams/{team_id}")`. A handler receives
`(sb: Sandbox, req: Request)` and returns a `Response` (use `json_response`,
`status_ok`, `text_response`) or raises `AppError`. Path parameters are in
`req.params`. Handlers run under `sb.lock` (one request at a time mutates
state), which keeps the store simple and consistent.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from reconciler.sandbox.ids import new_id

SERVER_VERSION = "11.1.0"  # the real server mmrc is tested against (tests/realserver); --server-version pretends another
BUILD_NUMBER = "18000000"
JSON_CONTENT_TYPE = "application/json"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ADMIN_API_PREFIX = "/__sandbox__/"
_GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


class AppError(Exception):
    """Mattermost's AppError: rendered as {id, message, detailed_error, request_id, status_code}."""

    def __init__(self, status: int, error_id: str, message: str, detailed_error: str = "") -> None:
        super().__init__(f"{status} {error_id}: {message}")
        self.status = status
        self.error_id = error_id
        self.message = message
        self.detailed_error = detailed_error


def permission_error(user_id: str = "", permission: str = "") -> AppError:
    return AppError(
        403,
        "api.context.permissions.app_error",
        "You do not have the appropriate permissions.",
        f"userId={user_id}, permission={permission}" if permission else "",
    )


def invalid_body_param(name: str) -> AppError:
    return AppError(
        400,
        "api.context.invalid_body_param.app_error",
        f"Invalid or missing {name} in request body.",
    )


def invalid_url_param(name: str) -> AppError:
    return AppError(
        400,
        "api.context.invalid_url_param.app_error",
        f"Invalid or missing {name} parameter in request URL.",
    )


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    route: str = ""  # the matched route's template, e.g. "/api/v4/channels/{channel_id}"
    request_id: str = field(default_factory=new_id)
    user: Any = None  # the authenticated user record (set by Sandbox.handle)
    token: str = ""
    remote_addr: str = "127.0.0.1"
    rate_limit_headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> Request:
        path, _, query_string = target.partition("?")
        return cls(
            method=method.upper(),
            path=path,
            query=parse_qs(query_string, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers},
            body=body,
        )

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def flag(self, name: str) -> bool:
        """strconv.ParseBool with the error dropped, as web/params.go and most handlers read a
        boolean parameter: "1", "t", "T", "TRUE", "true" and "True" are true; anything else,
        misspellings included, is false (real server: include_deleted=1 reads deleted)."""
        return self.arg(name) in _GO_TRUE

    def int_arg(self, name: str, default: int) -> int:
        try:
            value = int(self.arg(name, str(default)))
        except ValueError:
            return default
        return value

    def json(self, name: str = "body") -> Any:
        """The JSON body; a body that does not parse is api.context.invalid_body_param."""
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise invalid_body_param(name) from None

    def json_object(self, name: str = "body") -> dict[str, Any]:
        data = self.json(name)
        if not isinstance(data, dict):
            raise invalid_body_param(name)
        return data


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # The router's own 404 (no route) carries no X-Request-Id or X-Version-Id (real server).
    bare: bool = False


def route_not_found(path: str) -> Response:
    """web.Handle404, as the real server answers an API path (or method) it has no route for:
    no request id in the body or the headers, and a detailed error even outside developer
    mode. Outside /api/v4/ (e.g. `/hooks/not-an-id`) Go's http.NotFound answers in plain text."""
    if not path.startswith("/api/v4/"):
        response = Response(
            404,
            b"404 page not found\n",
            {"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"},
        )
        response.bare = True
        return response
    body = {
        "id": "api.context.404.app_error",
        "message": "Sorry, we could not find the page.",
        "detailed_error": f"There doesn't appear to be an api call for the url='{path}'.  "
        "Typo? are you missing a team_id or user_id as part of the url?",
        "status_code": 404,
    }
    response = json_response(body, 404)
    response.bare = True
    return response


def json_response(data: Any, status: int = 200) -> Response:
    return Response(
        status,
        json.dumps(data, separators=(",", ":")).encode(),
        {"Content-Type": JSON_CONTENT_TYPE},
    )


def status_ok() -> Response:
    return json_response({"status": "OK"})


def text_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), {"Content-Type": "text/plain"})


Handler = Callable[["Sandbox", Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str
    handler: Handler
    auth: bool


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self, method: str, template: str, *, auth: bool = True
    ) -> Callable[[Handler], Handler]:
        """Register a handler. `{name}` matches one path segment; `{name:path}` the rest; an
        id (`{…_id}`) only letters and digits, as Mattermost's routes declare them, so any
        other id is a path the server does not know (404, real server)."""

        def register(handler: Handler) -> Handler:
            regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.+)", template)
            regex = re.sub(r"\{(\w+_id)\}", r"(?P<\1>[A-Za-z0-9]+)", regex)
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
            self.routes.append(Route(method, re.compile(f"^{regex}$"), template, handler, auth))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        """(route, params); (None, {}) when no route has this method and path."""
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None, {}


ROUTER = Router()
route = ROUTER.route


@dataclass
class SandboxOptions:
    admin_token: str = ""
    admin_username: str = "sysadmin"
    licensed: bool = True
    environment: dict[str, str] = field(default_factory=dict)  # MM_* pins, as os.environ
    site_url: str = "http://127.0.0.1:8065"
    seed: str = "empty"
    admin_api: bool = False  # serve /__sandbox__/ (state reset, request log, faults)
    # Host header names answered besides loopback (127.0.0.1, localhost, ::1) and the
    # address the HTTP server listens on (server.py refuses others: DNS rebinding)
    allowed_hosts: tuple[str, ...] = ()
    # What X-Version-Id and /config/client report; routes newer than it answer 404 as an
    # older server would (e.g. POST /hooks/incoming/{id}/move/{user_id}, routes/hooks.py).
    server_version: str = SERVER_VERSION


def version_tuple(version: str) -> tuple[int, int, int] | None:
    """A version such as "10.11.0" (or "10.11") as numbers; None when it is not one."""
    parts = version.strip().split(".")[:3]
    if len(parts) < 2 or not all(part.isdigit() for part in parts):
        return None
    numbers = [int(part) for part in parts] + [0]
    return numbers[0], numbers[1], numbers[2]


class Sandbox:
    """The whole server state plus the request entry point.

    Sub-stores: `core` (users, bots, teams, channels, memberships, roles, tokens),
    `integrations` (hooks, commands, posts), `config` (effective/stored/env config).
    """

    def __init__(self, options: SandboxOptions | None = None) -> None:
        from reconciler.sandbox import routes  # noqa: F401  (registers every route module)
        from reconciler.sandbox.config_store import ConfigStore
        from reconciler.sandbox.faults import FaultInjector, RequestLog
        from reconciler.sandbox.integrations_store import IntegrationStore
        from reconciler.sandbox.ratelimit import RateLimiter
        from reconciler.sandbox.routes.audits import AuditLog
        from reconciler.sandbox.store import CoreStore

        self.options = options or SandboxOptions()
        self.lock = threading.RLock()
        self.core = CoreStore(self)
        self.integrations = IntegrationStore(self)
        self.config = ConfigStore(self)
        self.faults = FaultInjector()
        self.request_log = RequestLog()
        self.rate_limiter = RateLimiter()
        self.audits = AuditLog()  # GET /api/v4/audits (routes/audits.py)
        # Called (under no lock) after every successful write, e.g. to save a state file.
        self.write_listeners: list[Callable[[], None]] = []
        self.core.bootstrap()

    # -- request entry point -------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        started = time.perf_counter()
        limited = self._rate_limit(req)
        response = limited if limited is not None else self._dispatch(req)
        return self._finish(req, response, started)

    def _finish(self, req: Request, response: Response, started: float) -> Response:
        """The headers every answer carries; the request log, audits and write listeners."""
        response.headers.setdefault("Content-Type", JSON_CONTENT_TYPE)
        if not response.bare:
            response.headers["X-Request-Id"] = req.request_id
            response.headers["X-Version-Id"] = self.version_id()
        response.headers.update(req.rate_limit_headers)
        if req.method == "GET":
            response.headers.setdefault("Expires", "0")
        self.request_log.record(req, response, time.perf_counter() - started)
        self.audits.record_request(self, req, response.status, lambda: _json_object(response))
        if req.method in _WRITE_METHODS and response.status < 400:
            for listener in list(self.write_listeners):
                listener()
        return response

    def _rate_limit(self, req: Request) -> Response | None:
        """RateLimitSettings (see ratelimit.py): 429 text/plain, or None to go on."""
        if req.path.startswith("/__sandbox__/") or not self.config.get_bool(
            "RateLimitSettings.Enable"
        ):
            return None
        from reconciler.sandbox.ratelimit import RateLimitSettings, limited_response

        settings = RateLimitSettings.from_config(self.config.get("RateLimitSettings"))
        token = self.core.token_from_request(req) if settings.vary_by_user else ""
        decision = self.rate_limiter.check(req, settings, token)
        if decision is None:
            return None
        if decision.limited:
            return limited_response(decision)
        req.rate_limit_headers = decision.headers()
        return None

    def version_id(self) -> str:
        licensed = "true" if self.options.licensed else "false"
        return f"{self.options.server_version}.{BUILD_NUMBER}.{self.config.hash()}.{licensed}"

    def is_at_least(self, version: str) -> bool:
        """Whether the version this sandbox pretends to be is `version` or newer."""
        mine, since = version_tuple(self.options.server_version), version_tuple(version)
        return mine is not None and since is not None and mine >= since

    def precheck(self, req: Request) -> Response | None:
        """What to answer before the body is read (None: read it and handle the request):
        a /__sandbox__/ path without the admin API is 404, and with it needs the admin
        token (401); a route that needs a session gets its 401 without reading a body."""
        started = time.perf_counter()
        route_, _ = ROUTER.match(req.method, req.path)
        try:
            with self.lock:
                self._check_admin_api(req)
                if route_ is not None and route_.auth:
                    self.core.authenticate(req)
        except AppError as error:
            return self._finish(req, self.error_response(req, error), started)
        return None

    def _check_admin_api(self, req: Request) -> None:
        """/__sandbox__/ exists only with the admin API on (else 404), and only for the
        admin token (else 401)."""
        if not req.path.startswith(ADMIN_API_PREFIX):
            return
        if not self.options.admin_api:  # as routes/admin.py answers with the API off
            raise AppError(404, "api.context.404.app_error", "Sorry, we could not find the page.")
        token = self.core.token_from_request(req)
        expected = self.core.admin_token
        if not token or not expected or not hmac.compare_digest(token, expected):
            raise AppError(
                401,
                "sandbox.admin.unauthorized",
                "The sandbox admin API needs the admin token (Authorization: Bearer …).",
            )

    def _dispatch(self, req: Request) -> Response:
        route_, params = ROUTER.match(req.method, req.path)
        try:
            with self.lock:
                self._check_admin_api(req)
            if route_ is None:  # an unknown method is answered as an unknown path (real server)
                return route_not_found(req.path)
            req.params = params
            req.route = route_.template
            with self.lock:
                if route_.auth:
                    self.core.authenticate(req)
                return route_.handler(self, req)
        except AppError as error:
            return self.error_response(req, error)

    def error_response(self, req: Request, error: AppError) -> Response:
        body: dict[str, Any] = {
            "id": error.error_id,
            "message": error.message,
            "detailed_error": error.detailed_error if self.config.developer_mode() else "",
            "request_id": req.request_id,
            "status_code": error.status,
        }
        return json_response(body, error.status)

    # -- helpers for route modules ----------------------------------------------------------
    def require_permission(
        self,
        req: Request,
        permission: str,
        *,
        team_id: str | None = None,
        channel_id: str | None = None,
    ) -> None:
        """Raise 403 api.context.permissions.app_error unless the caller holds `permission`
        at system level, or through its team/channel roles when an id is given."""
        if not self.core.has_permission(
            req.user, permission, team_id=team_id, channel_id=channel_id
        ):
            raise permission_error(getattr(req.user, "id", ""), permission)


def _json_object(response: Response) -> dict[str, Any] | None:
    """A write's JSON answer, when it is an object (the audit log names a new channel)."""
    if not response.body.startswith(b"{"):
        return None
    try:
        data = json.loads(response.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
