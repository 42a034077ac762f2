"""The one HTTP client of mmrc: auth, retries, paging, rate limiting, concurrency.

Every call to the Mattermost API goes through `Client`. It owns one
`httpx.Client` (thread-safe) and adds:

- `Authorization: Bearer <token>` on every request except the ping;
- retries with exponential backoff and full jitter on 429 (honouring
  `Retry-After`), 502/503/504 and transport failures, for idempotent requests
  only (GET, PUT, DELETE, POST with `idempotent=True`). A plain POST is retried
  only when it provably never reached the handler (429, connection refused);
  `create` makes a POST safe to retry by looking the object up first;
- a client-side request rate (`max_rps`, shared by all threads; a 429 pauses
  every thread until its `Retry-After` has passed) and at most `parallelism`
  requests in flight;
- status → `ApiError` mapping with the server's AppError (`id`, `message`,
  `request_id`).

Secrets: the token and incoming-webhook ids (`/hooks/<id>`,
`/api/v4/hooks/incoming/<id>`; the id is a credential) never appear in an
error message, repr, log record or exception chain. Errors are raised outside
the `except` blocks that caught httpx exceptions, so they carry no
`__context__`; the `httpx`/`httpcore` loggers get a redacting filter.
"""

from __future__ import annotations

import json as jsonlib
import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from reconciler import __version__
from reconciler.errors import (
    ApiError,
    ClientError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    NotMattermostError,
    ServerError,
    UnauthorizedError,
)

__all__ = ["MAX_PER_PAGE", "Client", "ServerInfo", "redact"]

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger("mmrc.http")

PING_PATH: Final = "/api/v4/system/ping"
MAX_PER_PAGE: Final = 200  # Mattermost clamps per_page to 200 silently
RETRYABLE_STATUSES: Final = frozenset({429, 502, 503, 504})
_SERVER_MESSAGE_LIMIT: Final = 300
_REDACTED: Final = "<redacted>"

# -- redaction -------------------------------------------------------------------------------

# /api/v4/hooks/incoming/<id>: the id of an incoming webhook is its credential.
_INCOMING_HOOK_API = re.compile(r"(/hooks/incoming/)([^/?#\s\"']+)")
# /hooks/<id> (the posting endpoint), but not /api/v4/hooks/{incoming,outgoing}.
_HOOK_POST = re.compile(
    r"(/hooks/)(?!(?:incoming|outgoing|<redacted>)(?:[/?#\s\"']|$))([^/?#\s\"']+)"
)
_SECRET_QUERY = re.compile(
    r"([?&;](?:access_token|token|secret|password|client_secret)=)([^&#\s\"']*)", re.IGNORECASE
)
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with webhook ids, token-like query values and the given secrets replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    text = _INCOMING_HOOK_API.sub(rf"\1{_REDACTED}", text)
    text = _HOOK_POST.sub(rf"\1{_REDACTED}", text)
    return _SECRET_QUERY.sub(rf"\1{_REDACTED}", text)


def _hook_ids(path: str) -> list[str]:
    """The webhook ids in `path` (to scrub them from server messages too)."""
    found = [m.group(2) for m in _INCOMING_HOOK_API.finditer(path)]
    found += [m.group(2) for m in _HOOK_POST.finditer(path)]
    return found


class _RedactingFilter(logging.Filter):
    """Rewrites httpx/httpcore log records (which show full URLs) through `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix; drop its arguments
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        return True


_LIBRARY_LOGGERS: Final = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_FILTER = _RedactingFilter()


def _install_log_filter() -> None:
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


# -- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerInfo:
    """What the ping told us. `version` is e.g. "10.11.0" (from `X-Version-Id`)."""

    url: str
    version: str
    build: str
    licensed_header: bool


@dataclass(frozen=True)
class _Failure:
    """A request that got no HTTP answer. Only text: the httpx exception is not kept."""

    reason: str
    maybe_sent: bool  # the server may have received (and acted on) the request
    retryable: bool


def _normalise_url(url: str) -> str:
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiError(
            f"invalid server URL {redact(_strip_userinfo(text))!r}: "
            "expected http(s)://host[:port][/path]"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{_REDACTED}@{host}", parts.path, parts.query, ""))


def _parse_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date: fall back to the computed backoff
    if math.isnan(seconds) or seconds < 0:
        return None
    return seconds


def _one_line(text: str, limit: int = _SERVER_MESSAGE_LIMIT) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _decode(response: httpx.Response) -> Any:
    """Parsed JSON; the text for a non-JSON body; None for an empty one."""
    if not response.content:
        return None
    try:
        return jsonlib.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return response.text


# -- rate limiting --------------------------------------------------------------------------


class _Pacer:
    """A token bucket of size one (even spacing) shared by all threads, plus a shared
    pause after a 429. Slots are reserved under the lock; the wait happens outside it."""

    def __init__(
        self, max_rps: float | None, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self.interval = 1.0 / max_rps if max_rps else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = -math.inf
        self._paused_until = -math.inf

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._paused_until, self._next)
            if self.interval:
                self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


# -- the client -----------------------------------------------------------------------------


class Client:
    """The Mattermost API v4 client.

    >>> with Client("https://chat.example.com", token) as client:
    ...     info = client.check_server()
    ...     teams = client.get_paged("/api/v4/teams")
    ...     client.map_concurrent(lambda t: client.get(f"/api/v4/teams/{t['id']}/channels"), teams)

    Paths start with `/api/v4/` (or `/hooks/`) and are relative to the server URL,
    which may carry a path prefix (`https://host/mattermost`). `clock`, `sleep` and
    `rng` exist for tests (a fake clock instead of real waiting).
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        parallelism: int = 8,
        max_rps: float | None = None,
        retries: int = 5,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        timeout: float = 30.0,
        user_agent: str = f"mmrc/{__version__}",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if parallelism < 1:
            raise ValueError("parallelism must be at least 1")
        if retries < 0:
            raise ValueError("retries must not be negative")
        if max_rps is not None and max_rps <= 0:
            raise ValueError("max_rps must be positive (or None for no limit)")
        self.url = _normalise_url(url)
        self._token = token.strip()
        self.parallelism = parallelism
        self.max_rps = max_rps
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._pacer = _Pacer(max_rps, clock, sleep)
        self._slots = threading.BoundedSemaphore(parallelism)
        self._count_lock = threading.Lock()
        self._request_count = 0
        _install_log_filter()
        self._http = httpx.Client(
            base_url=self.url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=parallelism, max_keepalive_connections=parallelism),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=False,
            trust_env=transport is None,
        )

    def __repr__(self) -> str:
        return f"Client(url={_strip_userinfo(self.url)!r})"

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included."""
        with self._count_lock:
            return self._request_count

    # -- the server -----------------------------------------------------------------------
    def check_server(self) -> ServerInfo:
        """Ping the server (no auth) and read its version from `X-Version-Id`.

        Raises NotMattermostError when the URL answers but not as Mattermost, and
        ServerError when it cannot be reached or reports itself unhealthy."""
        shown = _strip_userinfo(self.url)
        outcome = self._attempts("GET", PING_PATH, auth=False, retry=True)
        if isinstance(outcome, _Failure):
            raise ServerError(
                f"cannot reach {shown}: {outcome.reason}", method="GET", path=PING_PATH
            )
        response = outcome
        version_id = response.headers.get("X-Version-Id", "").strip()
        content_type = response.headers.get("Content-Type", "").lower()
        status = response.status_code
        hint = "check that the URL is the Mattermost site URL (without /api/v4)"

        def not_mattermost(what: str) -> NotMattermostError:
            return NotMattermostError(
                f"{shown} is not a Mattermost server: {what}; {hint}",
                method="GET",
                path=PING_PATH,
                status=status,
            )

        if 300 <= status < 400:
            location = redact(_strip_userinfo(response.headers.get("Location", "")))
            raise not_mattermost(f"GET {PING_PATH} was redirected ({status}) to {location!r}")
        if not version_id:
            if status >= 500:
                raise self._error("GET", PING_PATH, response)
            if "html" in content_type:
                raise not_mattermost(f"GET {PING_PATH} answered {status} with an HTML page")
            raise not_mattermost(
                f"GET {PING_PATH} answered {status} without an X-Version-Id header"
            )
        if status >= 400:
            if status >= 500:
                raise self._error("GET", PING_PATH, response)
            raise not_mattermost(f"GET {PING_PATH} answered {status}")
        body = _decode(response)
        if not isinstance(body, dict) or "status" not in body:
            raise not_mattermost(f"GET {PING_PATH} did not answer with Mattermost's ping JSON")
        parts = version_id.split(".")
        version = ".".join(parts[:3])
        if len(parts) < 5 or not _VERSION.match(version):
            raise not_mattermost(f"unrecognised X-Version-Id {_one_line(version_id, 80)!r}")
        return ServerInfo(
            url=self.url,
            version=version,
            build=".".join(parts[3:-2]),
            licensed_header=parts[-1].lower() == "true",
        )

    # -- verbs ----------------------------------------------------------------------------
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._call("GET", path, params=params, retry=True)

    def get_paged(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        per_page: int = MAX_PER_PAGE,
        key: str | None = None,
    ) -> list[Any]:
        """Every item of a paged list: page=0, 1, ... until a page is shorter than
        `per_page`. `key` unwraps `{"channels": [...], "total_count": n}` shapes."""
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        items: list[Any] = []
        previous: list[Any] | None = None
        page = 0
        while True:
            query = {**(params or {}), "page": page, "per_page": per_page}
            data = self.get(path, query)
            if key is not None:
                data = data.get(key) if isinstance(data, dict) else None
                if data is None:
                    data = []
            if not isinstance(data, list):
                raise ApiError(
                    f"GET {redact(_path_only(path))} failed: expected a JSON list"
                    + (f" under {key!r}" if key else "")
                    + f", got {type(data).__name__}",
                    method="GET",
                    path=redact(_path_only(path)),
                )
            if data and data == previous:
                raise ApiError(
                    f"GET {redact(_path_only(path))} failed: the server ignores paging "
                    f"(page {page} repeats page {page - 1})",
                    method="GET",
                    path=redact(_path_only(path)),
                )
            items.extend(data)
            if len(data) < per_page:
                return items
            previous = data
            page += 1

    def post(self, path: str, json: Any = None, *, idempotent: bool = False) -> Any:
        """POST; retried like GET only with `idempotent=True` (use `create` for creates)."""
        return self._call("POST", path, json=json, retry=idempotent)

    def put(self, path: str, json: Any = None) -> Any:
        return self._call("PUT", path, json=json, retry=True)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._call("DELETE", path, params=params, retry=True)

    def create(self, path: str, json: Any, *, find_existing: Callable[[], Any | None]) -> Any:
        """POST a new object, safe to retry.

        When the answer is lost after the request may have reached the server
        (timeout, dropped connection, 5xx), `find_existing()` looks the object up
        by its natural key: if found, it is returned and no second POST is sent;
        otherwise the POST is retried after a backoff. A 400/409 on a retry that
        follows such an uncertain attempt also consults `find_existing()`."""
        uncertain = False
        last: ApiError | None = None
        delay = 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(delay)
            outcome = self._send("POST", path, json=json)
            if isinstance(outcome, _Failure):
                last = self._failure_error("POST", path, outcome, attempt + 1)
                if not outcome.retryable:
                    raise last
                if outcome.maybe_sent:
                    uncertain = True
                    found = self._lookup(path, find_existing, outcome.reason)
                    if found is not None:
                        return found
            elif outcome.is_success:
                return _decode(outcome)
            else:
                status = outcome.status_code
                last = self._error("POST", path, outcome)
                if status == 429:
                    self._note_retry_after(outcome)
                elif status >= 500:
                    uncertain = True
                    found = self._lookup(path, find_existing, f"status {status}")
                    if found is not None:
                        return found
                else:
                    if uncertain and status in (400, 409):
                        found = self._lookup(path, find_existing, f"status {status}")
                        if found is not None:
                            return found
                    raise last
            delay = self._backoff(attempt, outcome)
        assert last is not None
        raise last

    def map_concurrent(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`[fn(item) for item in items]` on up to `parallelism` threads, in input order.

        On the first exception, items not yet started are cancelled, the running
        ones finish, and that exception is re-raised."""
        work = list(items)
        if not work:
            return []
        if self.parallelism == 1 or len(work) == 1:
            return [fn(item) for item in work]
        first: BaseException | None = None
        with ThreadPoolExecutor(
            max_workers=min(self.parallelism, len(work)), thread_name_prefix="mmrc-worker"
        ) as pool:
            futures: list[Future[R]] = [pool.submit(fn, item) for item in work]
            for future in as_completed(futures):
                if future.cancelled() or first is not None:
                    continue
                first = future.exception()
                if first is not None:
                    for other in futures:
                        other.cancel()  # only those not started yet
        if first is not None:
            raise first
        return [future.result() for future in futures]

    # -- machinery ------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        retry: bool,
    ) -> Any:
        outcome = self._attempts(method, path, params=params, json=json, retry=retry)
        if isinstance(outcome, _Failure):
            raise self._failure_error(method, path, outcome, None)
        if outcome.is_success:
            return _decode(outcome)
        raise self._error(method, path, outcome)

    def _attempts(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        retry: bool,
        auth: bool = True,
    ) -> httpx.Response | _Failure:
        """Send with retries; returns the last response or failure (never raises httpx)."""
        attempt = 0
        while True:
            outcome = self._send(method, path, params=params, json=json, auth=auth)
            if isinstance(outcome, _Failure):
                may_retry = outcome.retryable and (retry or not outcome.maybe_sent)
            else:
                status = outcome.status_code
                # A 429 is refused before the handler runs, so even a plain POST may repeat it.
                may_retry = status == 429 or (retry and status in RETRYABLE_STATUSES)
                if status == 429:
                    self._note_retry_after(outcome)
            if not may_retry or attempt >= self.retries:
                if isinstance(outcome, _Failure) and attempt:
                    outcome = _Failure(
                        f"{outcome.reason} (after {attempt + 1} attempts)",
                        outcome.maybe_sent,
                        outcome.retryable,
                    )
                return outcome
            delay = self._backoff(attempt, outcome)
            log.debug(
                "%s %s: retrying in %.2f s (attempt %d of %d)",
                method,
                redact(_path_only(path)),
                delay,
                attempt + 2,
                self.retries + 1,
            )
            self._sleep(delay)
            attempt += 1

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        auth: bool = True,
    ) -> httpx.Response | _Failure:
        """One HTTP exchange, under the concurrency bound and the rate limit."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {redact(_path_only(path))!r}")
        shown = redact(_path_only(path), self._secrets(path))
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        failure: _Failure | None = None
        response: httpx.Response | None = None
        with self._slots:
            self._pacer.acquire()
            with self._count_lock:
                self._request_count += 1
            started = self._clock()
            try:
                request = self._http.build_request(
                    method,
                    path,
                    params=dict(params) if params is not None else None,
                    json=json,
                    headers=headers,
                )
                response = self._http.send(request)
            except httpx.TimeoutException as exc:
                failure = _Failure(
                    f"timed out ({type(exc).__name__})",
                    maybe_sent=not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout),
                    retryable=True,
                )
            except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
                failure = _Failure(
                    f"{type(exc).__name__}: {self._scrub(str(exc)) or 'connection failed'}",
                    maybe_sent=not isinstance(exc, httpx.ConnectError),
                    retryable=True,
                )
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                failure = _Failure(
                    f"{type(exc).__name__}: {self._scrub(str(exc))}",
                    maybe_sent=False,
                    retryable=False,
                )
            elapsed_ms = (self._clock() - started) * 1000
        if failure is not None:
            log.debug("%s %s -> %s after %.1f ms", method, shown, failure.reason, elapsed_ms)
            return failure
        assert response is not None
        log.debug(
            "%s %s -> %d in %.1f ms (request id: %s)",
            method,
            shown,
            response.status_code,
            elapsed_ms,
            response.headers.get("X-Request-Id", "-"),
        )
        return response

    def _lookup(self, path: str, find_existing: Callable[[], Any], why: str) -> Any:
        found = find_existing()
        log.debug(
            "POST %s: the answer may be lost (%s); lookup %s",
            redact(_path_only(path)),
            why,
            "found the object, not posting again" if found is not None else "found nothing",
        )
        return found

    def _backoff(self, attempt: int, outcome: httpx.Response | _Failure) -> float:
        """Full jitter: uniform(0, min(max, base·2^attempt)); a 429's Retry-After wins."""
        if isinstance(outcome, httpx.Response) and outcome.status_code == 429:
            advised = self._retry_after(outcome)
            if advised is not None:
                return min(advised, self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return self._rng.uniform(0, ceiling)

    @staticmethod
    def _retry_after(response: httpx.Response) -> float | None:
        advised = _parse_seconds(response.headers.get("Retry-After"))
        if advised is None:
            advised = _parse_seconds(response.headers.get("X-RateLimit-Reset"))
        return advised

    def _note_retry_after(self, response: httpx.Response) -> None:
        advised = self._retry_after(response)
        if advised is not None:
            self._pacer.pause(min(advised, self.backoff_max))

    def _secrets(self, path: str = "") -> list[str]:
        return [self._token, *_hook_ids(path)] if self._token else _hook_ids(path)

    def _scrub(self, text: str, path: str = "") -> str:
        return redact(text, self._secrets(path))

    def _failure_error(
        self, method: str, path: str, failure: _Failure, attempts: int | None
    ) -> ServerError:
        shown = redact(_path_only(path), self._secrets(path))
        reason = failure.reason
        if attempts and attempts > 1:
            reason += f" (after {attempts} attempts)"
        return ServerError(f"{method} {shown} failed: {reason}", method=method, path=shown)

    def _error(self, method: str, path: str, response: httpx.Response) -> ApiError:
        """The ApiError for an HTTP error answer, with the AppError's fields."""
        status = response.status_code
        shown = redact(_path_only(path), self._secrets(path))
        request_id = response.headers.get("X-Request-Id") or None
        error_id: str | None = None
        message: str | None = None
        content_type = response.headers.get("Content-Type", "").lower()
        body = _decode(response)
        if isinstance(body, dict):
            error_id = str(body.get("id") or "") or None
            message = str(body.get("message") or "") or None
            request_id = str(body.get("request_id") or "") or request_id
        elif isinstance(body, str) and body.strip():
            if "html" in content_type or body.lstrip().startswith("<"):
                message = f"non-JSON answer ({content_type.split(';')[0] or 'text/html'})"
            else:
                message = body
        if message is not None:
            message = _one_line(self._scrub(message, path))
        if error_id is not None:
            error_id = _one_line(self._scrub(error_id, path), 120)
        if request_id is not None:
            request_id = _one_line(self._scrub(request_id, path), 80)
        text = f"{method} {shown} failed: {status}"
        if error_id:
            text += f" {error_id}:"
        text += f" {message or response.reason_phrase or 'error'}"
        if 300 <= status < 400:
            location = self._scrub(_strip_userinfo(response.headers.get("Location", "")), path)
            text += f" (redirect to {location!r})"
        if request_id:
            text += f" (request id: {request_id})"
        cls = _error_class(status)
        return cls(
            text,
            method=method,
            path=shown,
            status=status,
            error_id=error_id,
            request_id=request_id,
            server_message=message,
        )


def _path_only(path: str) -> str:
    return path.split("?", 1)[0].split("#", 1)[0]


def _error_class(status: int) -> type[ApiError]:
    if status == 401:
        return UnauthorizedError
    if status == 403:
        return ForbiddenError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if 400 <= status < 500:
        return ClientError
    if status >= 500:
        return ServerError
    return ApiError
