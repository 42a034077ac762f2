"""Roles, permission checks and channel schemes (the core store's second layer;
see core_state for the layering).

`has_permission` resolves a user's system roles, then its channel roles (through
the channel's scheme when moderation gave it one) and its team roles, as
Mattermost's SessionHasPermissionTo{,Team,Channel} do. Channel moderation keeps
its per-channel roles in a channel scheme: three roles of its own, made on the
first patch and deleted when the channel is back at the higher scope's values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.sandbox import permissions as perms
from reconciler.sandbox.core_state import CoreState
from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.records import Channel, Role, Scheme


class RoleStore(CoreState):
    """The built-in roles, permission checks, and the schemes channel moderation makes."""

    def _create_default_roles(self) -> None:
        now = now_ms()
        for name, (display, description, permissions, managed) in perms.DEFAULT_ROLES.items():
            self._add_role(
                Role(
                    id=new_id(),
                    name=name,
                    display_name=display,
                    description=description,
                    permissions=list(permissions),
                    scheme_managed=managed,
                    built_in=True,
                    create_at=now,
                    update_at=now,
                )
            )

    def _add_role(self, role: Role) -> None:
        self.roles[role.name] = role
        self.roles_by_id[role.id] = role.name

    # -- permissions -----------------------------------------------------------------
    def role(self, name: str) -> Role | None:
        return self.roles.get(name)

    def role_by_id(self, role_id: str) -> Role | None:
        name = self.roles_by_id.get(role_id)
        return self.roles.get(name) if name else None

    def _roles_grant(self, names: Iterable[str], permission: str) -> bool:
        for name in names:
            role = self.roles.get(name)
            if role is not None and not role.delete_at and permission in role.permissions:
                return True
        return False

    def channel_scheme(self, channel: Channel) -> Scheme | None:
        return self.schemes.get(channel.scheme_id) if channel.scheme_id else None

    def has_permission(
        self,
        user: Any,
        permission: str,
        *,
        team_id: str | None = None,
        channel_id: str | None = None,
    ) -> bool:
        """Whether `user` holds `permission` at system level, or through its channel
        roles (channel_id) and team roles (team_id, or the channel's team)."""
        if user is None:
            return False
        if self._roles_grant(user.role_names, permission):
            return True
        if channel_id:
            channel = self.channels.get(channel_id)
            if channel is None:
                return False
            member = self.channel_member(channel_id, user.id)
            if member is not None and self._roles_grant(
                member.role_names(self.channel_scheme(channel)), permission
            ):
                return True
            team_id = team_id or channel.team_id
        if team_id:
            team_member = self.team_member(team_id, user.id)
            if team_member is not None and team_member.active:
                return self._roles_grant(team_member.roles.split(), permission)
        return False

    # -- channel schemes (moderation) ------------------------------------------------
    def create_channel_scheme(self, channel: Channel) -> Scheme:
        now = now_ms()
        names: dict[str, str] = {}
        for base in (perms.CHANNEL_ADMIN, perms.CHANNEL_USER, perms.CHANNEL_GUEST):
            source = self.roles[base]
            role = Role(
                id=new_id(),
                name=new_id(),
                display_name=f"Channel {base} Role for Scheme {channel.name}",
                description="",
                permissions=list(source.permissions),
                scheme_managed=True,
                built_in=False,
                create_at=now,
                update_at=now,
            )
            self._add_role(role)
            names[base] = role.name
        scheme = Scheme(
            id=new_id(),
            name=new_id(),
            display_name=f"Channel Scheme for {channel.name}",
            scope="channel",
            default_channel_admin_role=names[perms.CHANNEL_ADMIN],
            default_channel_user_role=names[perms.CHANNEL_USER],
            default_channel_guest_role=names[perms.CHANNEL_GUEST],
            create_at=now,
            update_at=now,
        )
        self.schemes[scheme.id] = scheme
        channel.scheme_id = scheme.id
        self.touch_channel(channel)
        return scheme

    def delete_channel_scheme(self, channel: Channel) -> None:
        scheme = self.schemes.pop(channel.scheme_id or "", None)
        if scheme is not None:
            for name in (
                scheme.default_channel_admin_role,
                scheme.default_channel_user_role,
                scheme.default_channel_guest_role,
            ):
                role = self.roles.pop(name, None)
                if role is not None:
                    self.roles_by_id.pop(role.id, None)
        channel.scheme_id = None
        self.touch_channel(channel)
