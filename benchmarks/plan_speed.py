"""How fast `mmrc plan` reads a large server, against a naive one-GET-per-object read.

    python benchmarks/plan_speed.py [--teams 100] [--channels 200] [--users 5000] [--latency-ms 20]

Starts the sandbox in a child process with `seed_large` (teams x channels,
members in every channel), adds a fixed latency to every API request, writes
a workspace declaring every team and live channel (members unmanaged), then
measures, each in a fresh process: `make_plan` (requests, wall time, peak
RSS) and a naive read of the same objects (GET team by name, GET channel by
name, one by one on 10 threads, like a Terraform provider's refresh).
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TOKEN = "benchmark-admin-token-00000000"


def serve(args: argparse.Namespace, workspace: str, ready: Any) -> None:
    from reconciler.client import Client
    from reconciler.sandbox import Sandbox, SandboxOptions
    from reconciler.sandbox.seed import seed_large
    from reconciler.sandbox.server import start_in_thread

    sandbox = Sandbox(SandboxOptions(admin_token=TOKEN, admin_api=True))
    seed_large(sandbox, teams=args.teams, channels_per_team=args.channels, users=args.users)
    running = start_in_thread(sandbox)
    with Client(running.url, TOKEN) as client:
        teams = client.get_paged("/api/v4/teams")
        channels = client.get_paged("/api/v4/channels", {"include_deleted": "true"})
        by_team: dict[str, list[dict[str, Any]]] = {}
        for channel in channels:
            if not channel.get("delete_at"):
                by_team.setdefault(channel["team_id"], []).append(channel)
        lines = ["version: 1", "policy: {classes: {}}", "teams:"]
        for team in teams:
            lines += [f"  - name: {team['name']}", f"    display_name: {team['display_name']!r}"]
            lines.append("    channels:")
            for channel in by_team.get(team["id"], []):
                lines.append(
                    f"      - {{name: {channel['name']}, display_name: {channel['display_name']!r}}}"
                )
        Path(workspace).write_text("\n".join(lines) + "\n")
        client.put("/__sandbox__/faults", {"latency_ms": args.latency_ms})
    ready.send(running.url)
    ready.recv()  # wait until the parent is done
    running.stop()


def measure(mode: str, url: str, workspace: str, kinds_choice: str) -> None:
    from reconciler.client import Client
    from reconciler.engine.planner import make_plan
    from reconciler.kinds.registry import KINDS
    from reconciler.workspace import load_workspace

    loaded = load_workspace(Path(workspace))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with Client(url, TOKEN, parallelism=8 if mode == "plan" else 10) as client:
        if mode == "plan":
            core = ("team", "team_member", "channel", "channel_member", "moderation")
            kinds = [k for k in KINDS if kinds_choice == "all" or k.name in core]
            planned = make_plan(loaded, client, kinds=kinds)
            objects = len(planned.observation.objects)
            changes = len(planned.plan.changes)
        else:
            work: list[str] = []
            for team in loaded.workspace.teams:
                work.append(f"/api/v4/teams/name/{team.name}")
                work += [
                    f"/api/v4/teams/name/{team.name}/channels/name/{c.name}" for c in team.channels
                ]
            found = client.map_concurrent(client.get, work)
            objects, changes = len(found), -1
        requests = client.request_count
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "mode": mode,
                "requests": requests,
                "seconds": round(elapsed, 2),
                "peak_rss_mb": round(peak_mb, 1),
                "rss_before_mb": round(rss_before / 1024, 1),
                "objects": objects,
                "changes": changes,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--channels", type=int, default=200, help="channels per team")
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument(
        "--kinds",
        choices=("all", "core"),
        default="all",
        help="core: teams, members, channels, moderation only (no settings/bots/hooks/commands)",
    )
    parser.add_argument("--measure", nargs=4, metavar=("MODE", "URL", "WORKSPACE", "KINDS"))
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return
    workspace = str(Path("/tmp") / f"mmrc-bench-{args.teams}x{args.channels}.yaml")
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args, workspace, child), daemon=True)
    server.start()
    url = parent.recv()
    channels = args.teams * args.channels
    print(
        f"sandbox: {args.teams} teams, {channels} channels, {args.users} users, "
        f"{args.latency_ms:g} ms latency per request; kinds: {args.kinds}"
    )
    results = {}
    for mode in ("plan", "naive"):
        out = subprocess.run(
            [sys.executable, __file__, "--measure", mode, url, workspace, args.kinds],
            check=True,
            capture_output=True,
            text=True,
        )
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    parent.send("done")
    server.join(timeout=10)
    for mode, label in (("plan", "mmrc plan"), ("naive", "naive (one GET per object)")):
        r = results[mode]
        print(
            f"{label:28} requests={r['requests']:6d}  wall={r['seconds']:6.2f} s  "
            f"peak RSS={r['peak_rss_mb']:6.1f} MB (before: {r['rss_before_mb']} MB)"
        )
    plan = results["plan"]
    print(
        f"channels per request: {channels / plan['requests']:.0f} (target >= 150); "
        f"plan changes: {plan['changes']} (0 expected)"
    )


if __name__ == "__main__":
    main()
