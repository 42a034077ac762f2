"""The sandbox state file (`mmrc sandbox --state FILE`) and resets.

`dump_state`/`load_state` round-trip the whole server (core, integrations,
stored config) as JSON. `StateFile` loads at start when the file exists and
saves after every successful write, debounced, plus once more at exit, so a
restart loses nothing. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

STATE_FORMAT = "mmrc-sandbox-state"
STATE_VERSION = 1


class StateError(ValueError):
    pass


def dump_state(sb: Sandbox) -> dict[str, Any]:
    with sb.lock:
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "core": sb.core.to_dict(),
            "integrations": sb.integrations.to_dict(),
            "config": sb.config.dump(),
        }


def load_state(sb: Sandbox, data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise StateError("not an mmrc sandbox state (missing format marker)")
    if data.get("version") != STATE_VERSION:
        raise StateError(f"unsupported sandbox state version {data.get('version')!r}")
    with sb.lock:
        sb.config.load(data.get("config") or {})
        sb.core.load_dict(data.get("core") or {})
        sb.integrations.load_dict(data.get("integrations") or {})


def reset_sandbox(sb: Sandbox, seed: str) -> None:
    """Back to a fresh server with `seed` (same admin token; faults and log kept)."""
    from reconciler.sandbox.config_store import ConfigStore
    from reconciler.sandbox.integrations_store import IntegrationStore
    from reconciler.sandbox.seed import SEEDS
    from reconciler.sandbox.store import CoreStore

    if seed not in SEEDS:
        raise StateError(f"unknown seed {seed!r} (known: {', '.join(sorted(SEEDS))})")
    with sb.lock:
        sb.options.admin_token = sb.core.admin_token or sb.options.admin_token
        sb.options.seed = seed
        sb.core = CoreStore(sb)
        sb.integrations = IntegrationStore(sb)
        sb.config = ConfigStore(sb)
        sb.core.bootstrap()


def save_file(sb: Sandbox, path: Path) -> None:
    data = json.dumps(dump_state(sb), separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)  # holds tokens
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_file(sb: Sandbox, path: Path) -> bool:
    """Load `path` into the sandbox; False when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    try:
        data = json.loads(text)
    except ValueError as error:
        raise StateError(f"{path}: not JSON ({error})") from None
    load_state(sb, data)
    return True


class StateFile:
    """Keeps `path` in step with the sandbox: load now, save `debounce` seconds after
    the last successful write, and on `close()`."""

    def __init__(self, sb: Sandbox, path: Path, debounce: float = 0.5) -> None:
        self.sb = sb
        self.path = path
        self.debounce = debounce
        self.loaded = load_file(sb, path)
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._dirty = False
        sb.write_listeners.append(self.mark_dirty)

    def mark_dirty(self) -> None:
        with self._lock:
            self._dirty = True
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            self._dirty = False
        save_file(self.sb, self.path)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._dirty = True
        self.flush()
        if self.mark_dirty in self.sb.write_listeners:
            self.sb.write_listeners.remove(self.mark_dirty)
