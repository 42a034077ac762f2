"""A Mattermost-compatible API v4 server (`mmrc sandbox`).

The core is a request → response function over an in-memory state
(`Sandbox.handle`), served over real HTTP by `server.serve` and usable
in-process as an httpx transport (`server.SandboxTransport`). Fidelity to real
Mattermost (paths, JSON shapes, error ids, status codes, paging, permissions,
secret masking) is the point; `shared/reference/` is the source of truth.

The reconciler never imports this package; only the CLI and tests do.

Where things are:
- `app` (Sandbox, Request/Response, the router, AppError), `server` (HTTP and the
  in-process transport), `persistence` (--state FILE), `faults`, `ratelimit`, `seed`.
- The core store, one layer a family: `core_state` → `core_roles` → `core_channels` →
  `core_teams` → `core_users` → `store.CoreStore`; its records in `records`, model
  validation in `validation`, built-in roles in `permissions`.
- Integrations: `integrations_base` and one module each for incoming and outgoing
  webhooks, commands, posts and the demo's integrations, joined by
  `integrations_store.IntegrationStore`.
- Config: `config_store.ConfigStore` over `config_tree`, `config_secrets`, `config_env`,
  `config_validate` and `config_defaults`.
- `routes/`: one module per API area (users, user_accounts, user_tokens, bots, teams,
  team_members, channels, channel_writes, channel_members, moderations, roles, system,
  hooks, webhook_posts, commands, config, posts, audits, admin) and their shared helpers
  (`_core`, `_channels`, `_integrations`, `slack`).
"""

from __future__ import annotations

from reconciler.sandbox.app import AppError, Request, Response, Sandbox, SandboxOptions

__all__ = ["AppError", "Request", "Response", "Sandbox", "SandboxOptions"]
