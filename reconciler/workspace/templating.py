"""Jinja2 templating of single string values (never of the file as a whole).

Rendering value by value keeps every line number in the YAML true. The
environment is sandboxed and strict: an undefined variable or a syntax error
becomes a `TemplateProblem` that the loader turns into a diagnostic at the
value's position. Strings without `{{`, `{%` or `{#` are returned untouched,
and jinja2 is imported only when a string holds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

_MARKERS = ("{{", "{%", "{#")


class TemplateProblem(Exception):
    """A value could not be rendered; the message is safe to show."""


class Templater:
    def __init__(self, variables: Mapping[str, Any]) -> None:
        self._env: SandboxedEnvironment | None = None
        self._vars = dict(variables)

    def _environment(self) -> SandboxedEnvironment:
        if self._env is None:
            import jinja2.sandbox

            self._env = jinja2.sandbox.SandboxedEnvironment(
                undefined=jinja2.StrictUndefined,
                autoescape=False,
                keep_trailing_newline=True,
            )
        return self._env

    def render(self, value: str) -> str:
        if not any(marker in value for marker in _MARKERS):
            return value
        import jinja2

        try:
            return self._environment().from_string(value).render(self._vars)
        except jinja2.UndefinedError as error:
            raise TemplateProblem(f"undefined template variable: {error.message}") from None
        except jinja2.TemplateSyntaxError as error:
            raise TemplateProblem(f"template syntax error: {error.message}") from None
        except jinja2.TemplateError as error:
            raise TemplateProblem(f"template error: {error}") from None
        except (TypeError, ValueError, ArithmeticError) as error:
            raise TemplateProblem(f"template error: {type(error).__name__}: {error}") from None
