"""Jinja2 templating of single string values (never of the file as a whole).

Rendering value by value keeps every line number in the YAML true. The
environment is sandboxed and strict: an undefined variable or a syntax error
becomes a `TemplateProblem` that the loader turns into a diagnostic at the
value's position. Strings without `{{`, `{%` or `{#` are returned untouched,
and jinja2 is imported only when a string holds one. Rendering is bounded in
time and size (`jinja_bounds`): a workspace may come from an untrusted fork.
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
            import jinja2

            from reconciler.workspace.jinja_bounds import BoundedEnvironment

            self._env = BoundedEnvironment(
                undefined=jinja2.StrictUndefined,
                autoescape=False,
                keep_trailing_newline=True,
            )
        return self._env

    def render(self, value: str) -> str:
        if not any(marker in value for marker in _MARKERS):
            return value
        import jinja2

        from reconciler.workspace.jinja_bounds import CostError, render_bounded

        try:
            return render_bounded(self._environment().from_string(value), self._vars)
        except CostError as error:
            raise TemplateProblem(f"template refused: {error}") from None
        except RecursionError:
            raise TemplateProblem("template refused: it recurses too deeply") from None
        except MemoryError:
            raise TemplateProblem("template refused: it needs too much memory") from None
        except jinja2.UndefinedError as error:
            raise TemplateProblem(f"undefined template variable: {error.message}") from None
        except jinja2.TemplateSyntaxError as error:
            raise TemplateProblem(f"template syntax error: {error.message}") from None
        except jinja2.TemplateError as error:
            raise TemplateProblem(f"template error: {error}") from None
        except (TypeError, ValueError, ArithmeticError) as error:
            raise TemplateProblem(f"template error: {type(error).__name__}: {error}") from None
