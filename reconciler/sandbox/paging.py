"""Mattermost's paging parameters (web/params.go `getPerPageFromQuery`): `page` defaults
to 0, `per_page` to 60 and is silently clamped to 200; invalid or negative values fall
back to the defaults; `per_page=0` gives an empty page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from reconciler.sandbox.app import Request

PER_PAGE_DEFAULT = 60
PER_PAGE_MAXIMUM = 200

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    page: int
    per_page: int

    @classmethod
    def from_request(cls, req: Request) -> Page:
        return cls(_page(req.arg("page")), _per_page(req.arg("per_page")))

    def slice(self, items: Sequence[T]) -> list[T]:
        start = self.page * self.per_page
        return list(items[start : start + self.per_page])


def _page(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        return 0
    return value if value >= 0 else 0


def _per_page(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        return PER_PAGE_DEFAULT
    if value < 0:
        return PER_PAGE_DEFAULT
    return min(value, PER_PAGE_MAXIMUM)
