"""Roles and permissions: the default role table of a fresh install (MM model/role.go
`MakeDefaultRoles`, reference §4) and the channel-moderation mapping.

Roles are data: the store keeps them in a table (`CoreStore.roles`) and every
permission check reads that table, so `PUT /roles/{id}/patch` changes behaviour
exactly as on a real server.
"""

from __future__ import annotations

SYSTEM_USER = "system_user"
SYSTEM_ADMIN = "system_admin"
SYSTEM_GUEST = "system_guest"
TEAM_USER = "team_user"
TEAM_ADMIN = "team_admin"
TEAM_GUEST = "team_guest"
CHANNEL_USER = "channel_user"
CHANNEL_ADMIN = "channel_admin"
CHANNEL_GUEST = "channel_guest"

_BOOKMARKS = tuple(
    f"{verb}_bookmark_{kind}_channel"
    for kind in ("public", "private")
    for verb in ("add", "edit", "delete", "order")
)

SYSTEM_USER_PERMISSIONS: tuple[str, ...] = (
    "list_public_teams",
    "join_public_teams",
    "create_direct_channel",
    "create_group_channel",
    "view_members",
    "create_team",
    "create_emojis",
    "delete_emojis",
    "create_custom_group",
    "manage_custom_group_members",
    "delete_custom_group",
    "restore_custom_group",
    "edit_custom_group",
)
TEAM_USER_PERMISSIONS: tuple[str, ...] = (
    "list_team_channels",
    "join_public_channels",
    "read_public_channel",
    "view_team",
    "create_public_channel",
    "create_private_channel",
    "invite_user",
    "add_user_to_team",
)
TEAM_ADMIN_PERMISSIONS: tuple[str, ...] = (
    "edit_others_posts",
    "remove_user_from_team",
    "manage_team",
    "import_team",
    "manage_team_roles",
    "manage_channel_roles",
    "manage_others_incoming_webhooks",
    "manage_others_outgoing_webhooks",
    "manage_slash_commands",
    "manage_others_slash_commands",
    "manage_incoming_webhooks",
    "manage_outgoing_webhooks",
    "manage_own_incoming_webhooks",
    "manage_own_outgoing_webhooks",
    "manage_own_slash_commands",
    "bypass_incoming_webhook_channel_lock",
    "convert_public_channel_to_private",
    "convert_private_channel_to_public",
    "delete_post",
    "delete_others_posts",
)
CHANNEL_USER_PERMISSIONS: tuple[str, ...] = (
    "read_channel",
    "read_channel_content",
    "add_reaction",
    "remove_reaction",
    "manage_public_channel_members",
    "manage_private_channel_members",
    "manage_public_channel_properties",
    "manage_private_channel_properties",
    "delete_public_channel",
    "delete_private_channel",
    "upload_file",
    "get_public_link",
    "create_post",
    "use_channel_mentions",
    "use_slash_commands",
    "edit_post",
    "delete_post",
    "use_group_mentions",
    *_BOOKMARKS,
)
CHANNEL_ADMIN_PERMISSIONS: tuple[str, ...] = (
    "manage_channel_roles",
    "use_group_mentions",
    "manage_public_channel_banner",
    "manage_private_channel_banner",
    *_BOOKMARKS,
)
SYSTEM_GUEST_PERMISSIONS: tuple[str, ...] = ("create_direct_channel", "create_group_channel")
TEAM_GUEST_PERMISSIONS: tuple[str, ...] = ("view_team",)
CHANNEL_GUEST_PERMISSIONS: tuple[str, ...] = (
    "read_channel",
    "read_channel_content",
    "add_reaction",
    "remove_reaction",
    "upload_file",
    "edit_post",
    "create_post",
    "use_channel_mentions",
)

# Permissions only system admins hold by default (a representative set of
# MM's sysconsole_* and system-scoped permissions; system_admin gets all of them).
SYSTEM_ONLY_PERMISSIONS: tuple[str, ...] = (
    "manage_system",
    "manage_roles",
    "manage_jobs",
    "manage_oauth",
    "manage_system_wide_oauth",
    "manage_bots",
    "manage_others_bots",
    "create_bot",
    "read_bots",
    "read_others_bots",
    "assign_bot",
    "create_user_access_token",
    "read_user_access_token",
    "revoke_user_access_token",
    "edit_other_users",
    "edit_brand",
    "list_private_teams",
    "join_private_teams",
    "list_users_without_team",
    "manage_private_channel_properties",
    "demote_to_guest",
    "promote_guest",
    "invite_guest",
    "read_other_users_teams",
    "get_analytics",
    "get_logs",
    "purge_elasticsearch_indexes",
    "test_email",
    "sysconsole_read_user_management_channels",
    "sysconsole_write_user_management_channels",
    "sysconsole_read_user_management_teams",
    "sysconsole_write_user_management_teams",
    "sysconsole_read_user_management_users",
    "sysconsole_write_user_management_users",
    "sysconsole_read_user_management_groups",
    "sysconsole_write_user_management_groups",
    "sysconsole_read_user_management_permissions",
    "sysconsole_write_user_management_permissions",
    "sysconsole_read_user_management_system_roles",
    "sysconsole_write_user_management_system_roles",
    "sysconsole_read_integrations_integration_management",
    "sysconsole_write_integrations_integration_management",
    "sysconsole_read_integrations_bot_accounts",
    "sysconsole_write_integrations_bot_accounts",
    "sysconsole_read_authentication_guest_access",
    "sysconsole_write_authentication_guest_access",
    "sysconsole_read_authentication_signup",
    "sysconsole_write_authentication_signup",
    "sysconsole_read_environment_web_server",
    "sysconsole_write_environment_web_server",
    "sysconsole_read_site_customization",
    "sysconsole_write_site_customization",
    "sysconsole_read_compliance_data_retention_policy",
    "sysconsole_read_about_edition_and_license",
)

ALL_PERMISSIONS: tuple[str, ...] = tuple(
    dict.fromkeys(
        SYSTEM_USER_PERMISSIONS
        + TEAM_USER_PERMISSIONS
        + TEAM_ADMIN_PERMISSIONS
        + CHANNEL_USER_PERMISSIONS
        + CHANNEL_ADMIN_PERMISSIONS
        + SYSTEM_GUEST_PERMISSIONS
        + TEAM_GUEST_PERMISSIONS
        + CHANNEL_GUEST_PERMISSIONS
        + SYSTEM_ONLY_PERMISSIONS
        + ("manage_slash_commands", "create_post_public", "create_post_ephemeral")
    )
)

# name → (display name, description, permissions, scheme_managed)
DEFAULT_ROLES: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    SYSTEM_USER: ("authentication.roles.global_user.name", "", SYSTEM_USER_PERMISSIONS, True),
    SYSTEM_ADMIN: ("authentication.roles.global_admin.name", "", ALL_PERMISSIONS, True),
    SYSTEM_GUEST: ("authentication.roles.global_guest.name", "", SYSTEM_GUEST_PERMISSIONS, True),
    TEAM_USER: ("authentication.roles.team_user.name", "", TEAM_USER_PERMISSIONS, True),
    TEAM_ADMIN: ("authentication.roles.team_admin.name", "", TEAM_ADMIN_PERMISSIONS, True),
    TEAM_GUEST: ("authentication.roles.team_guest.name", "", TEAM_GUEST_PERMISSIONS, True),
    CHANNEL_USER: ("authentication.roles.channel_user.name", "", CHANNEL_USER_PERMISSIONS, True),
    CHANNEL_ADMIN: ("authentication.roles.channel_admin.name", "", CHANNEL_ADMIN_PERMISSIONS, True),
    CHANNEL_GUEST: ("authentication.roles.channel_guest.name", "", CHANNEL_GUEST_PERMISSIONS, True),
    "system_user_access_token": (
        "authentication.roles.system_user_access_token.name",
        "",
        ("create_user_access_token", "read_user_access_token", "revoke_user_access_token"),
        False,
    ),
    "system_post_all": ("authentication.roles.system_post_all.name", "", ("create_post",), False),
    "system_post_all_public": (
        "authentication.roles.system_post_all_public.name",
        "",
        ("create_post_public",),
        False,
    ),
    "team_post_all": ("authentication.roles.team_post_all.name", "", ("create_post",), False),
    "team_post_all_public": (
        "authentication.roles.team_post_all_public.name",
        "",
        ("create_post_public",),
        False,
    ),
    "system_manager": (
        "authentication.roles.system_manager.name",
        "",
        (
            "sysconsole_read_user_management_channels",
            "sysconsole_write_user_management_channels",
            "sysconsole_read_user_management_teams",
            "sysconsole_write_user_management_teams",
            "sysconsole_read_user_management_groups",
            "sysconsole_read_user_management_permissions",
            "list_private_teams",
            "list_public_teams",
            "join_private_teams",
            "join_public_teams",
            "manage_team",
            "manage_team_roles",
            "manage_channel_roles",
            "read_public_channel",
            "read_channel",
            "view_team",
            "manage_public_channel_properties",
            "manage_private_channel_properties",
            "manage_public_channel_members",
            "manage_private_channel_members",
            "convert_public_channel_to_private",
            "convert_private_channel_to_public",
            "delete_public_channel",
            "delete_private_channel",
            "remove_user_from_team",
            "add_user_to_team",
        ),
        False,
    ),
    "system_user_manager": (
        "authentication.roles.system_user_manager.name",
        "",
        (
            "sysconsole_read_user_management_channels",
            "sysconsole_read_user_management_teams",
            "sysconsole_read_user_management_groups",
            "list_private_teams",
            "list_public_teams",
            "read_public_channel",
            "view_team",
        ),
        False,
    ),
    "system_read_only_admin": (
        "authentication.roles.system_read_only_admin.name",
        "",
        (
            "sysconsole_read_user_management_channels",
            "sysconsole_read_user_management_teams",
            "sysconsole_read_user_management_users",
            "sysconsole_read_user_management_groups",
            "sysconsole_read_user_management_permissions",
            "list_private_teams",
            "list_public_teams",
            "read_public_channel",
            "view_team",
        ),
        False,
    ),
}

# Roles whose patch needs `manage_system` (reference §2.7).
MANAGE_SYSTEM_ROLES = frozenset(
    {SYSTEM_ADMIN, "system_manager", "system_user_manager", "system_read_only_admin"}
)
# Scheme roles (patch needs sysconsole_write_user_management_permissions).
SCHEME_ROLES = frozenset(
    {
        SYSTEM_USER,
        SYSTEM_GUEST,
        TEAM_USER,
        TEAM_ADMIN,
        TEAM_GUEST,
        CHANNEL_USER,
        CHANNEL_ADMIN,
        CHANNEL_GUEST,
    }
)
GUEST_ROLES = frozenset({SYSTEM_GUEST, TEAM_GUEST, CHANNEL_GUEST})
# What an unlicensed server lets a role patch change (reference §2.7).
UNLICENSED_PATCHABLE = frozenset(
    {
        "create_team",
        "manage_incoming_webhooks",
        "manage_outgoing_webhooks",
        "manage_slash_commands",
        "manage_oauth",
        "manage_system_wide_oauth",
        "create_emojis",
        "delete_emojis",
        "edit_others_posts",
    }
)

# Channel moderation: the fixed order and, per channel type, the underlying permissions.
MODERATED_PERMISSIONS: tuple[str, ...] = (
    "create_post",
    "create_reactions",
    "manage_members",
    "use_channel_mentions",
    "manage_bookmarks",
)


def moderated_role_permissions(name: str, channel_type: str) -> tuple[str, ...]:
    """The role permissions a moderation name stands for in a channel of `channel_type`."""
    kind = "private" if channel_type == "P" else "public"
    if name == "create_post":
        return ("create_post",)
    if name == "create_reactions":
        return ("add_reaction", "remove_reaction")
    if name == "manage_members":
        return (f"manage_{kind}_channel_members",)
    if name == "use_channel_mentions":
        return ("use_channel_mentions",)
    if name == "manage_bookmarks":
        return tuple(
            f"{verb}_bookmark_{kind}_channel" for verb in ("add", "edit", "delete", "order")
        )
    return ()


def moderated_values(permissions: set[str] | frozenset[str], channel_type: str) -> dict[str, bool]:
    """Which moderation names a role's permission set grants (all underlying permissions held)."""
    return {
        name: all(p in permissions for p in moderated_role_permissions(name, channel_type))
        for name in MODERATED_PERMISSIONS
    }
