"""Secret references: `${env:NAME}` and `${file:path}`, never literal values.

The workspace holds only references; `validate` checks their shape and never
reads them. The engine calls `resolve_secret` at the moment it needs a value.
Errors name the variable or file, never a value.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reconciler.errors import ReconcilerError

SECRET_REF_PATTERN = r"^\$\{(env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)\}$"
_REF_RE = re.compile(r"^\$\{(?P<kind>env|file):(?P<name>[^}]+)\}$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class SecretRef:
    kind: Literal["env", "file"]
    name: str

    def __str__(self) -> str:
        return f"${{{self.kind}:{self.name}}}"


def parse_secret_ref(value: str) -> SecretRef | None:
    """The reference in `value`, or None when it is not a well-formed reference."""
    match = _REF_RE.match(value.strip())
    if not match:
        return None
    name = match.group("name").strip()
    if match.group("kind") == "env":
        return SecretRef("env", name) if _ENV_NAME_RE.match(name) else None
    return SecretRef("file", name) if name else None


def secret_problem(value: str) -> str | None:
    """Why `value` is not acceptable in a secret field (None when it is a reference)."""
    if value == "":
        return None  # an explicitly empty secret clears the setting
    if parse_secret_ref(value) is not None:
        return None
    if value.strip().startswith("${"):
        return "malformed secret reference; write ${env:NAME} or ${file:path}"
    return "secrets must be references, not literal values; write ${env:NAME} or ${file:path}"


def resolve_secret(ref: str | SecretRef, base_dir: Path | None = None) -> str:
    """Reads the secret now. `${file:…}` paths are relative to `base_dir` (default: cwd)."""
    parsed = ref if isinstance(ref, SecretRef) else parse_secret_ref(ref)
    if parsed is None:
        raise ReconcilerError("not a secret reference; expected ${env:NAME} or ${file:path}")
    if parsed.kind == "env":
        value = os.environ.get(parsed.name)
        if not value:
            raise ReconcilerError(f"secret {parsed}: environment variable {parsed.name} is not set")
        return value
    path = Path(parsed.name).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReconcilerError(f"secret {parsed}: cannot read {path}: {error.strerror}") from None
    value = text.removesuffix("\n").removesuffix("\r")
    if not value:
        raise ReconcilerError(f"secret {parsed}: file {path} is empty")
    return value
