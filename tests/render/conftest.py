"""Fixtures for the renderer tests, and the golden-file checker.

Regenerate the golden files with `UPDATE_GOLDEN=1 pytest tests/render`, then
read the diff before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import render_samples

from reconciler.plan import Plan

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_text(actual, encoding="utf-8", newline="")
            return
        assert path.exists(), f"{path} is missing; run UPDATE_GOLDEN=1 pytest tests/render"
        with path.open(encoding="utf-8", newline="") as handle:
            expected = handle.read()
        assert actual == expected, f"{name} differs; run UPDATE_GOLDEN=1 pytest tests/render"

    return check


@pytest.fixture
def empty_plan() -> Plan:
    return render_samples.empty_plan()


@pytest.fixture
def full_plan() -> Plan:
    return render_samples.full_plan()


@pytest.fixture
def drift_plan() -> Plan:
    return render_samples.drift_plan()


@pytest.fixture
def huge_plan() -> Plan:
    return render_samples.make_huge_plan()
