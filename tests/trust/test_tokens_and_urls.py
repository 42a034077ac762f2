"""Tokens and server URLs are checked before any request; no message quotes a token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.client import Client
from reconciler.errors import ApiError

SECRET = "CANARYtokenq8w7e6r5t4y3u2i1o0"


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a request was sent: {request.method} {request.url.path}")


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (f"{SECRET}\n# my comment", "holds 2 lines"),
        (f"{SECRET}\r\nsecond", "holds 2 lines"),
        (f"{SECRET}\x01", "control character at position 30"),
        (f"{SECRET}é", "non-ASCII character at position 30"),
        (f"{SECRET[:5]} {SECRET[5:]}", "a space at position 6"),
    ],
)
def test_client_refuses_an_unusable_token_without_quoting_it(token: str, expected: str) -> None:
    with pytest.raises(ApiError) as caught:
        Client("https://chat.example.com", token, transport=httpx.MockTransport(never_called))
    assert expected in str(caught.value)
    assert SECRET[:8] not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1", "unclosed or invalid [IPv6] host"),
        ("http://host:99999", "out of range"),
        ("http://host:80x", "not a number"),
        ("ftp://host", "expected http(s)://"),
        ("http://user:pa55word@[::1", "IPv6"),
    ],
)
def test_client_refuses_a_malformed_url_clearly(url: str, expected: str) -> None:
    with pytest.raises(ApiError) as caught:
        Client(url, SECRET, transport=httpx.MockTransport(never_called))
    assert expected in str(caught.value)
    assert "pa55word" not in str(caught.value)


def test_a_request_building_error_never_quotes_the_header() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(
            f"Illegal header value b'Bearer {request.headers['Authorization']}'"
        )

    with (
        Client("https://chat.example.com", SECRET, transport=httpx.MockTransport(refuse)) as client,
        pytest.raises(ApiError) as caught,
    ):
        client.get("/api/v4/users/me")
    assert "LocalProtocolError (the request could not be sent)" in str(caught.value)
    assert SECRET not in str(caught.value)


def run(args: list[str], **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, env={"MM_URL": "http://127.0.0.1:9", **env})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (f"{SECRET}\nsecond", "unusable token in MM_TOKEN: it holds 2 lines"),
        (f"{SECRET}ö", "unusable token in MM_TOKEN: it holds a non-ASCII character"),
        (f"\x7f{SECRET}", "unusable token in MM_TOKEN: it holds a control character at position 1"),
    ],
)
def test_cli_refuses_an_unusable_token_before_any_request(token: str, expected: str) -> None:
    # MM_URL points at a closed port: reaching the network would be a different error.
    code, output = run(["output"], MM_TOKEN=token)
    assert code == 1
    assert expected in output
    assert SECRET not in output
    assert "Internal error" not in output


def test_cli_refuses_a_token_file_with_a_comment(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{SECRET}\n# rotated 2026-01\n", encoding="utf-8")
    code, output = run(["output", "--token-file", str(token_file)])
    assert code == 1
    assert f"unusable token in the token file {token_file}: it holds 2 lines" in output
    assert SECRET not in output


def test_cli_refuses_a_token_file_that_is_not_text(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_bytes(b"\xff\xfe" + SECRET.encode())
    code, output = run(["output", "--token-file", str(token_file)])
    assert code == 1
    assert "it is not UTF-8 text" in output
    assert SECRET not in output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1", "invalid server URL 'http://[::1' (--url/MM_URL): it cannot be parsed"),
        ("http://u:pa55@host:123456", "invalid server URL 'http://<redacted>@host:123456'"),
    ],
)
def test_cli_names_a_malformed_url(url: str, expected: str) -> None:
    code, output = run(["output"], MM_URL=url, MM_TOKEN=SECRET)
    assert code == 1
    assert expected in output
    assert "pa55" not in output
    assert "Internal error" not in output
