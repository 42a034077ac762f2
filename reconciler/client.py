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

The parts that stand on their own live in `reconciler.http`: redaction, pacing
(rate and 429 pauses), answers (JSON or `ApiError`) and the ping.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from types import TracebackType
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from reconciler import __version__
from reconciler.errors import ApiError, ServerError
from reconciler.http.answers import Failure, api_error, decode, failure_error
from reconciler.http.credentials import shown_url, token_problem, url_problem
from reconciler.http.pacing import Pacer, retry_after
from reconciler.http.ping import PING_PATH, ServerInfo, read_ping
from reconciler.http.redaction import (
    hook_ids,
    install_log_filter,
    path_only,
    redact,
    strip_userinfo,
)

__all__ = ["MAX_PER_PAGE", "Client", "ServerInfo", "redact"]

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger("mmrc.http")

MAX_PER_PAGE: Final = 200  # Mattermost clamps per_page to 200 silently
RETRYABLE_STATUSES: Final = frozenset({429, 502, 503, 504})


def _normalise_url(url: str) -> str:
    text = url.strip()
    problem = url_problem(text)
    if problem is not None:
        raise ApiError(f"invalid server URL {redact(shown_url(text))!r}: {problem}")
    parts = urlsplit(text)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _checked_token(token: str) -> str:
    """`token` without surrounding whitespace; refused (never quoted) when it cannot be a
    bearer token, before any request is built."""
    token = token.strip()
    problem = token_problem(token) if token else None
    if problem is not None:
        raise ApiError(f"unusable token: {problem}")
    return token


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
        self._token = _checked_token(token)
        self.parallelism = parallelism
        self.max_rps = max_rps
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._pacer = Pacer(max_rps, clock, sleep)
        self._slots = threading.BoundedSemaphore(parallelism)
        self._count_lock = threading.Lock()
        self._request_count = 0
        install_log_filter()
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
        return f"Client(url={strip_userinfo(self.url)!r})"

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
        outcome = self._attempts("GET", PING_PATH, auth=False, retry=True)
        if isinstance(outcome, Failure):
            raise ServerError(
                f"cannot reach {strip_userinfo(self.url)}: {outcome.reason}",
                method="GET",
                path=PING_PATH,
            )
        return read_ping(self.url, outcome, lambda answer: self._error("GET", PING_PATH, answer))

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
                under = f" under {key!r}" if key else ""
                raise self._paging_error(
                    path, f"expected a JSON list{under}, got {type(data).__name__}"
                )
            if data and data == previous:
                raise self._paging_error(
                    path, f"the server ignores paging (page {page} repeats page {page - 1})"
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
        """DELETE, retried like GET. A 404 that answers a retry after an attempt that may
        have reached the server (its answer lost, or a 5xx) means that attempt deleted the
        object: success (None), not an error."""
        outcome = self._attempts("DELETE", path, params=params, retry=True, gone_ok=True)
        if isinstance(outcome, Failure):
            raise self._failure_error("DELETE", path, outcome, None)
        if outcome.is_success:
            return decode(outcome)
        raise self._error("DELETE", path, outcome)

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
            if isinstance(outcome, Failure):
                last = self._failure_error("POST", path, outcome, attempt + 1)
                if not outcome.retryable:
                    raise last
                if outcome.maybe_sent:
                    uncertain = True
                    found = self._lookup(path, find_existing, outcome.reason)
                    if found is not None:
                        return found
            elif outcome.is_success:
                return decode(outcome)
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
        ones finish, and that exception is re-raised. Ctrl-C (KeyboardInterrupt in
        the calling thread) cancels the items not yet started too."""
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
            try:
                for future in as_completed(futures):
                    if future.cancelled() or first is not None:
                        continue
                    first = future.exception()
                    if first is not None:
                        for other in futures:
                            other.cancel()  # only those not started yet
            except KeyboardInterrupt:
                for other in futures:
                    other.cancel()
                raise
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
        if isinstance(outcome, Failure):
            raise self._failure_error(method, path, outcome, None)
        if outcome.is_success:
            return decode(outcome)
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
        gone_ok: bool = False,
    ) -> httpx.Response | Failure:
        """Send with retries; returns the last response or failure (never raises httpx).
        With `gone_ok`, a 404 after an attempt that may have been carried out is returned
        as an empty 204 (the earlier attempt did the work)."""
        attempt = 0
        uncertain = False
        while True:
            outcome = self._send(method, path, params=params, json=json, auth=auth)
            if isinstance(outcome, Failure):
                may_retry = outcome.retryable and (retry or not outcome.maybe_sent)
                uncertain = uncertain or outcome.maybe_sent
            else:
                status = outcome.status_code
                if gone_ok and uncertain and status == 404:
                    log.debug(
                        "%s %s: 404 after an attempt whose answer was lost: already done",
                        method,
                        redact(path_only(path)),
                    )
                    return httpx.Response(204, request=outcome.request)
                uncertain = uncertain or status >= 500
                # A 429 is refused before the handler runs, so even a plain POST may repeat it.
                may_retry = status == 429 or (retry and status in RETRYABLE_STATUSES)
                if status == 429:
                    self._note_retry_after(outcome)
            if not may_retry or attempt >= self.retries:
                if isinstance(outcome, Failure) and attempt:
                    outcome = Failure(
                        f"{outcome.reason} (after {attempt + 1} attempts)",
                        outcome.maybe_sent,
                        outcome.retryable,
                    )
                return outcome
            delay = self._backoff(attempt, outcome)
            log.debug(
                "%s %s: retrying in %.2f s (attempt %d of %d)",
                method,
                redact(path_only(path)),
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
    ) -> httpx.Response | Failure:
        """One HTTP exchange, under the concurrency bound and the rate limit."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {redact(path_only(path))!r}")
        shown = self._shown(path)
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        failure: Failure | None = None
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
                failure = Failure(
                    f"timed out ({type(exc).__name__})",
                    maybe_sent=not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout),
                    retryable=True,
                )
            except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
                failure = Failure(
                    f"{type(exc).__name__}: {self._scrub(str(exc)) or 'connection failed'}",
                    maybe_sent=not isinstance(exc, httpx.ConnectError),
                    retryable=True,
                )
            except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
                # Raised while building or sending the request: the text may quote a
                # header (the token), so only the type is kept.
                failure = Failure(
                    f"{type(exc).__name__} (the request could not be sent)",
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
            redact(path_only(path)),
            why,
            "found the object, not posting again" if found is not None else "found nothing",
        )
        return found

    def _backoff(self, attempt: int, outcome: httpx.Response | Failure) -> float:
        """Full jitter: uniform(0, min(max, base·2^attempt)); a 429's Retry-After wins."""
        if isinstance(outcome, httpx.Response) and outcome.status_code == 429:
            advised = retry_after(outcome.headers)
            if advised is not None:
                return min(advised, self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return self._rng.uniform(0, ceiling)

    def _note_retry_after(self, response: httpx.Response) -> None:
        advised = retry_after(response.headers)
        if advised is not None:
            self._pacer.pause(min(advised, self.backoff_max))

    def _secrets(self, path: str = "") -> list[str]:
        return [self._token, *hook_ids(path)] if self._token else hook_ids(path)

    def _scrub(self, text: str, path: str = "") -> str:
        return redact(text, self._secrets(path))

    def _shown(self, path: str) -> str:
        return redact(path_only(path), self._secrets(path))

    def _failure_error(
        self, method: str, path: str, failure: Failure, attempts: int | None
    ) -> ServerError:
        return failure_error(method, self._shown(path), failure, attempts)

    @staticmethod
    def _paging_error(path: str, what: str) -> ApiError:
        shown = redact(path_only(path))
        return ApiError(f"GET {shown} failed: {what}", method="GET", path=shown)

    def _error(self, method: str, path: str, response: httpx.Response) -> ApiError:
        """The ApiError for an HTTP error answer, with the AppError's fields."""
        return api_error(method, self._shown(path), response, lambda text: self._scrub(text, path))
