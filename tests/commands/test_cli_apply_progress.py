"""apply without a terminal prints a progress line per change (a CI log shows it as it goes);
Ctrl-C prints the applied / failed / not-attempted report and exits 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable

from live_sandbox import LiveSandbox

CHANNELS = 8
WORKSPACE = "version: 1\nteams:\n  - name: asd\n    display_name: ASD\n    channels:\n" + "".join(
    f"      - {{name: team-c{i}, display_name: C{i}}}\n" for i in range(CHANNELS)
)


def apply_process(live: LiveSandbox, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MM_URL": live.url, "MM_TOKEN": live.token, "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "--auto-approve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def test_progress_lines_without_a_terminal(start_sandbox: Callable[..., LiveSandbox]) -> None:
    live = start_sandbox("empty")
    live.api.post("/api/v4/teams", {"name": "asd", "display_name": "ASD", "type": "O"})
    process = apply_process(live, "-f", str(live.workspace(WORKSPACE)))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    lines = [line for line in err.splitlines() if line.startswith("[")]
    assert len(lines) == CHANNELS
    assert lines[0].startswith(f"[1/{CHANNELS}] applied: team.asd/channel.team-c")
    assert lines[-1].startswith(f"[{CHANNELS}/{CHANNELS}] applied: ")
    assert "\r" not in err and "\x1b" not in err
    assert f"Apply complete! {CHANNELS} applied." in out


def test_ctrl_c_reports_what_was_done_and_exits_130(
    start_sandbox: Callable[..., LiveSandbox],
) -> None:
    live = start_sandbox("empty")
    live.api.post("/api/v4/teams", {"name": "asd", "display_name": "ASD", "type": "O"})
    live.set_faults(latency_ms=400, methods=["POST"], path_regex="^/api/v4/channels$")
    path = live.workspace(WORKSPACE)
    process = apply_process(live, "-f", str(path), "--parallelism", "1")
    assert process.stderr is not None
    for line in process.stderr:  # wait until the first channel is done
        if line.startswith("[1/"):
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    summary = [line for line in out.splitlines() if line.startswith("Apply interrupted: ")]
    assert len(summary) == 1, out
    applied, failed, not_attempted = (int(w) for w in summary[0].split() if w.isdigit())
    assert applied >= 1 and not_attempted >= 1
    assert applied + failed + not_attempted == CHANNELS
    assert "not attempted" in out
    assert "Error: apply interrupted:" in err and "run apply again to finish" in err
    live.clear_faults()
    again = live.mmrc("apply", "-f", str(path), "--auto-approve")
    assert again.exit_code == 0, again.output  # it converges
    done = live.mmrc("plan", "-f", str(path), "--detailed-exitcode")
    assert done.exit_code == 0, done.output
