"""What to do next, for the server errors a user can fix: a refused token, a missing permission.

`next_step(error)` is the line the CLI prints under "Error: …"; None when there is
nothing better to say than the error itself.
"""

from __future__ import annotations

import re

from reconciler.errors import ApiError, ForbiddenError, UnauthorizedError

# (method or "*", path pattern) → the Mattermost permission the call needs
_PERMISSIONS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern), permission)
    for method, pattern, permission in (
        ("GET", r"^/api/v4/config", "manage_system (read-only: sysconsole_read_* permissions)"),
        ("*", r"^/api/v4/config", "manage_system"),
        ("*", r"^/api/v4/audits", "manage_system"),
        ("*", r"^/api/v4/license", "manage_system"),
        ("*", r"^/api/v4/hooks/incoming", "manage_incoming_webhooks"),
        ("*", r"^/api/v4/hooks/outgoing", "manage_outgoing_webhooks"),
        ("*", r"^/api/v4/commands", "manage_slash_commands"),
        ("GET", r"^/api/v4/bots", "read_bots"),
        ("*", r"^/api/v4/bots", "manage_bots"),
        ("*", r"^/api/v4/teams/[^/]+/members", "add_user_to_team / remove_user_from_team"),
        ("POST", r"^/api/v4/teams$", "create_team"),
        ("*", r"^/api/v4/teams", "manage_team"),
        ("*", r"^/api/v4/channels/[^/]+/members", "manage_public/private_channel_members"),
        ("*", r"^/api/v4/channels/[^/]+/moderations", "manage_system (channel moderation)"),
        ("*", r"^/api/v4/channels", "manage_public/private_channel_properties"),
    )
)


def next_step(error: ApiError) -> str | None:
    if isinstance(error, UnauthorizedError):
        return (
            "the server did not accept the token: set MM_TOKEN to a valid personal access "
            "token, or pass --token-file FILE, for the server --url (MM_URL) names"
        )
    if isinstance(error, ForbiddenError):
        needed = permission_for(error.method, error.path)
        what = f"the {needed} permission" if needed else "a permission"
        return (
            f"the token's account lacks {what} for {error.method} {error.path}: give it that "
            "permission (a system admin has every one; a token that only reads, as in CI, can "
            "have the read-only system admin role system_read_only_admin: docs/ci.md)"
        )
    return None


def permission_for(method: str, path: str) -> str | None:
    bare = path.split("?", 1)[0]
    for wanted, pattern, permission in _PERMISSIONS:
        if wanted in ("*", method) and pattern.search(bare):
            return permission
    return None
