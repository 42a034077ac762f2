"""A team's list of integrations, keyed within the team: what the three integration kinds share.

Incoming webhooks, outgoing webhooks and slash commands are each a list under a
team, keyed by a natural key (a display name, a trigger). Each kind describes
itself with a `TeamList` and leaves the common steps to this module:

- reading: `read_lists` reads a team's list only when the team declares the kind
  or prunes it (the teams concurrently); a team whose list call answered 501 (the
  integration's switch is off) is recorded and skipped, and the owners' usernames
  are loaded in one request. Another team's objects are not read, so they are not
  listed as unmanaged either, and a plan needs no permission in a team that
  declares none.
- planning: `plan_lists` compares every team's declared list with what was
  observed below the team: declared and absent → create (the kind's defaults
  under the declared fields); declared fields that differ → update, or what the
  kind's `on_change` rule says (a replace when the owner cannot change in place);
  live and undeclared → remove when the team prunes the kind, else unmanaged.
  A team that declares the kind needs its switch on, and declared username or
  icon_url their override switches. A kind may refuse an address (`refuse`:
  e.g. two live hooks share the key) for declared objects and for removals.
- applying: `delete_for` (remove, and the first half of a replace),
  `create_once` (a POST safe to retry, found again by key), `record_output`
  and `observed_outputs` / `observed_tokens` (the URL or token of each object, for n8n).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError
from reconciler.kinds import integration_support as support
from reconciler.kinds.base import UserRef
from reconciler.kinds.diffing import diff_fields
from reconciler.kinds.lookup import channel_address, load_usernames, team_address
from reconciler.outputs import Output
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, LiveObject, Observation, PlanContext
    from reconciler.workspace.models import Team, Workspace
    from reconciler.workspace.sourcemap import FieldPath

Fields = tuple[FieldChange, ...]
# (context, address, desired, changed fields) → the action and its notes
ChangeRule = Callable[
    ["PlanContext", str, Mapping[str, Any], Fields], tuple[Action, tuple[str, ...]]
]
# (context, where to report, address) → True when the address cannot be planned (reported)
Refusal = Callable[["PlanContext", "FieldPath", str], bool]


def replace_when_owner_changes(note: str) -> ChangeRule:
    """The rule of kinds whose owner cannot change in place: a new owner is a replace."""

    def rule(
        context: PlanContext, address: str, desired: Mapping[str, Any], fields: Fields
    ) -> tuple[Action, tuple[str, ...]]:
        if owner_changed(fields):
            return Action.REPLACE, (note,)
        return Action.UPDATE, ()

    return rule


def owner_changed(fields: Fields) -> bool:
    return any(f.field == "owner" for f in fields)


@dataclass(frozen=True, slots=True)
class TeamList:
    """How one integration kind is declared under a team, keyed, and planned."""

    kind: str  # the ResourceChange kind, e.g. "outgoing_webhook"
    field: str  # the team's list, e.g. "outgoing_webhooks"
    label: str  # for messages, e.g. "outgoing webhook"
    switch: str  # the settings.integrations switch the kind needs
    prune: str  # the team's prune flag, e.g. "webhooks"
    key_field: str  # the field that keys an object within the team
    address: Callable[[str, Any], str]  # (team, declared object) → address
    desired: Callable[[Any], dict[str, Any]]  # declared object → its declared fields
    defaults: Mapping[str, Any]  # a created object's undeclared fields
    on_change: ChangeRule
    unordered: tuple[str, ...] = ()  # list fields whose order does not matter
    refuse: Refusal | None = None  # declared objects
    refuse_removal: Refusal | None = None  # undeclared objects prune would remove

    def declared(self, team: Team) -> tuple[Any, ...]:
        items: tuple[Any, ...] = getattr(team, self.field)
        return items

    def pruned(self, team: Team) -> bool:
        return bool(getattr(team.prune, self.prune))


# -- references and reads ---------------------------------------------------------------------


def owner_references(workspace: Workspace, field: str) -> Iterable[UserRef]:
    """The owners named in every team's `field` list that are not declared bots."""
    bots = {bot.username for bot in workspace.bots}
    for ti, team in enumerate(workspace.teams):
        for index, item in enumerate(getattr(team, field)):
            if item.owner and item.owner not in bots:
                yield UserRef(item.owner, ("teams", ti, field, index, "owner"))


def read_lists(
    client: Client,
    context: PlanContext,
    spec: TeamList,
    read: Callable[[str], list[dict[str, Any]]],
    *,
    owner_field: str,
    disabled_key: str,
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(team, `read(team_id)`) for the declared teams on the server that declare or prune
    the kind, concurrently, in order. A team whose list call answered 501 is added to
    `observation.extra[disabled_key]` and left out; the owners' usernames are loaded."""
    observation = context.observation
    disabled: set[str] = observation.extra.setdefault(disabled_key, set())
    teams = [
        (team.name, team_id)
        for team in context.workspace.teams
        if (team_id := support.live_team_id(observation, team.name)) is not None
        and (spec.declared(team) or spec.pruned(team))
    ]

    def one(team: tuple[str, str]) -> tuple[str, list[dict[str, Any]] | None]:
        name, team_id = team
        try:
            return name, read(team_id)
        except ApiError as error:
            if error.status == 501:
                return name, None
            raise

    found = client.map_concurrent(one, teams)
    owners = [str(item.get(owner_field)) for _, items in found for item in items or ()]
    load_usernames(client, observation, owners)
    lists = []
    for team, items in found:
        if items is None:  # the integration's switch is off
            disabled.add(team)
        else:
            lists.append((team, items))
    return lists


def by_display_name(items: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Live objects grouped by display name (more than one in a group: ambiguous)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(str(item.get("display_name") or ""), []).append(item)
    return groups


def _same_channel_by_id(
    context: PlanContext,
    team: str,
    desired: Mapping[str, Any],
    data: Mapping[str, Any],
    raw: Mapping[str, Any],
) -> dict[str, Any]:
    """The live data, with its channel read as the declared name when both are one channel
    (by id): a hook on `business`, declared on `topic-business` which the same plan renames
    from `business`, has not moved."""
    found = dict(data)
    wanted = desired.get("channel")
    if not wanted or "channel" not in found or found["channel"] == wanted:
        return found
    channel = context.observation.resolve(channel_address(team, str(wanted)))
    if channel is not None and channel.id == str(raw.get("channel_id") or ""):
        found["channel"] = wanted
    return found


# -- planning ---------------------------------------------------------------------------------


def plan_lists(context: PlanContext, spec: TeamList) -> list[ResourceChange]:
    """The changes that make every team's list of `spec.kind` match the workspace."""
    changes: list[ResourceChange] = []
    for ti, team in enumerate(context.workspace.teams):
        changes += _plan_team(context, spec, ti, team)
    return changes


def _plan_team(context: PlanContext, spec: TeamList, ti: int, team: Team) -> list[ResourceChange]:
    base: FieldPath = ("teams", ti, spec.field)
    items = spec.declared(team)
    if items:
        what = f"team {team.name!r} declares {spec.label}s"
        support.require_switch(context, spec.switch, base, what)
    order = context.order_of(spec.kind)
    addresses = set()
    changes: list[ResourceChange] = []
    for index, item in enumerate(items):
        path = (*base, index)
        address = spec.address(team.name, item)
        addresses.add(address)
        desired = spec.desired(item)
        support.check_overrides(context, desired, path, f"{spec.label} {address}")
        if spec.refuse is not None and spec.refuse(context, (*path, spec.key_field), address):
            continue
        live = context.observation.get(address)
        if live is None:
            # what identifies it and what the file says first, then the defaults it gets
            after = {**desired, **{k: v for k, v in spec.defaults.items() if k not in desired}}
            fields = tuple(FieldChange(k, None, v) for k, v in after.items())
            changes.append(
                ResourceChange(
                    address,
                    spec.kind,
                    Action.CREATE,
                    None,
                    after,
                    fields,
                    team=team.name,
                    order=order,
                )
            )
            continue
        live_data = _same_channel_by_id(context, team.name, desired, live.data, live.raw)
        fields = diff_fields(desired, live_data, unordered=spec.unordered)
        if not fields:
            continue
        action, notes = spec.on_change(context, address, desired, fields)
        changes.append(
            ResourceChange(
                address,
                spec.kind,
                action,
                live_data,
                {**live_data, **desired},
                fields,
                notes,
                team=team.name,
                order=order,
            )
        )
    for live in context.observation.under(team_address(team.name), spec.kind):
        if live.address in addresses:
            continue
        if not spec.pruned(team):
            context.unmanaged(live.address)
        elif spec.refuse_removal is not None and spec.refuse_removal(context, base, live.address):
            continue
        else:
            changes.append(
                ResourceChange(
                    live.address,
                    spec.kind,
                    Action.REMOVE,
                    dict(live.data),
                    None,
                    notes=(f"not declared and prune.{spec.prune} is on",),
                    team=team.name,
                    order=order,
                )
            )
    return changes


# -- applying ---------------------------------------------------------------------------------


def delete_for(change: ResourceChange, context: ApplyContext, endpoint: str) -> bool:
    """For a remove, DELETE `{endpoint}/{id}` and drop its output; True when it was one."""
    if change.action is not Action.REMOVE:
        return False
    context.client.delete(f"{endpoint}/{context.id_of(change.address)}")
    with context.lock:
        context.results[change.address] = None
    return True


REPLACING = "mmrc-replacing"


def temporary_key(key: str, old_id: str, limit: int = 128) -> str:
    """The key a replacement carries while the object it replaces still holds `key`
    (`reply` → `reply-mmrc-replacing-ab12cd`), within the server's `limit`."""
    suffix = f"-{REPLACING}-{old_id[:6]}"
    return key[: limit - len(suffix)] + suffix


def replace_created_first(
    change: ResourceChange,
    context: ApplyContext,
    endpoint: str,
    label: str,
    create: Callable[[str], dict[str, Any]],
    finish: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """A replace that never leaves the object missing: `create(old_id)` makes the new
    object (under a temporary key when the server refuses two with one key) and records
    its id and output; only then is the old one deleted, and `finish(created)` gives the
    new one its real key. A failed create leaves the old object as it was; a failed
    delete is reported as such (both objects then exist)."""
    old_id = context.id_of(change.address)
    created = create(old_id)
    try:
        context.client.delete(f"{endpoint}/{old_id}")
    except ApiError as error:
        raise type(error)(
            f"{change.address}: the new {label} was created, but deleting the one it "
            f"replaces failed, so both exist now; delete the old one in Mattermost "
            f"({_describe_old(change, label)}): {error}",
            method=error.method,
            path=error.path,
            status=error.status,
            error_id=error.error_id,
            request_id=error.request_id,
            server_message=error.server_message,
        ) from None
    if finish is not None:
        finish(created)


def _describe_old(change: ResourceChange, label: str) -> str:
    before = change.before or {}
    name = before.get("display_name") or before.get("trigger") or change.address
    return f"the {label} {name!r} created by {before.get('owner') or 'its old owner'}"


def create_once(
    context: ApplyContext,
    change: ResourceChange,
    endpoint: str,
    body: Mapping[str, Any],
    *,
    listing: Callable[[], Iterable[dict[str, Any]]],
    same: Callable[[dict[str, Any]], bool],
) -> dict[str, Any]:
    """POST `body` to `endpoint` and record the new id. Safe to retry: when the answer
    is lost, the object is looked for in `listing()` (the first for which `same` holds
    that the plan did not already see: a replace's old object is not the new one)."""
    known = {live.id for live in context.observation.objects.values()}

    def find() -> dict[str, Any] | None:
        return next(
            (item for item in listing() if same(item) and str(item.get("id")) not in known),
            None,
        )

    created: dict[str, Any] = context.client.create(endpoint, body, find_existing=find)
    context.set_id(change.address, str(created["id"]))
    return created


def key_of(address: str, kind: str) -> tuple[str, str]:
    """`team.asd/command.reply` → ("asd", "reply")."""
    team, key = address.split(f"/{kind}.", 1)
    return team.removeprefix("team."), key


def record_output(context: ApplyContext, address: str, kind: str, value: str) -> None:
    """What apply hands to `--outputs-file`: the URL or token of the object at `address`."""
    team, key = key_of(address, kind)
    with context.lock:
        context.results[address] = Output(address, kind, team, key, value)


def observed_outputs(
    observation: Observation, kind: str, value_of: Callable[[LiveObject], str | None]
) -> list[Output]:
    """The output of every observed object of `kind` that has a value."""
    found = []
    for live in observation.of_kind(kind):
        value = value_of(live)
        if value is not None:
            found.append(
                Output(live.address, kind, live.team, key_of(live.address, kind)[1], value)
            )
    return found


def observed_tokens(observation: Observation, kind: str) -> list[Output]:
    """The token of every observed object of `kind` whose token was read."""
    return observed_outputs(
        observation, kind, lambda live: support.token_of(observation, live.address)
    )
