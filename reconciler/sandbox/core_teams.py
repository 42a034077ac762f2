"""Teams and team members (the core store's fourth layer; see core_state).

CreateTeamWithUser makes the default channels and joins the creator as team admin;
JoinUserToTeam revives a removed row or adds one (domain and MaxUsersPerTeam checks)
and joins non-guests to the default channels; LeaveTeam soft-deletes the row and
takes the user out of every channel of the team. A guest who leaves the last
channel of a team leaves the team too.
"""

from __future__ import annotations

from reconciler.sandbox.app import AppError
from reconciler.sandbox.core_channels import ChannelStore
from reconciler.sandbox.ids import new_id, now_ms
from reconciler.sandbox.records import Channel, Team, TeamMember, User
from reconciler.sandbox.validation import validate_team

DEFAULT_CHANNELS = ("town-square", "off-topic")
DEFAULT_CHANNEL_DISPLAY = {"town-square": "Town Square", "off-topic": "Off-Topic"}


class TeamStore(ChannelStore):
    """Team creation and deletion, the default channels, team membership rows."""

    def create_team(
        self,
        creator: User | None,
        *,
        name: str,
        display_name: str,
        type: str = "O",
        description: str = "",
        company_name: str = "",
        allowed_domains: str = "",
        allow_open_invite: bool | None = None,
        email: str = "",
    ) -> Team:
        """CreateTeamWithUser: save, make the default channels, join the creator as admin."""
        now = now_ms()
        team = Team(
            id=new_id(),
            name=name,
            display_name=display_name,
            create_at=now,
            update_at=now,
            description=description,
            email=(creator.email if creator else email),
            type=type,
            company_name=company_name,
            allowed_domains=allowed_domains,
            invite_id=new_id(),
            allow_open_invite=(type == "O") if allow_open_invite is None else allow_open_invite,
        )
        validate_team(team)
        if team.name in self.teams_by_name:
            raise AppError(
                400,
                "store.sql_team.save_team.existing.app_error",
                "A team with that name already exists",
            )
        self.teams[team.id] = team
        self.teams_by_name[team.name] = team.id
        self.channels_by_team[team.id] = {}
        self.team_members_by_team[team.id] = {}
        self.touch("teams")
        for channel_name in self.default_channel_names():
            self.create_channel(
                None,
                team_id=team.id,
                name=channel_name,
                display_name=DEFAULT_CHANNEL_DISPLAY.get(channel_name, channel_name),
                type="O",
            )
        if creator is not None:
            self.add_team_member(team, creator, skip_checks=True)
            member = self.team_member(team.id, creator.id)
            assert member is not None
            member.scheme_admin = not creator.is_guest
        return team

    def default_channel_names(self) -> list[str]:
        names = list(DEFAULT_CHANNELS)
        extra = self.setting("TeamSettings.ExperimentalDefaultChannels") or []
        for name in extra if isinstance(extra, list) else []:
            if isinstance(name, str) and name not in names:
                names.append(name)
        return names

    def permanent_delete_team(self, team: Team) -> None:
        for channel_id in list(self.channels_by_team.get(team.id, {})):
            self.permanent_delete_channel(self.channels[channel_id])
        for user_id in list(self.team_members_by_team.get(team.id, {})):
            self.team_members_by_user.get(user_id, {}).pop(team.id, None)
        self.team_members_by_team.pop(team.id, None)
        self.channels_by_team.pop(team.id, None)
        self.teams_by_name.pop(team.name, None)
        del self.teams[team.id]
        self.touch("teams")
        self.touch("members")

    # -- team members ----------------------------------------------------------------
    def _email_domain_ok(self, email: str, domains: str) -> bool:
        allowed = [
            d.strip().lower()
            for d in domains.replace(",", " ").replace("@", " ").split()
            if d.strip()
        ]
        return not allowed or any(email.lower().endswith("@" + d) for d in allowed)

    def add_team_member(self, team: Team, user: User, *, skip_checks: bool = False) -> TeamMember:
        """JoinUserToTeam: revive or create the row; non-guests join the default channels."""
        existing = self.team_member(team.id, user.id)
        if existing is not None and existing.active:
            return existing
        if not skip_checks:
            if not user.is_bot:
                domains_ok = (
                    self._email_domain_ok(
                        user.email,
                        self.setting("GuestAccountsSettings.RestrictCreationToDomains") or "",
                    )
                    if user.is_guest
                    else self._email_domain_ok(user.email, team.allowed_domains)
                    and self._email_domain_ok(
                        user.email, self.setting("TeamSettings.RestrictCreationToDomains") or ""
                    )
                )
                if not domains_ok:
                    raise AppError(
                        400,
                        "api.team.join_user_to_team.allowed_domains.app_error",
                        "The user cannot be added as the domain associated with the account "
                        "is not permitted. Contact your System Administrator for additional "
                        "details.",
                    )
            if self.active_member_count(team.id) >= self.setting_int(
                "TeamSettings.MaxUsersPerTeam"
            ):
                raise AppError(
                    400,
                    "app.team.join_user_to_team.max_accounts.app_error",
                    "This team has reached the maximum number of allowed accounts. Contact "
                    "your System Administrator to set a higher limit.",
                )
        if existing is not None:
            existing.delete_at = 0
            existing.scheme_guest = user.is_guest
            existing.scheme_user = not user.is_guest
            member = existing
        else:
            member = TeamMember(
                team_id=team.id,
                user_id=user.id,
                scheme_guest=user.is_guest,
                scheme_user=not user.is_guest,
                create_at=now_ms(),
            )
            self.team_members_by_team.setdefault(team.id, {})[user.id] = member
            self.team_members_by_user.setdefault(user.id, {})[team.id] = member
        self.touch("members")
        if not user.is_guest:
            for name in self.default_channel_names():
                channel = self.channel_by_name(team.id, name)
                if channel is not None:
                    self.add_channel_member(channel, user)
        return member

    def remove_team_member(self, team: Team, user: User) -> None:
        """LeaveTeam: soft-delete the row and remove the user from every channel of the team."""
        member = self.team_member(team.id, user.id)
        if member is None or not member.active:
            raise AppError(
                400,
                "api.team.remove_user_from_team.missing.app_error",
                "The user does not appear to be part of this team.",
            )
        for channel_id in list(self.channels_by_team.get(team.id, {})):
            self._drop_channel_member(channel_id, user.id)
        member.delete_at = now_ms()
        member.scheme_guest = member.scheme_user = member.scheme_admin = False
        member.explicit_roles = ""
        self.touch("members")

    def remove_channel_member(self, channel: Channel, user: User) -> None:
        """Hard delete; a guest's last channel in the team takes the team membership too."""
        super().remove_channel_member(channel, user)
        if user.is_guest:
            still_in_team = any(
                self.channels[cid].team_id == channel.team_id
                for cid in self.channel_members_by_user.get(user.id, {})
            )
            team = self.teams.get(channel.team_id)
            if not still_in_team and team is not None and self.is_team_member(team.id, user.id):
                self.remove_team_member(team, user)
