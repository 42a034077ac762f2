"""The live suite's own machinery, offline: secret scrubbing for cassettes, cassette names,
and skipping cleanly when no server is named. (Not marked live: these always run.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from vcr.request import Request

TOKEN = "realtoken00000000000000000"
FAKE_SETTING = "*" * 32


def test_request_scrubbing_redacts_the_token_and_cookies_but_keeps_a_bad_token(
    cassette_scrubber: Any,
) -> None:
    scrubber = cassette_scrubber(TOKEN)
    request = Request(
        "POST",
        "http://mm.example/api/v4/users",
        json.dumps({"username": "u", "password": "hunter2-long", "email": "u@example.com"}),
        {"Authorization": f"Bearer {TOKEN}", "Cookie": f"MMAUTHTOKEN={TOKEN}"},
    )
    scrubbed = scrubber.request(request)
    assert scrubbed.headers["Authorization"] == "Bearer REDACTED"
    assert "Cookie" not in scrubbed.headers
    body = json.loads(scrubbed.body)
    assert body["password"].startswith("xsecret") and len(body["password"]) == 26
    assert body["username"] == "u"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"  # the original is untouched

    bad = Request("GET", "http://mm.example/api/v4/users/me", None, {"Authorization": "Bearer no"})
    assert scrubber.request(bad).headers["Authorization"] == "Bearer no"


def test_response_scrubbing_drops_session_headers_and_hides_integration_secrets(
    cassette_scrubber: Any,
) -> None:
    scrubber = cassette_scrubber(TOKEN)
    hook = {"id": "h" * 26, "channel_locked": False, "display_name": "Redmine"}
    outgoing = {"id": "o" * 26, "token": "t" * 26, "callback_urls": ["http://n8n"]}
    config = {"GitLabSettings": {"Secret": FAKE_SETTING, "Id": "app-id"}, "Salt": "pepper"}
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {
            "Set-Cookie": ["MMAUTHTOKEN=x"],
            "Token": [TOKEN],
            "Content-Length": ["10"],
            "X-Version-Id": ["10.11.0"],
        },
        "body": {"string": json.dumps([hook, outgoing, config]).encode()},
    }
    scrubbed = scrubber.response(response)
    assert set(scrubbed["headers"]) == {"X-Version-Id"}
    hook_out, outgoing_out, config_out = json.loads(scrubbed["body"]["string"])
    assert hook_out["id"] == "xhook" + "1".zfill(21)
    assert hook_out["display_name"] == "Redmine"
    assert outgoing_out["id"] == "o" * 26  # outgoing-hook ids are not credentials
    assert outgoing_out["token"].startswith("xsecret")
    assert config_out["GitLabSettings"] == {"Secret": FAKE_SETTING, "Id": "app-id"}
    assert config_out["Salt"].startswith("xsecret")

    # A later request that uses the hook id carries the same placeholder.
    post = Request("POST", f"http://mm.example/hooks/{'h' * 26}", b'{"text":"hi"}', {})
    assert scrubber.request(post).uri == f"http://mm.example/hooks/{hook_out['id']}"


def test_text_bodies_lose_the_token_too(cassette_scrubber: Any) -> None:
    scrubber = cassette_scrubber(TOKEN)
    response = {"status": {"code": 200}, "headers": {}, "body": {"string": f"token {TOKEN}"}}
    assert scrubber.response(response)["body"]["string"] == "token REDACTED"


def test_live_tests_skip_cleanly_without_a_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MM_URL", "MM_TOKEN")}
    here = Path(__file__).resolve().parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "live", "-rs", "-p", "no:cacheprovider", str(here)],
        cwd=here.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" not in result.stdout.splitlines()[-1], result.stdout
    assert "skipped" in result.stdout.splitlines()[-1], result.stdout
    assert "set MM_URL and MM_TOKEN" in result.stdout
