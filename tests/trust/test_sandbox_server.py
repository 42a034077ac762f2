"""The sandbox as a server: /__sandbox__/ is opt-in and needs the admin token; only
loopback and configured Host names are answered; a request is authorised before its body
is read; bodies are capped (413); a malformed Content-Length is a 400; a bug is a 500,
never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.server import MAX_BODY, RunningSandbox, start_in_thread

TOKEN = "trustadmintoken000000000000"


@pytest.fixture
def served() -> Iterator[RunningSandbox]:
    running = start_in_thread(
        Sandbox(SandboxOptions(admin_token=TOKEN, admin_api=True, allowed_hosts=("mm.example",)))
    )
    yield running
    running.stop()


def raw(url: str, request: bytes, *, read: bool = True) -> bytes:
    """Send raw bytes (headers only, perhaps) and return what the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(request)
        chunks = []
        while read:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


def test_the_admin_api_needs_the_admin_token(served: RunningSandbox) -> None:
    url = f"{served.url}/__sandbox__/state"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    user = served.sandbox.core.create_user("plain", "plain@example.com", password="Password-1")
    session = served.sandbox.core.create_session(user.id)
    assert httpx.get(url, headers={"Authorization": f"Bearer {session}"}).status_code == 401
    answer = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and TOKEN in answer.text
    reset = httpx.post(f"{served.url}/__sandbox__/reset", json={"seed": "empty"})
    assert reset.status_code == 401


def test_the_admin_api_is_off_unless_asked_for() -> None:
    running = start_in_thread(Sandbox(SandboxOptions(admin_token=TOKEN)))
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.get(f"{running.url}/__sandbox__/state", headers=headers).status_code == 404
    finally:
        running.stop()


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 421),
        ("evil.example:8065", 421),
        ("127.0.0.1.evil.example", 421),
        ("localhost:1234", 200),
        ("[::1]:8065", 200),
        ("mm.example:8065", 200),
    ],
)
def test_only_loopback_and_configured_hosts_are_answered(
    served: RunningSandbox, host: str, status: int
) -> None:
    answer = httpx.get(f"{served.url}/api/v4/system/ping", headers={"Host": host})
    assert answer.status_code == status
    if status == 421:  # nothing of the server is told
        assert "X-Version-Id" not in answer.headers
        assert answer.json()["id"] == "sandbox.host_not_allowed"


def test_a_request_is_authorised_before_its_body_is_read(served: RunningSandbox) -> None:
    # 50 MB announced, nothing sent: the 401 comes without waiting for the body
    answer = raw(
        served.url,
        b"POST /api/v4/teams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 52428800\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 401"), answer[:80]


def test_a_body_over_the_cap_is_413_and_not_read(served: RunningSandbox) -> None:
    answer = raw(
        served.url,
        b"POST /api/v4/teams HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    small = httpx.post(
        f"{served.url}/api/v4/teams",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"name": "fits", "display_name": "Fits", "type": "O"},
    )
    assert small.status_code == 201


@pytest.mark.parametrize("length", [b"abc", b"-5", b"12, 13", b"1e3"])
def test_a_malformed_content_length_is_400(served: RunningSandbox, length: bytes) -> None:
    answer = raw(
        served.url,
        b"POST /api/v4/teams HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {TOKEN}\r\n".encode()
        + b"Content-Length: "
        + length
        + b"\r\n\r\n{}",
    )
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]


def test_a_bug_is_a_500_without_a_traceback() -> None:
    """A real `mmrc sandbox` process whose handler fails: 500 on the wire, nothing on stderr."""
    script = (
        "import sys\n"
        "from reconciler.sandbox.app import Sandbox\n"
        "def broken(self, req):\n"
        "    raise RuntimeError('boom: a sandbox bug')\n"
        "Sandbox.handle = broken\n"
        "from reconciler.cli import main\n"
        "sys.argv = ['mmrc', 'sandbox', '--port', '0', '--admin-token', "
        f"'{TOKEN}']\n"
        "main()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        answer = httpx.get(f"{url}/api/v4/system/ping")
        assert answer.status_code == 500
        assert answer.json()["message"] == "internal error (RuntimeError)"
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert "Traceback" not in err and "boom" not in err


def test_a_refusal_with_an_unread_body_closes_the_connection(served: RunningSandbox) -> None:
    with httpx.Client(base_url=served.url) as http:
        for _ in range(20):  # a reused connection would fail here
            refused = http.post("/api/v4/teams", json={"name": "x"})
            assert refused.status_code == 401
            assert refused.headers["Connection"] == "close"
            assert http.get("/api/v4/system/ping").status_code == 200
