"""`get_paged`: page=0.. until a short page, per_page sent, `key` unwrapping."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from client_helpers import MakeClient, json_response

from reconciler.errors import ApiError


class Pages:
    """Serves `total` numbered items in pages, the way Mattermost does (clamp at 200)."""

    def __init__(self, total: int, key: str | None = None) -> None:
        self.items = [{"n": i} for i in range(total)]
        self.key = key
        self.queries: list[dict[str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        self.queries.append(query)
        page = int(query.get("page", "0"))
        per_page = min(int(query.get("per_page", "60")), 200)
        chunk = self.items[page * per_page : (page + 1) * per_page]
        if self.key:
            return json_response({self.key: chunk, "total_count": len(self.items)})
        return json_response(chunk)


@pytest.mark.parametrize(("total", "requests"), [(0, 1), (1, 1), (199, 1), (200, 2), (450, 3)])
def test_pages_until_a_short_page(make_client: MakeClient, total: int, requests: int) -> None:
    pages = Pages(total)
    client = make_client(pages.handler)
    assert client.get_paged("/api/v4/teams") == pages.items
    assert len(pages.queries) == requests
    assert [q["page"] for q in pages.queries] == [str(i) for i in range(requests)]
    assert {q["per_page"] for q in pages.queries} == {"200"}


def test_small_pages_concatenate_in_order(make_client: MakeClient) -> None:
    pages = Pages(7)
    client = make_client(pages.handler)
    assert client.get_paged("/api/v4/users", {"in_team": "t1"}, per_page=3) == pages.items
    assert pages.queries == [
        {"in_team": "t1", "page": "0", "per_page": "3"},
        {"in_team": "t1", "page": "1", "per_page": "3"},
        {"in_team": "t1", "page": "2", "per_page": "3"},
    ]


def test_key_unwraps_wrapped_lists(make_client: MakeClient) -> None:
    pages = Pages(5, key="channels")
    client = make_client(pages.handler)
    got = client.get_paged(
        "/api/v4/channels", {"include_total_count": "true"}, per_page=2, key="channels"
    )
    assert got == pages.items
    assert len(pages.queries) == 3


def test_key_missing_means_empty(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response({"total_count": 0}))
    assert client.get_paged("/api/v4/channels", key="channels") == []


def test_non_list_answer_is_an_api_error(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response({"status": "OK"}))
    with pytest.raises(ApiError, match="expected a JSON list, got dict"):
        client.get_paged("/api/v4/teams")


def test_server_ignoring_page_is_detected(make_client: MakeClient) -> None:
    full_page: list[Any] = [{"n": i} for i in range(3)]
    client = make_client(lambda request: json_response(full_page))
    with pytest.raises(ApiError, match="ignores paging"):
        client.get_paged("/api/v4/teams", per_page=3)


@pytest.mark.parametrize("per_page", [0, 201])
def test_per_page_is_bounded(make_client: MakeClient, per_page: int) -> None:
    client = make_client(lambda request: json_response([]))
    with pytest.raises(ValueError, match="per_page"):
        client.get_paged("/api/v4/teams", per_page=per_page)
