"""What every resource kind provides, and the shared values passed to it.

A kind is a module (teams, channels, webhooks, ...) that knows how to read its
objects from the server into normalised dicts with the workspace's field
names (`observe`), compare them with the workspace (`plan`, which returns
`ResourceChange`s), and turn one change into API calls (`apply`). The engine
is generic over kinds: it calls them in `KINDS` order (the dependency order)
and never knows a kind's endpoints.

Kinds refer to each other only by address (`team.asd/channel.dev`); the
`ApplyContext.ids` table maps addresses to server ids, filled from the
observation and extended as objects are created.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from reconciler.plan import ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client


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

    def add(self, obj: LiveObject) -> None:
        self.objects[obj.address] = obj

    def of_kind(self, kind: str) -> list[LiveObject]:
        return [obj for obj in self.objects.values() if obj.kind == kind]

    @property
    def licensed(self) -> bool:
        return str(self.license.get("IsLicensed", "false")).lower() == "true"


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


class Kind(Protocol):
    """A resource kind. `name` is the `kind` of its ResourceChanges."""

    name: str

    def observe(self, client: Client, observation: Observation, scope: Mapping[str, Any]) -> None:
        """Read this kind's live objects (bulk list endpoints) into `observation`."""

    def plan(self, context: Any) -> Iterable[ResourceChange]:
        """Compare the workspace with the observation; return changes (context: engine.PlanContext)."""

    def apply(self, change: ResourceChange, context: ApplyContext) -> None:
        """Carry out one change with the client; record created ids in context.ids."""
