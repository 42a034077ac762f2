"""What an HTTP exchange came to: its JSON, or the `ApiError` it means.

- `decode`: parsed JSON, the text of a non-JSON body, None for an empty one;
- `Failure`: a request that got no HTTP answer (timeout, refused, dropped),
  kept as text only (the httpx exception, which may hold secrets, is not);
- `api_error`: an HTTP error answer → the `ApiError` subclass for its status,
  with Mattermost's AppError fields (`id`, `message`, `request_id`), every
  text scrubbed of secrets and cut to one line;
- `failure_error`: a `Failure` → `ServerError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from reconciler.errors import (
    ApiError,
    ClientError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    UnauthorizedError,
)
from reconciler.http.redaction import strip_userinfo

if TYPE_CHECKING:
    import httpx

_SERVER_MESSAGE_LIMIT: Final = 300


@dataclass(frozen=True)
class Failure:
    """A request that got no HTTP answer. Only text: the httpx exception is not kept."""

    reason: str
    maybe_sent: bool  # the server may have received (and acted on) the request
    retryable: bool


def decode(response: httpx.Response) -> Any:
    """Parsed JSON; the text for a non-JSON body; None for an empty one."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return response.text


def one_line(text: str, limit: int = _SERVER_MESSAGE_LIMIT) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def failure_error(method: str, shown: str, failure: Failure, attempts: int | None) -> ServerError:
    """The error for a request that got no answer; `shown` is its redacted path."""
    reason = failure.reason
    if attempts and attempts > 1:
        reason += f" (after {attempts} attempts)"
    return ServerError(f"{method} {shown} failed: {reason}", method=method, path=shown)


def api_error(
    method: str, shown: str, response: httpx.Response, scrub: Callable[[str], str]
) -> ApiError:
    """The ApiError for an HTTP error answer, with the AppError's fields. `shown` is the
    redacted path; `scrub` removes the secrets from what the server sent."""
    status = response.status_code
    request_id = response.headers.get("X-Request-Id") or None
    error_id: str | None = None
    message: str | None = None
    content_type = response.headers.get("Content-Type", "").lower()
    body = decode(response)
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
        message = one_line(scrub(message))
    if error_id is not None:
        error_id = one_line(scrub(error_id), 120)
    if request_id is not None:
        request_id = one_line(scrub(request_id), 80)
    text = f"{method} {shown} failed: {status}"
    if error_id:
        text += f" {error_id}:"
    text += f" {message or response.reason_phrase or 'error'}"
    if 300 <= status < 400:
        location = scrub(strip_userinfo(response.headers.get("Location", "")))
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
