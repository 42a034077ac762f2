"""The engine: observe → plan → (safety) → apply, generic over the kinds in `KINDS`.

`make_plan` (planner) reads the server and builds a `Plan`; `check_safety`
(safety) refuses destructive plans; `apply_plan` (applier) walks a plan;
`saved` writes plan files and refuses stale ones. Nothing here prints.
"""
