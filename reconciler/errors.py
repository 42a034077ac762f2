"""The exception tree of mmrc; every known failure maps to an exit code.

    ReconcilerError (exit 1)
    ├── ConfigError         the workspace file is wrong: carries every Diagnostic found
    ├── PlanError           the plan cannot be made (unknown user, ambiguous hook, 403/501 foreseen)
    ├── UnsafePlanError     a guard tripped (--allow-destructive overrides)
    ├── StalePlanError      the server changed since a saved plan was made
    ├── ApplyError          apply stopped; carries the partial result
    │   └── ApplyInterrupted    stopped by Ctrl-C (exit 130)
    └── ApiError            raised only by reconciler.client; never holds a token or secret
        ├── NotMattermostError  the URL answers, but not as Mattermost
        ├── ClientError (4xx)   NotFound, Forbidden, Unauthorized, Conflict
        └── ServerError (5xx, connection failures after retries)

The CLI turns these into a short message and exit code 1; anything else is a
bug: exit 3 with a hint to report it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a workspace file, with its source position (1-based)."""

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class ReconcilerError(Exception):
    exit_code = 1


class ConfigError(ReconcilerError):
    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class PlanError(ReconcilerError):
    """The plan cannot be made; `problems` lists each reason (may carry diagnostics)."""

    def __init__(self, problems: Sequence[str | Diagnostic]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnsafePlanError(ReconcilerError):
    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(
            "plan refused by safety guards:\n"
            + "\n".join(f"  - {r}" for r in self.reasons)
            + "\nre-run with --allow-destructive if this is intended"
        )


class StalePlanError(ReconcilerError):
    def __init__(self, moved: Sequence[str]) -> None:
        self.moved = tuple(moved)
        super().__init__(
            "the server changed since this plan was made; run plan again. Changed:\n"
            + "\n".join(f"  - {m}" for m in self.moved)
        )


class ApplyError(ReconcilerError):
    pass


class ApplyInterrupted(ApplyError):
    exit_code = 130


class ApiError(ReconcilerError):
    """An HTTP call failed. Messages carry method, path, status, error id and request id only."""

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        error_id: str | None = None,
        request_id: str | None = None,
        server_message: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.error_id = error_id
        self.request_id = request_id
        self.server_message = server_message
        super().__init__(message)


class NotMattermostError(ApiError):
    pass


class ClientError(ApiError):
    pass


class UnauthorizedError(ClientError):
    pass


class ForbiddenError(ClientError):
    pass


class NotFoundError(ClientError):
    pass


class ConflictError(ClientError):
    pass


class ServerError(ApiError):
    pass
