"""Loads a workspace: the root file, its vars, its includes, then the models.

Order: parse the root file → take its `vars:` (overridden by --var-file, then
--var) → convert every file with templating, recording positions → merge the
included `teams:`/`bots:` → build `Workspace` → semantic checks. Every problem
from every stage is collected; `ConfigError` carries them all. Structural
(pydantic) errors stop before the semantic checks, which need a model.
"""

from __future__ import annotations

import copy
import difflib
import gc
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import ConfigError, Diagnostic, ReconcilerError
from reconciler.workspace import yamlfile
from reconciler.workspace.models import Workspace
from reconciler.workspace.secrets import resolve_secret
from reconciler.workspace.sourcemap import FieldPath, Position, SourceMap, format_path
from reconciler.workspace.structure import diagnostics_from
from reconciler.workspace.templating import Templater
from reconciler.workspace.validate import check_workspace

INCLUDED_KEYS = ("version", "include", "teams", "bots")
MERGED_KEYS = ("teams", "bots")

#: What a workspace may make the loader read: each file at most this large, and at most
#: this many files in all (the root and everything it includes).
MAX_FILE_BYTES = 32 * 2**20
MAX_FILES = 500
MAX_INCLUDE_DEPTH = 32  # files included from included files, and so on


@dataclass(frozen=True)
class LoadedWorkspace:
    """A valid workspace with where each field came from."""

    workspace: Workspace
    source_map: SourceMap
    files: tuple[str, ...]
    root_dir: Path
    variables: Mapping[str, Any] = field(default_factory=dict)

    def resolve_secret(self, ref: str) -> str:
        """Reads a `${env:…}`/`${file:…}` secret; file paths are relative to the root file."""
        return resolve_secret(ref, self.root_dir)


def _display(path: Path) -> str:
    return os.path.normpath(str(path))


def _read(
    path: Path, display: str, at: Position | None, field: str = "(file)"
) -> tuple[str | None, list[Diagnostic]]:
    """The text of a regular file of at most MAX_FILE_BYTES (never a FIFO or a device)."""
    try:
        text = _read_regular(path)
    except (OSError, UnicodeDecodeError, _Refused) as error:
        if isinstance(error, OSError):
            reason = error.strerror or "cannot be read"
        else:
            reason = str(error) if isinstance(error, _Refused) else "not UTF-8 text"
        where = at or Position(display, 1, 1)
        message = f"cannot read {display}: {reason}"
        return None, [Diagnostic(where.file, where.line, where.column, field, message)]
    return text, []


class _Refused(Exception):
    """A file the loader will not read; the message says why."""


def _read_regular(path: Path) -> str:
    # Opened without blocking (a FIFO would wait for a writer), then checked on the open
    # descriptor itself, so the file checked is the file read.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("not a regular file")
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _Refused(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data.decode("utf-8")


def load_var_file(path: Path, positions: dict[str, Position] | None = None) -> dict[str, Any]:
    """A YAML mapping of variables (for --var-file); raises ConfigError when wrong.
    `positions`, when given, receives where each name is set (for "not declared" errors)."""
    display = _display(path)
    text, problems = _read(path, display, None)
    if text is None:
        raise ConfigError(problems)
    document, problems = yamlfile.parse(text, display)
    data = document.data if document is not None else {}
    if positions is not None and document is not None and isinstance(data, dict):
        where = SourceMap(display)
        where.add_spots(document.spots)
        positions.update({key: where.locate((key,)) for key in data})
    if not problems and not isinstance(data, dict):
        problems = [Diagnostic(display, 1, 1, "(vars)", "a var file must be a mapping of names")]
    if problems:
        raise ConfigError(problems)
    return dict(data)


class _Loader:
    def __init__(
        self,
        root: Path,
        overrides: Mapping[str, Any],
        override_origins: Mapping[str, Position] | None = None,
    ) -> None:
        self.root = root
        self.root_display = _display(root)
        self.overrides = dict(overrides)
        self.override_origins = dict(override_origins or {})
        self.source_map = SourceMap(self.root_display)
        self.diagnostics: list[Diagnostic] = []
        self.files: list[str] = []
        self.variables: dict[str, Any] = {}
        # Includes stay inside the root file's directory, symlinks resolved.
        self.base = root.resolve().parent
        self.read: set[Path] = set()

    def load(self) -> LoadedWorkspace:
        if not self.root.resolve().is_relative_to(self.root.absolute().parent.resolve()):
            raise ReconcilerError(
                f"{self.root_display} is a symlink out of its own directory; "
                "a workspace file may only link within it"
            )
        text, problems = _read(self.root, self.root_display, None)
        if text is None:
            raise ReconcilerError(problems[0].message)
        data = self._root_data(text)
        workspace: Workspace | None = None
        if data is not None:
            try:
                workspace = Workspace.model_validate(data)
            except ValidationError as error:
                self.diagnostics.extend(diagnostics_from(error, self.source_map))
        if workspace is not None and not self.diagnostics:
            self.diagnostics.extend(check_workspace(workspace, self.source_map))
        if self.diagnostics or workspace is None:
            raise ConfigError(self._sorted())
        return LoadedWorkspace(
            workspace=workspace,
            source_map=self.source_map,
            files=tuple(self.files),
            root_dir=self.root.parent,
            variables=self.variables,
        )

    def _sorted(self) -> list[Diagnostic]:
        order = {name: index for index, name in enumerate(self.files)}
        return sorted(
            self.diagnostics, key=lambda d: (order.get(d.file, len(order)), d.line, d.column)
        )

    def _root_data(self, text: str) -> dict[str, Any] | None:
        display = self.root_display
        self.files.append(display)
        document, problems = yamlfile.parse(text, display)
        self.diagnostics.extend(problems)
        if document is None:
            if not problems:
                self._add(
                    display, "(file)", "the workspace file is empty; start it with version: 1"
                )
            return None
        data = document.data
        if not isinstance(data, dict):
            message = "the workspace file must be a mapping (version: 1, …)"
            self._add(display, "(file)", message, document.first_line)
            return None
        file_vars = copy.deepcopy(data.get("vars"))
        self.variables = dict(file_vars) if isinstance(file_vars, dict) else {}
        declared = set(self.variables)
        self.variables.update(self.overrides)
        templater = Templater(self.variables)
        self.source_map.add_spots(document.spots)
        self.diagnostics.extend(document.render(templater, lambda path: path[:1] != ("vars",)))
        vars_at = self.source_map.get(("vars",)) or Position(display, 1, 1)
        self._undeclared_overrides(declared, vars_at)
        self.read.add(self.root.resolve())
        self._includes(data, self.root, (), [self.root.resolve()], templater, data)
        return data

    def _undeclared_overrides(self, declared: set[str], vars_at: Position) -> None:
        """--var/--var-file may only override what `vars:` declares: a typo in a
        staging var file must not quietly leave the production value in place."""
        for key in sorted(set(self.overrides) - declared, key=str):
            close = difflib.get_close_matches(str(key), sorted(declared, key=str), n=1)
            if close:
                hint = f"did you mean {close[0]!r}?"
            else:
                hint = f"declare it under vars: in {self.root_display} first"
            origin = self.override_origins.get(key)
            if origin is not None:
                message = f"sets a variable that {self.root_display}'s vars: does not declare"
                self.diagnostics.append(
                    Diagnostic(
                        origin.file, origin.line, origin.column, f"vars.{key}", message, hint
                    )
                )
            else:
                message = f"--var {key}=… sets a variable that vars: does not declare"
                self.diagnostics.append(
                    Diagnostic(vars_at.file, vars_at.line, vars_at.column, "vars", message, hint)
                )

    def _add(self, file: str, path: str, message: str, line: int = 1, column: int = 1) -> None:
        self.diagnostics.append(Diagnostic(file, line, column, path, message))

    def _includes(
        self,
        data: dict[str, Any],
        path: Path,
        prefix: FieldPath,
        stack: list[Path],
        templater: Templater,
        root_data: dict[str, Any],
        local_map: SourceMap | None = None,
    ) -> None:
        entries = data.get("include")
        if not isinstance(entries, list):
            return  # absent, or a type error that the model reports
        smap = local_map or self.source_map
        for index, entry in enumerate(entries):
            if not isinstance(entry, str):
                continue
            at = smap.locate((*prefix, "include", index))
            field = format_path(("include", index))
            target = path.parent / entry
            resolved = target.resolve()
            display = _display(target)
            if os.path.isabs(entry) or not resolved.is_relative_to(self.base):
                message = (
                    f"include {entry!r} is outside the workspace's directory "
                    "(includes stay beside or below the root file, symlinks resolved)"
                )
                self._add(at.file, field, message, at.line, at.column)
                continue
            if resolved in stack:
                chain = " → ".join([*self._chain(stack), display])
                self._add(at.file, field, f"include cycle: {chain}", at.line, at.column)
                continue
            if display in self.files or resolved in self.read:
                self._add(at.file, field, f"{entry!r} is already included", at.line, at.column)
                continue
            if len(stack) > MAX_INCLUDE_DEPTH:
                message = f"includes nest deeper than {MAX_INCLUDE_DEPTH} files"
                self._add(at.file, field, message, at.line, at.column)
                return
            if len(self.read) >= MAX_FILES:
                message = f"too many files: a workspace includes at most {MAX_FILES - 1}"
                self._add(at.file, field, message, at.line, at.column)
                return
            self.read.add(resolved)
            self._include_file(
                target, display, (at, field), [*stack, resolved], templater, root_data
            )

    def _foreign_keys(self, data: dict[str, Any], display: str, local: SourceMap) -> bool:
        """Reports the top-level keys an included file may not have; whether there were any.

        A key is named only when it is a workspace key or close to an allowed one: a
        file that is no workspace fragment (a key file, /etc/passwd) is never echoed."""
        foreign = [key for key in data if key not in INCLUDED_KEYS]
        for key in foreign:
            close = difflib.get_close_matches(key, INCLUDED_KEYS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: teams, bots, include"
            where = local.locate((key,))
            if close or key in Workspace.model_fields:
                path, message = key, f"key {key!r} is not allowed in an included file"
            else:
                path, message = "(file)", "this key is not allowed in an included file"
            self.diagnostics.append(
                Diagnostic(display, where.line, where.column, path, message, hint)
            )
        return bool(foreign)

    def _chain(self, stack: list[Path]) -> list[str]:
        names = {Path(name).resolve(): name for name in self.files}
        return [names.get(p, _display(p)) for p in stack]

    def _include_file(
        self,
        target: Path,
        display: str,
        origin: tuple[Position, str],
        stack: list[Path],
        templater: Templater,
        root_data: dict[str, Any],
    ) -> None:
        text, problems = _read(target, display, *origin)
        if text is None:
            self.diagnostics.extend(problems)
            return
        self.files.append(display)
        document, problems = yamlfile.parse(text, display)
        self.diagnostics.extend(problems)
        if document is None:
            return
        data = document.data
        if not isinstance(data, dict):
            self._add(display, "(file)", "an included file must be a mapping (teams:, bots:)")
            return
        local = SourceMap(display)
        local.add_spots(document.spots)
        if self._foreign_keys(data, display, local):
            return  # not a workspace fragment: nothing of it is templated, merged or shown
        self.diagnostics.extend(document.render(templater))
        if "version" in data and data["version"] != 1:
            where = local.locate(("version",))
            self._add(display, "version", "must be 1", where.line, where.column)
        offsets: dict[str, int] = {}
        for key in MERGED_KEYS:
            items = data.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                where = local.locate((key,))
                self._add(display, key, "must be a list", where.line, where.column)
                continue
            merged = root_data.setdefault(key, [])
            if not isinstance(merged, list):
                continue  # the root's own type error is reported by the model
            offsets[key] = len(merged)
            merged.extend(items)
        self.source_map.merge(local, offsets)
        self._includes(data, target, (), stack, templater, root_data, local)


def load_workspace(
    path: Path | str,
    vars_override: Mapping[str, Any] | None = None,
    override_origins: Mapping[str, Position] | None = None,
) -> LoadedWorkspace:
    """Loads and validates `path`; raises ConfigError listing every problem found.

    The cyclic garbage collector pauses meanwhile: loading makes hundreds of thousands
    of small objects and no cycles, and each collection would walk them all again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Loader(Path(path), vars_override or {}, override_origins).load()
    finally:
        if collecting:
            gc.enable()
