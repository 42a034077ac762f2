"""Importing this package registers every route module on app.ROUTER."""

from __future__ import annotations

import importlib

# Core resources (users, bots, teams, channels, members, roles, system).
CORE_ROUTE_MODULES: tuple[str, ...] = (
    "system",
    "users",
    "user_accounts",
    "user_tokens",
    "bots",
    "teams",
    "team_members",
    "channels",
    "channel_writes",
    "channel_members",
    "moderations",
    "roles",
)
# Integrations, config, posts, and the /__sandbox__/ admin API.
INTEGRATION_ROUTE_MODULES: tuple[str, ...] = (
    "hooks",
    "webhook_posts",
    "commands",
    "config",
    "posts",
    "admin",
)
# The audit log (GET /api/v4/audits), used by `mmrc drift` for attribution.
AUDIT_ROUTE_MODULES: tuple[str, ...] = ("audits",)

for _name in CORE_ROUTE_MODULES + INTEGRATION_ROUTE_MODULES + AUDIT_ROUTE_MODULES:
    importlib.import_module(f"reconciler.sandbox.routes.{_name}")
