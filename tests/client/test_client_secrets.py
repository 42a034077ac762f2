"""No token and no incoming-webhook id in any message, repr, log record or traceback."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from client_helpers import MakeClient, json_response

from reconciler.client import Client, redact
from reconciler.errors import ApiError

TOKEN = "CANARYTOKENzq9x7w5v3u1t2s4r6p8"
HOOK = "canaryhookidk3j5h7g9f1d2s4a6"
PAT = "CANARYPATy6t5r4e3w2q1"


def leaky_server(request: httpx.Request) -> httpx.Response:
    """A server whose every answer and failure echoes the secrets it was sent."""
    url = str(request.url)
    auth = request.headers.get("Authorization", "")
    path = request.url.path
    if path.endswith("/conn"):
        raise httpx.ConnectError(f"cannot connect to {url} with {auth}", request=request)
    if path.endswith("/read"):
        raise httpx.ReadTimeout(f"read timeout on {url} ({auth})", request=request)
    if path.endswith("/html"):
        return httpx.Response(
            502, text=f"<html>{url} {auth}</html>", headers={"Content-Type": "text/html"}
        )
    if path.endswith("/text"):
        return httpx.Response(429, text=f"limit exceeded for {auth} at {url}")
    last = path.rsplit("/", 1)[-1]
    return json_response(
        {
            "id": f"app.hook.{last}",
            "message": f"no such hook {last} for {auth} at {url}: {request.content.decode()}",
            "detailed_error": auth,
            "request_id": f"rid-{last}",
        },
        400 if "hooks" in path else 500,
        **{"X-Request-Id": "r1"},
    )


def calls(client: Client) -> list[Callable[[], Any]]:
    return [
        lambda: client.post(f"/hooks/{HOOK}", {"text": "hi"}),
        lambda: client.get(f"/api/v4/hooks/incoming/{HOOK}"),
        lambda: client.put(f"/api/v4/hooks/incoming/{HOOK}", {"id": HOOK}),
        lambda: client.delete(f"/api/v4/hooks/incoming/{HOOK}"),
        lambda: client.post(f"/hooks/{HOOK}/conn", {}),
        lambda: client.get(f"/api/v4/hooks/incoming/{HOOK}/read"),
        lambda: client.get(f"/api/v4/users/me/html?access_token={PAT}"),
        lambda: client.get("/api/v4/users/me/text", {"token": PAT}),
        lambda: client.get_paged(f"/api/v4/hooks/incoming/{HOOK}/read"),
        lambda: client.create(f"/hooks/{HOOK}/read", {}, find_existing=lambda: None),
        lambda: client.create("/api/v4/hooks/incoming", {"x": TOKEN}, find_existing=lambda: None),
        client.check_server,
    ]


def test_no_secret_in_errors_logs_or_tracebacks(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    client = make_client(leaky_server, token=TOKEN, retries=1)
    errors: list[ApiError] = []
    for call in calls(client):
        with pytest.raises(ApiError) as caught:
            call()
        errors.append(caught.value)
    assert len(errors) == 12
    texts = [repr(client), caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    for error in errors:
        texts += [str(error), repr(error), *map(str, vars(error).values())]
        texts.append("".join(traceback.format_exception(error)))
        assert error.__cause__ is None
        assert error.__context__ is None
    assert any("/hooks/<redacted>" in text for text in texts)
    assert any("httpx" in r.name for r in caplog.records)  # httpx's own records were seen
    for text in texts:
        for secret in (TOKEN, HOOK, PAT):
            assert secret not in text, text


def test_redact() -> None:
    assert redact(f"POST /hooks/{HOOK}") == "POST /hooks/<redacted>"
    assert redact(f"http://h/mm/hooks/{HOOK}?x=1") == "http://h/mm/hooks/<redacted>?x=1"
    assert redact(f"/api/v4/hooks/incoming/{HOOK}") == "/api/v4/hooks/incoming/<redacted>"
    assert redact("/api/v4/hooks/incoming?team_id=t") == "/api/v4/hooks/incoming?team_id=t"
    assert redact("/api/v4/hooks/outgoing/abc/regen_token") == (
        "/api/v4/hooks/outgoing/abc/regen_token"
    )
    assert redact(f"/x?a=1&access_token={PAT}&b=2") == "/x?a=1&access_token=<redacted>&b=2"
    assert redact(f"/x?token={PAT}") == "/x?token=<redacted>"
    assert redact(f"say {TOKEN}", [TOKEN]) == "say <redacted>"
