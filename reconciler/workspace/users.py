"""The usernames a workspace refers to (the sandbox's demo seed creates exactly these)."""

from __future__ import annotations

from reconciler.workspace.models import Workspace


def referenced_users(workspace: Workspace) -> tuple[set[str], set[str]]:
    """(members, guests): every username named as a member/owner, and every guest.

    Owners that name a declared bot are not users and are left out; webhook and
    command `username` fields are display overrides, not accounts.
    """
    bots = {bot.username for bot in workspace.bots}
    members: set[str] = set()
    guests: set[str] = set()
    for team in workspace.teams:
        members.update(team.members or ())
        guests.update(team.guests or ())
        for channel in team.channels:
            members.update(channel.members or ())
            guests.update(channel.guests or ())
        owners = [
            item.owner
            for group in (team.incoming_webhooks, team.outgoing_webhooks, team.commands)
            for item in group
        ]
        members.update(owner for owner in owners if owner and owner not in bots)
    return members - guests, guests
