"""Channels and channel members (the core store's third layer; see core_state).

Creation checks what the store would (name length, the unique `(team_id, name)`,
archived channels included, MaxChannelsPerTeam); archiving is the route's
(`delete_at`), a permanent delete removes the members and the channel's scheme.
Channel memberships are rows that come and go (no soft delete).
"""

from __future__ import annotations

from reconciler.sandbox.app import AppError
from reconciler.sandbox.core_roles import RoleStore
from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.records import Channel, ChannelMember, Team, User
from reconciler.sandbox.validation import validate_channel


class ChannelStore(RoleStore):
    """Channel creation, renames, moves, permanent deletes; channel membership rows."""

    def create_channel(
        self,
        creator: User | None,
        *,
        team_id: str,
        name: str,
        display_name: str,
        type: str = "O",
        purpose: str = "",
        header: str = "",
    ) -> Channel:
        now = now_ms()
        channel = Channel(
            id=new_id(),
            team_id=team_id,
            type=type,
            name=name,
            display_name=display_name.strip(),
            create_at=now,
            update_at=now,
            header=header,
            purpose=purpose,
            creator_id=creator.id if creator else "",
        )
        validate_channel(channel)
        if len(channel.name) > 64:
            raise AppError(
                500,
                "app.channel.create_channel.internal_error",
                "Unable to save channel.",
                "value too long for type character varying(64)",
            )
        if (team_id, name) in self.channels_by_name:
            raise AppError(
                400,
                "store.sql_channel.save_channel.exists.app_error",
                "A channel with that name already exists on the same team",
            )
        if len(self.channels_by_team.get(team_id, {})) >= self.setting_int(
            "TeamSettings.MaxChannelsPerTeam"
        ):
            raise AppError(
                400,
                "api.channel.create_channel.max_channel_limit.app_error",
                "Unable to create more than "
                f"{self.setting_int('TeamSettings.MaxChannelsPerTeam')} channels for current team",
            )
        self._index_channel(channel)
        if creator is not None:
            member = self.add_channel_member(channel, creator)
            member.scheme_admin = not creator.is_guest
        return channel

    def _index_channel(self, channel: Channel) -> None:
        self.channels[channel.id] = channel
        self.channels_by_name[(channel.team_id, channel.name)] = channel.id
        self.channels_by_team.setdefault(channel.team_id, {})[channel.id] = None
        self.channel_members_by_channel.setdefault(channel.id, {})
        self.touch("channels")

    def rename_channel(self, channel: Channel, new_name: str) -> None:
        del self.channels_by_name[(channel.team_id, channel.name)]
        channel.name = new_name
        self.channels_by_name[(channel.team_id, channel.name)] = channel.id

    def move_channel(self, channel: Channel, team: Team) -> None:
        del self.channels_by_name[(channel.team_id, channel.name)]
        del self.channels_by_team[channel.team_id][channel.id]
        channel.team_id = team.id
        self._index_channel(channel)

    def permanent_delete_channel(self, channel: Channel) -> None:
        for user_id in list(self.channel_members_by_channel.get(channel.id, {})):
            self._drop_channel_member(channel.id, user_id)
        if channel.scheme_id:
            self.delete_channel_scheme(channel)
        self.channel_members_by_channel.pop(channel.id, None)
        self.channels_by_name.pop((channel.team_id, channel.name), None)
        self.channels_by_team.get(channel.team_id, {}).pop(channel.id, None)
        del self.channels[channel.id]
        self.touch("channels")

    # -- channel members -------------------------------------------------------------
    def add_channel_member(self, channel: Channel, user: User) -> ChannelMember:
        existing = self.channel_member(channel.id, user.id)
        if existing is not None:
            return existing
        now = now_ms()
        member = ChannelMember(
            channel_id=channel.id,
            user_id=user.id,
            scheme_guest=user.is_guest,
            scheme_user=not user.is_guest,
            last_viewed_at=now,
            last_update_at=now,
        )
        self.channel_members_by_channel.setdefault(channel.id, {})[user.id] = member
        self.channel_members_by_user.setdefault(user.id, {})[channel.id] = member
        self.touch("members")
        return member

    def _drop_channel_member(self, channel_id: str, user_id: str) -> bool:
        member = self.channel_members_by_channel.get(channel_id, {}).pop(user_id, None)
        if member is None:
            return False
        self.channel_members_by_user.get(user_id, {}).pop(channel_id, None)
        self.touch("members")
        return True

    def remove_channel_member(self, channel: Channel, user: User) -> None:
        """A hard delete (core_teams.TeamStore adds the guest rule)."""
        self._drop_channel_member(channel.id, user.id)
