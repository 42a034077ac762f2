"""`mmrc sandbox` as a real process: start on a free port, ping, use the token, stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    url_line = process.stdout.readline()
    token_line = process.stdout.readline()
    assert url_line.startswith("mmrc sandbox serving http://127.0.0.1:"), url_line
    return process, url_line.split()[-1], token_line.split()[-1]


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    return err


@pytest.fixture
def running() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serves_pings_and_stops(running: list[subprocess.Popen[str]]) -> None:
    process, url, token = start(
        "--admin-token",
        "clitoken0000000000000000000",
        env={"MM_SERVICESETTINGS_ENABLECOMMANDS": "false"},
    )
    running.append(process)
    assert token == "clitoken0000000000000000000"
    assert httpx.get(f"{url}/api/v4/system/ping").json()["status"] == "OK"
    headers = {"Authorization": f"Bearer {token}"}
    cfg = httpx.get(f"{url}/api/v4/config", headers=headers).json()
    assert cfg["ServiceSettings"]["SiteURL"] == url
    assert cfg["ServiceSettings"]["EnableCommands"] is False  # the process env pins it
    assert httpx.get(f"{url}/__sandbox__/requests").status_code == 404  # admin API off by default
    stop(process)
    assert process.returncode == 0


def test_state_survives_a_restart(tmp_path: Path, running: list[subprocess.Popen[str]]) -> None:
    state = tmp_path / "sandbox.json"
    env = {"MMRC_SANDBOX_TOKEN": "envtoken00000000000000000000"}
    process, url, token = start("--state", str(state), "--no-admin-api", env=env)
    running.append(process)
    assert token == env["MMRC_SANDBOX_TOKEN"]
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.put(
        f"{url}/api/v4/config/patch",
        headers=headers,
        json={"TeamSettings": {"SiteName": "ASD-PMA"}},
    )
    assert r.status_code == 200
    assert httpx.get(f"{url}/__sandbox__/requests").status_code == 404
    stop(process)
    assert state.exists()

    process, url, _ = start("--state", str(state), env=env)
    running.append(process)
    cfg = httpx.get(f"{url}/api/v4/config", headers=headers).json()
    assert cfg["TeamSettings"]["SiteName"] == "ASD-PMA"
    stop(process)


def test_port_in_use_is_a_clean_error(running: list[subprocess.Popen[str]]) -> None:
    process, url, _ = start()
    running.append(process)
    port = url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "sandbox", "--port", port],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 1
    assert "cannot listen on 127.0.0.1:" in result.stderr
    stop(process)


def test_server_version(running: list[subprocess.Popen[str]]) -> None:
    process, url, token = start("--server-version", "11.9.0")
    running.append(process)
    assert httpx.get(f"{url}/api/v4/system/ping").headers["x-version-id"].startswith("11.9.0.")
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.get(f"{url}/api/v4/config/client?format=old", headers=headers).json()
    assert client["Version"] == "11.9.0"
    stop(process)
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "sandbox", "--server-version", "eleven"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 1
    assert "Invalid value for '--server-version'" in result.stderr
    assert "'eleven' is not a version" in result.stderr
