"""What the systems that call Mattermost need: hook URLs and tokens.

n8n (and anything else wired to Mattermost) needs each incoming webhook's URL
(`{SiteURL}/hooks/{id}`; the id is the credential) and each outgoing
webhook's and slash command's token (to check that a call really came from
Mattermost). `mmrc output` prints them (masked unless `--reveal`);
`mmrc apply --outputs-file FILE` and `mmrc rotate --outputs-file FILE` write
them as JSON with mode 0600.

An `Output` never shows its value through `repr`/`str`; only `reveal()` and
`to_file_dict()` give the plaintext, and only the output command and the file
writer call those.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError

FILE_FORMAT_VERSION = "1.0"  # a string, as in plans and apply results (was the integer 1)
MASKED = "(sensitive)"

# kind → the field that holds the secret
SECRET_FIELD = {
    "incoming_webhook": "url",
    "outgoing_webhook": "token",
    "command": "token",
}


@dataclass(frozen=True, slots=True)
class Output:
    """One output: an address and its secret value (a URL or a token)."""

    address: str
    kind: str
    team: str | None
    name: str
    _value: str = field(repr=False)

    @property
    def field(self) -> str:
        return SECRET_FIELD[self.kind]

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        if self.kind == "incoming_webhook" and "/hooks/" in self._value:
            return self._value.rsplit("/hooks/", 1)[0] + "/hooks/" + MASKED
        return MASKED

    def __str__(self) -> str:
        return f"{self.address} {self.field}={self.masked()}"

    def to_file_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "team": self.team, "name": self.name, self.field: self._value}


def hook_url(site_url: str, hook_id: str) -> str:
    return f"{site_url.rstrip('/')}/hooks/{hook_id}"


def matches(output: Output, name: str) -> bool:
    """`mmrc output NAME`: NAME is an address, a key (`Redmine`, `reply`) or `team/key`."""
    wanted = name.strip()
    if wanted in (output.address, output.name):
        return True
    return output.team is not None and wanted == f"{output.team}/{output.name}"


def select(outputs: Iterable[Output], name: str | None) -> list[Output]:
    chosen = [o for o in outputs if name is None or matches(o, name)]
    if name is not None and not chosen:
        raise ReconcilerError(f"no output named {name!r} (try `mmrc output` for the list)")
    return sorted(chosen, key=lambda o: o.address)


def to_document(outputs: Iterable[Output], server: str) -> dict[str, Any]:
    return {
        "format_version": FILE_FORMAT_VERSION,
        "server": server,
        "outputs": {o.address: o.to_file_dict() for o in sorted(outputs, key=lambda o: o.address)},
    }


def write_file(path: Path, outputs: Iterable[Output], server: str) -> None:
    """Writes the outputs as JSON, mode 0600, atomically (never world-readable, even briefly)."""
    document = to_document(outputs, server)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise ReconcilerError(f"cannot write outputs file {path}: {error.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as error:
        Path(tmp_name).unlink(missing_ok=True)
        raise ReconcilerError(f"cannot write outputs file {path}: {error.strerror}") from None


def read_file(path: Path) -> list[Output]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReconcilerError(f"cannot read outputs file {path}: {type(error).__name__}") from None
    found = []
    for address, entry in (document.get("outputs") or {}).items():
        kind = entry.get("kind")
        if kind not in SECRET_FIELD:
            continue
        found.append(
            Output(
                address, kind, entry.get("team"), entry.get("name", ""), entry[SECRET_FIELD[kind]]
            )
        )
    return found


def merge(base: Iterable[Output], updates: Mapping[str, Output | None]) -> list[Output]:
    """`base` with outputs replaced (or removed, for None) by address."""
    merged = {o.address: o for o in base}
    for address, output in updates.items():
        if output is None:
            merged.pop(address, None)
        else:
            merged[address] = output
    return sorted(merged.values(), key=lambda o: o.address)


def render_text(outputs: Iterable[Output], *, reveal: bool) -> str:
    lines = []
    for output in outputs:
        value = output.reveal() if reveal else output.masked()
        lines.append(f"{output.address}\n  {output.field} = {value}")
    return "\n".join(lines)


def collect(
    observation: Any, site_url: str, kinds: Iterable[Any], exclude: Iterable[str] = ()
) -> list[Output]:
    """The outputs of every observed object, from each kind's optional
    `outputs(observation, site_url)` (kinds without one have none), except the
    addresses in `exclude` (what the plan calls unmanaged)."""
    skip = set(exclude)
    found: list[Output] = []
    for kind in kinds:
        provide = getattr(kind, "outputs", None)
        if provide is not None:
            found.extend(o for o in provide(observation, site_url) if o.address not in skip)
    return sorted(found, key=lambda o: o.address)


def from_results(results: Mapping[str, Any]) -> dict[str, Output | None]:
    """The outputs an apply produced (ApplyContext.results): new/changed, or None when removed."""
    return {
        address: value
        for address, value in results.items()
        if value is None or isinstance(value, Output)
    }
