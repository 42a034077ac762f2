"""A Mattermost-compatible API v4 server (`mmrc sandbox`).

The core is a request → response function over an in-memory state
(`Sandbox.handle`), served over real HTTP by `server.serve` and usable
in-process as an httpx transport (`server.SandboxTransport`). Fidelity to real
Mattermost (paths, JSON shapes, error ids, status codes, paging, permissions,
secret masking) is the point; `shared/reference/` is the source of truth.

The reconciler never imports this package; only the CLI and tests do.
"""

from __future__ import annotations

from reconciler.sandbox.app import AppError, Request, Response, Sandbox, SandboxOptions

__all__ = ["AppError", "Request", "Response", "Sandbox", "SandboxOptions"]
