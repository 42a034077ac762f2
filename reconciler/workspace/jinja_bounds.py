"""A Jinja2 sandbox bounded in cost as well as in reach.

Jinja's `SandboxedEnvironment` keeps templates away from Python's internals but
not from work: `10**(10**8)`, `'x' * 10**9`, loops within loops, a macro that
calls itself. Here each template value is bounded:

- `**` refuses results past MAX_INT_BITS bits; `*` refuses strings and lists past
  MAX_OUTPUT; every call and filter refuses an integer argument past MAX_OUTPUT
  (`'x'.center(10**9)`, `|indent(10**9)`), and `%`, `.format` and `|format` a
  width or precision past it (`'%0999999999d' % 1`);
- `range()` is at most MAX_RANGE long;
- rendering stops after MAX_STEPS traced Python events (lines and calls of the
  compiled template and what it calls), and once the output passes MAX_OUTPUT;
- a macro recursing without end is Python's RecursionError.

Each refusal is a `CostError` whose message is safe to show.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT = 100_000  # characters (and items of a list built by `*`)
MAX_INT_BITS = 100_000
MAX_RANGE = 10_000
MAX_STEPS = 200_000


class CostError(Exception):
    """A template would cost too much; the message is safe to show."""


def _check_ints(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT:
            raise CostError(f"a number argument above {MAX_OUTPUT} is refused in templates")


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\d*)(?:\.(\d*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*?:([^{}]*)\}")


def _check_format(text: Any) -> None:
    """Refuses a %- or {}-format whose width or precision would build a huge string."""
    if not isinstance(text, str):
        return
    numbers = [n for match in _PERCENT_SPEC.finditer(text) for n in match.groups() if n]
    for match in _BRACE_SPEC.finditer(text):
        numbers += re.findall(r"\d+", match.group(1))
    if any(len(n) > 6 or int(n) > MAX_OUTPUT for n in numbers):
        raise CostError(f"a format width above {MAX_OUTPUT} is refused in templates")


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps jinja's pass_context/pass_environment marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_ints(args[1:], kwargs)  # the first argument is the value being filtered
        if name == "format":
            _check_format(next((a for a in args if isinstance(a, str)), None))
        return function(*args, **kwargs)

    return bounded


def _range(*args: int) -> range:
    made = range(*args)
    if len(made) > MAX_RANGE:
        raise CostError(f"range() of more than {MAX_RANGE} items is refused in templates")
    return made


def _power_bits(base: Any, exponent: Any) -> int:
    """About how many bits `base ** exponent` has (0 when it cannot grow)."""
    if not isinstance(base, int) or not isinstance(exponent, int) or exponent <= 0:
        return 0
    return 0 if abs(base) <= 1 else abs(base).bit_length() * exponent


def _product_size(sized: Any, times: Any) -> int:
    if isinstance(sized, str | list | tuple) and isinstance(times, int):
        return len(sized) * times
    return 0


class BoundedEnvironment(SandboxedEnvironment):
    intercepted_binops = frozenset(["**", "*", "%"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals["range"] = _range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _power_bits(left, right) > MAX_INT_BITS:
            raise CostError(f"a power past {MAX_INT_BITS} bits is refused in templates")
        if operator == "*" and max(_product_size(left, right), _product_size(right, left)) > (
            MAX_OUTPUT
        ):
            raise CostError(f"a product longer than {MAX_OUTPUT} is refused in templates")
        if operator == "%":
            _check_format(left)
            _check_ints(right if isinstance(right, tuple) else (right,), {})
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format(value.__self__)  # the format string of `'…'.format`

        @functools.wraps(wrapped)
        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_ints(args, kwargs)
            return str(wrapped(*args, **kwargs))

        return bounded

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_ints(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def render_bounded(template: jinja2.Template, variables: Mapping[str, Any]) -> str:
    """Renders `template`, stopping it past MAX_STEPS traced events or MAX_OUTPUT characters."""
    steps = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS:
            raise CostError(f"the template takes more than {MAX_STEPS} steps")
        return trace

    previous = sys.gettrace()
    chunks: list[str] = []
    size = 0
    sys.settrace(trace)
    try:
        for chunk in template.generate(variables):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise CostError(f"the template's output is longer than {MAX_OUTPUT} characters")
            chunks.append(chunk)
    finally:
        sys.settrace(previous)
    return "".join(chunks)
