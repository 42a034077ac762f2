"""What every resource kind provides, and the shared values passed to it.

A kind is a module (teams, channels, webhooks, ...) that satisfies `Kind`:

- `name`: the `kind` of its ResourceChanges (e.g. "channel").
- `references(workspace)`: the usernames the file names for this kind, with the
  field path of each, so the engine can fetch them in one request and report
  unknown users at their line.
- `observe(client, context)`: read this kind's live objects with bulk list
  endpoints into `context.observation` (as `LiveObject`s keyed by address).
  Earlier kinds have observed already (team ids are there for channels).
- `plan(context)`: compare the workspace with the observation and return
  `ResourceChange`s; report problems with `context.error(path, message)`,
  warnings with `context.warn`, undeclared objects with `context.unmanaged`.
  Changes planned by earlier kinds are visible (`context.planned(address)`).
- `apply(change, context)`: carry out one change with the client, reading only
  the change (its `after` holds every desired value) and the id table, and
  record created ids with `context.set_id(address, id)`.

The engine is generic over kinds: it calls them in `KINDS` order (the
dependency order, reconciler.kinds.registry) and never knows a kind's
endpoints. Kinds never import each other; they refer to each other only by
address (`team.asd/channel.dev`). `ApplyContext.ids` maps addresses (and
`user.<username>`) to server ids, filled from the observation and extended as
objects are created.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from reconciler.errors import Diagnostic
from reconciler.plan import ResourceChange, fingerprint_object

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.workspace.models import Workspace
    from reconciler.workspace.sourcemap import FieldPath, SourceMap


@dataclass
class LiveObject:
    """One object as read from the server."""

    address: str
    kind: str
    id: str  # server id; never rendered (incoming-webhook ids are credentials)
    data: dict[str, Any]  # normalised: workspace field names and value forms
    raw: dict[str, Any]  # the server's JSON, for PUTs that must send every field
    team: str | None = None
    archived: bool = False

    def fingerprint(self) -> str:
        """What stale-plan detection compares: the archive flag and the normalised fields.

        Not the server id: a plan applies by address (ids are looked up again), and
        leaving ids out keeps plan files reproducible (no volatile values)."""
        return fingerprint_object({"archived": self.archived, "data": self.data})


@dataclass
class Observation:
    """Everything read from the server for one plan."""

    objects: dict[str, LiveObject] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # username → user JSON
    me: dict[str, Any] = field(default_factory=dict)
    license: dict[str, Any] = field(default_factory=dict)
    server_version: str = ""
    config: dict[str, Any] | None = None  # sanitized GET /config (None if not readable)
    environment: dict[str, Any] = field(default_factory=dict)  # GET /config/environment
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific shared reads
    usernames: dict[str, str] = field(default_factory=dict)  # user id → username
    bot_ids: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)  # declared address → live address
    permissions: frozenset[str] | None = None  # system-wide permissions of `me` (None: unknown)
    # team/channel address → what `me` may do there through its roles (None: not checked)
    scoped_permissions: dict[str, frozenset[str]] | None = None
    creator_permissions: dict[str, frozenset[str]] = field(default_factory=dict)  # by kind
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    _children: dict[tuple[str, str], dict[str, LiveObject]] = field(
        default_factory=dict, repr=False
    )

    def add(self, obj: LiveObject) -> None:
        parent = obj.address.rsplit("/", 1)[0] if "/" in obj.address else ""
        with self.lock:
            self.objects[obj.address] = obj
            self._children.setdefault((parent, obj.kind), {})[obj.address] = obj

    def get(self, address: str) -> LiveObject | None:
        return self.objects.get(address)

    def resolve(self, address: str) -> LiveObject | None:
        """The live object a declared address stands for (following renames)."""
        return self.objects.get(self.aliases.get(address, address))

    def of_kind(self, kind: str) -> list[LiveObject]:
        return [obj for obj in self.objects.values() if obj.kind == kind]

    def under(self, parent: str, kind: str) -> list[LiveObject]:
        """Objects of `kind` directly below `parent` (e.g. the channels of team.asd)."""
        return list(self._children.get((parent, kind), {}).values())

    @property
    def licensed(self) -> bool:
        return str(self.license.get("IsLicensed", "false")).lower() == "true"

    @property
    def me_id(self) -> str:
        return str(self.me.get("id", ""))

    @property
    def is_system_admin(self) -> bool:
        return "system_admin" in str(self.me.get("roles", "")).split()

    def may(self, permission: str) -> bool:
        """Whether `me` holds `permission` system-wide (True when it cannot be known)."""
        if self.is_system_admin or self.permissions is None:
            return True
        return permission in self.permissions

    def may_at(self, scope: str, permission: str) -> bool:
        """Whether `me` holds `permission` on the team or channel at `scope` (an address;
        "" for system-wide): through its system roles, its roles in the channel, or in the
        team, as Mattermost checks. A team or channel not on the server yet (the plan creates
        it) counts the roles its creator gets. True when it cannot be known."""
        if self.may(permission):
            return True
        if not scope:
            return False  # system-wide: `may` has answered
        if self.scoped_permissions is None:
            return True  # not read (or not readable): not checked
        parts = scope.split("/")
        for end in range(len(parts), 0, -1):
            address = "/".join(parts[:end])
            live = self.resolve(address)
            if live is None:
                kind = parts[end - 1].split(".", 1)[0]
                granted = self.creator_permissions.get(kind, frozenset())
            else:
                granted = self.scoped_permissions.get(live.address, frozenset())
            if permission in granted:
                return True
        return False

    def remember_user(self, user: Mapping[str, Any]) -> None:
        with self.lock:
            self.usernames[str(user["id"])] = str(user["username"])
            if user.get("is_bot"):
                self.bot_ids.add(str(user["id"]))

    def username_of(self, user_id: str) -> str:
        return self.usernames.get(user_id, user_id)


@dataclass(frozen=True, slots=True)
class UserRef:
    """A username named in the workspace, and where (for 'unknown user' errors)."""

    username: str
    path: FieldPath


@dataclass(frozen=True)
class PlanOptions:
    """What the guards allow. Shares are fractions of the live objects of one team/channel,
    applied only from `share_floor` live objects on (as octoDNS's MIN_EXISTING_RECORDS);
    the absolute caps apply at any size."""

    allow_destructive: bool = False
    prune_bots: bool = False  # disable undeclared bots the applying account owns
    rotate_secrets: bool = False  # write every declared secret again
    max_archive_share: float = 0.25
    max_member_removal_share: float = 0.25
    share_floor: int = 10
    max_archives: int = 5  # channels of one team archived by one plan
    max_member_removals: int = 10  # members removed from one team or channel by one plan
    check_permissions: bool = True  # the token applies: what it may not do is an error


@dataclass
class PlanContext:
    """What `plan` gives a kind: the desired state, the observation, and collectors."""

    workspace: Workspace
    observation: Observation
    options: PlanOptions = field(default_factory=PlanOptions)
    source_map: SourceMap | None = None
    file: str = "workspace.yaml"
    kind_order: Mapping[str, int] = field(default_factory=dict)
    changes: list[ResourceChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str | Diagnostic] = field(default_factory=list)
    unmanaged_addresses: list[str] = field(default_factory=list)

    def order_of(self, kind: str) -> int:
        return self.kind_order.get(kind, 0)

    def error(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        """A problem that makes the plan impossible, cited at `path` in the file."""
        if self.source_map is not None:
            self.errors.append(self.source_map.diagnostic(path, message, hint))
        else:
            from reconciler.workspace.sourcemap import format_path

            self.errors.append(Diagnostic(self.file, 0, 0, format_path(path), message, hint))

    def require(
        self, scope: str, permission: str | tuple[str, ...], path: FieldPath, what: str
    ) -> bool:
        """Whether the applying account may do `what` (holding `permission`, or one of
        several, on the team or channel at `scope`; "" = system-wide). If not, the 403
        apply would meet becomes a plan-time error at `path`, naming the permission."""
        wanted = (permission,) if isinstance(permission, str) else permission
        observation = self.observation
        if not self.options.check_permissions:
            return True
        if any(observation.may_at(scope, name) for name in wanted):
            return True
        who = str(observation.me.get("username") or "") or "the applying account"
        where = f" on {scope}" if scope else " (system-wide)"
        self.error(
            path,
            f"{what} needs the {' or '.join(wanted)} permission{where}, which {who} lacks: "
            "apply would fail with 403",
            hint="give the account a role that has it there, or apply with a token that does "
            "(`mmrc plan --no-permission-check` skips this check for a token that only plans)",
        )
        return False

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def unmanaged(self, address: str) -> None:
        self.unmanaged_addresses.append(address)

    def planned(self, address: str) -> ResourceChange | None:
        """A change an earlier kind (or this one) planned for `address`."""
        for change in self.changes:
            if change.address == address:
                return change
        return None


@dataclass
class ApplyContext:
    """What `apply` gives a kind: the client, the id table and secret resolution."""

    client: Client
    observation: Observation
    ids: dict[str, str] = field(default_factory=dict)  # address → server id
    resolve_secret: Callable[[str, str], str] | None = None  # (address, field) → plaintext
    results: dict[str, Any] = field(default_factory=dict)  # address → outputs (tokens, urls)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set_id(self, address: str, object_id: str) -> None:
        with self.lock:
            self.ids[address] = object_id

    def id_of(self, address: str) -> str:
        with self.lock:
            try:
                return self.ids[address]
            except KeyError:
                raise KeyError(f"no server id known for {address}") from None

    def user_id(self, username: str) -> str:
        return self.id_of(f"user.{username}")


class Kind(Protocol):
    """A resource kind (a module). `name` is the `kind` of its ResourceChanges."""

    name: str

    def references(self, workspace: Workspace) -> Iterable[UserRef]:
        """Usernames this kind's part of the workspace names (may be empty)."""
        ...

    def observe(self, client: Client, context: PlanContext) -> None:
        """Read this kind's live objects (bulk list endpoints) into `context.observation`."""
        ...

    def plan(self, context: PlanContext) -> Iterable[ResourceChange]:
        """Compare the workspace with the observation; return changes."""
        ...

    def apply(self, change: ResourceChange, context: ApplyContext) -> None:
        """Carry out one change with the client; record created ids in context.ids."""
        ...


def parent_addresses(address: str) -> list[str]:
    """`team.a/channel.b/member.c` → [`team.a`, `team.a/channel.b`]."""
    parts = address.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]
