"""What users wait for: whole `mmrc` processes on generated block-style workspaces.

    python benchmarks/end_to_end.py [--sizes 1000,5000,20000,100000] [--latency-ms 20]
                                    [--parallelism 8] [--apply-sizes 1000,5000]

For each size (channels; 200 a team, so 20,000 is 100 teams x 200 channels):

1. builds a server holding those teams and channels (the sandbox's `seed_large`),
   saves it as a state file and starts `mmrc sandbox --state FILE` on it in a child
   process, every request delayed `--latency-ms` by the sandbox's own fault injection;
2. writes the block-style workspace.yaml that declares exactly that server;
3. times, each as a whole process (wall time and peak RSS by /usr/bin/time): `mmrc --version`, `mmrc --help`,
   `mmrc validate` and `mmrc plan` (no changes expected), counting the plan's
   requests on the sandbox;
4. times the phases of the same plan inside one instrumented Python process (start-up,
   parse, validate, observe, diff, render);
5. for the sizes in --apply-sizes: an empty sandbox and `mmrc apply --auto-approve`
   creating every team and channel (requests counted on the sandbox).

The lower bound of a run is requests x latency / parallelism; the ratio to it is
printed beside each server-bound figure. Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

TOKEN = "benchmark-admin-token-00000000"
PER_TEAM = 200


# -- the server ---------------------------------------------------------------------------


def write_state(
    path: Path, teams: int, per_team: int
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Saves a seeded server to `path`; returns its (team, display, live channels)."""
    from reconciler.sandbox import Sandbox, SandboxOptions
    from reconciler.sandbox.persistence import dump_state
    from reconciler.sandbox.seed import seed_large

    sandbox = Sandbox(SandboxOptions(admin_token=TOKEN, admin_api=True))
    seed_large(sandbox, teams=teams, channels_per_team=per_team, users=min(1000, teams * 10))
    core = sandbox.core
    declared = []
    for team_id, team in core.teams.items():
        channels = [
            (channel.name, channel.display_name)
            for channel_id in core.channels_by_team.get(team_id, {})
            if not (channel := core.channels[channel_id]).delete_at and channel.type in ("O", "P")
        ]
        declared.append((team.name, team.display_name, sorted(channels)))
    path.write_text(json.dumps(dump_state(sandbox)), encoding="utf-8")
    return sorted(declared)


class Server:
    """`mmrc sandbox` in a child process, requests delayed by its fault injection."""

    def __init__(self, latency_ms: float, state: Path | None = None) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        argv = ["mmrc", "sandbox", "--port", str(port), "--admin-api", "--admin-token", TOKEN]
        if state is not None:
            argv += ["--state", str(state)]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while True:
            try:
                self.call("GET", "/api/v4/system/ping")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("the sandbox did not start") from None
                time.sleep(0.1)
        self.call("PUT", "/__sandbox__/faults", {"latency_ms": latency_ms})

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read() or b"null")

    def requests(self) -> int:
        """Requests delayed so far (every API request is)."""
        return int(self.call("GET", "/__sandbox__/faults")["counts"].get("latency", 0))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# -- the workspace ------------------------------------------------------------------------


def write_workspace(path: Path, declared: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    lines = ["version: 1", "policy:", "  classes: {}", "teams:"]
    for team, display, channels in declared:
        lines += [f"  - name: {team}", f"    display_name: {display}", "    channels:"]
        for name, channel_display in channels:
            lines += [f"      - name: {name}", f"        display_name: {channel_display}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generated(teams: int, per_team: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (
            f"bench{t:03d}",
            f"Bench {t:03d}",
            [(f"chan-{t:03d}-{c:03d}", f"Channel {t}.{c}") for c in range(per_team)],
        )
        for t in range(teams)
    ]


# -- whole processes ----------------------------------------------------------------------


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one whole process, as /usr/bin/time sees it.

    /usr/bin/time starts the process from its own small one: the peak RSS that
    wait4 reports to a parent counts what the parent held when it forked."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M %x", "-o", report.name, *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            check=False,
        )
        seconds, kilobytes, code = report.read().split()[-3:]
    if int(code) not in (0, 2):
        sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
    return float(seconds), int(kilobytes) / 1024, int(code)


def best(argv: list[str], times: int = 3, env: dict[str, str] | None = None) -> tuple[float, float]:
    runs = [run(argv, env) for _ in range(times)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


# -- phases, in one instrumented process -----------------------------------------------------


def phases(url: str, workspace: str) -> None:
    """Prints the phases of `mmrc plan` as JSON (run as a child: --phases URL WORKSPACE)."""
    started = time.perf_counter()
    from reconciler.client import Client
    from reconciler.engine import planner
    from reconciler.render import RenderOptions, render_plan
    from reconciler.workspace import load_workspace, yamlfile

    figures: dict[str, float] = {"start-up": time.perf_counter() - started}
    text = Path(workspace).read_text(encoding="utf-8")
    clock = time.perf_counter()
    yamlfile.parse(text, workspace)
    figures["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()
    loaded = load_workspace(workspace)
    figures["validate"] = time.perf_counter() - clock - figures["parse"]
    observe = planner.observe

    def timed_observe(*args: Any) -> Any:
        clock = time.perf_counter()
        try:
            return observe(*args)
        finally:
            figures["observe"] = time.perf_counter() - clock

    planner.observe = timed_observe
    clock = time.perf_counter()
    with Client(url, TOKEN) as client:
        planned = planner.make_plan(loaded, client)
    figures["diff"] = time.perf_counter() - clock - figures["observe"]
    clock = time.perf_counter()
    render_plan(planned.plan, "text", RenderOptions(color=False))
    figures["render"] = time.perf_counter() - clock
    print(json.dumps(figures))


# -- the table --------------------------------------------------------------------------------


def measure(size: int, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    teams = max(1, size // PER_TEAM)
    per_team = min(size, PER_TEAM)
    state = folder / f"state-{size}.json"
    workspace = folder / f"workspace-{size}.yaml"
    write_workspace(workspace, write_state(state, teams, per_team))
    server = Server(args.latency_ms, state)
    env = {"MM_URL": server.url, "MM_TOKEN": TOKEN}
    row: dict[str, Any] = {"channels": size, "teams": teams}
    try:
        row["version_s"], _ = best(["mmrc", "--version"])
        row["help_s"], _ = best(["mmrc", "--help"])
        row["validate_s"], row["validate_mb"] = best(["mmrc", "validate", "-f", str(workspace)])
        before = server.requests()
        seconds, peak, code = run(
            ["mmrc", "plan", "-f", str(workspace), "--parallelism", str(args.parallelism)], env
        )
        row["plan_requests"] = server.requests() - before
        row["plan_s"], row["plan_mb"], row["plan_exit"] = seconds, peak, code
        row["plan_bound_s"] = row["plan_requests"] * args.latency_ms / 1000 / args.parallelism
        out = subprocess.run(
            [sys.executable, __file__, "--phases", server.url, str(workspace)],
            check=True,
            capture_output=True,
            text=True,
        )
        row["phases"] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.stop()
    if size in args.apply_sizes:
        row.update(measure_apply(teams, per_team, args, folder))
    return row


def measure_apply(
    teams: int, per_team: int, args: argparse.Namespace, folder: Path
) -> dict[str, Any]:
    workspace = folder / f"apply-{teams * per_team}.yaml"
    write_workspace(workspace, generated(teams, per_team))
    server = Server(args.latency_ms)
    env = {"MM_URL": server.url, "MM_TOKEN": TOKEN}
    try:
        before = server.requests()
        argv = ["mmrc", "apply", "-f", str(workspace), "--auto-approve"]
        seconds, peak, code = run([*argv, "--parallelism", str(args.parallelism)], env)
        requests = server.requests() - before
    finally:
        server.stop()
    bound = requests * args.latency_ms / 1000 / args.parallelism
    return {
        "apply_s": seconds,
        "apply_mb": peak,
        "apply_exit": code,
        "apply_requests": requests,
        "apply_bound_s": bound,
    }


def print_table(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nwhole processes; {args.latency_ms:g} ms a request, --parallelism {args.parallelism}; "
        "bound = requests x latency / parallelism\n"
    )
    print(
        "| channels | teams | --version | --help | validate | validate RSS | plan | plan RSS | plan requests | plan ÷ bound | apply | apply requests | apply ÷ bound |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        apply = (
            f"{r['apply_s']:.2f} s | {r['apply_requests']} | {r['apply_s'] / r['apply_bound_s']:.2f}×"
            if "apply_s" in r
            else "– | – | –"
        )
        print(
            f"| {r['channels']:,} | {r['teams']} | {r['version_s']:.3f} s | {r['help_s']:.3f} s "
            f"| {r['validate_s']:.2f} s | {r['validate_mb']:.0f} MB | {r['plan_s']:.2f} s "
            f"| {r['plan_mb']:.0f} MB | {r['plan_requests']} "
            f"| {r['plan_s'] / max(r['plan_bound_s'], 1e-9):.1f}× | {apply} |"
        )
    print("\nphases of the same plan, one instrumented process (seconds):\n")
    names = ["start-up", "parse", "validate", "observe", "diff", "render"]
    print("| channels | " + " | ".join(names) + " |")
    print("|---:|" + "---:|" * len(names))
    for r in rows:
        cells = " | ".join(f"{r['phases'].get(name, 0):.3f}" for name in names)
        print(f"| {r['channels']:,} | {cells} |")
    if any(r.get("plan_exit") not in (0, None) for r in rows):
        print("\nnote: a plan exited non-zero (see its error above)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000,100000")
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--apply-sizes", default="1000,5000", help="sizes to apply (empty: none)")
    parser.add_argument("--phases", nargs=2, metavar=("URL", "WORKSPACE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases:
        phases(*args.phases)
        return
    args.apply_sizes = {int(s) for s in args.apply_sizes.split(",") if s}
    rows = []
    with tempfile.TemporaryDirectory(prefix="mmrc-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            row = measure(size, args, Path(tmp))
            print(json.dumps(row), flush=True)
            rows.append(row)
    print_table(rows, args)


if __name__ == "__main__":
    main()
