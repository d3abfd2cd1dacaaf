"""Pagination: ``await`` a list call for one page, ``async for`` over it for every item.

Tavus lists answer ``{"data": [...], "total_count": N}`` (some add ``page`` and ``limit``). Some
endpoints count pages from 0 (documents, videos, pronunciation dictionaries), the others from 1;
each resource says which. Iteration stops on an empty page, a short page, or once
``total_count`` items were seen, whichever comes first, so a server that ignores ``page`` cannot
make it loop forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["AsyncPage", "AsyncPaginator"]

T = TypeVar("T")

#: The default page size when the caller gives none (Tavus's own default is 10).
DEFAULT_PAGE_SIZE = 100
#: A hard stop: more pages than this means the server is not paging.
MAX_PAGES = 10_000

FetchPage = Callable[[int, int], Awaitable["AsyncPage[T]"]]


@dataclass
class AsyncPage(Generic[T]):
    """One page of a list call.

    Attributes:
        data: The items on this page.
        total_count: The number of items across all pages, when the server said.
        page: The page number that was asked for (in the endpoint's own base).
        limit: The page size that was asked for.
    """

    data: list[T]
    total_count: int | None
    page: int
    limit: int
    _fetch: FetchPage[T] | None = field(default=None, repr=False)
    _first_page: int = field(default=1, repr=False)

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def _seen(self) -> int:
        return (self.page - self._first_page) * self.limit + len(self.data)

    def has_next_page(self) -> bool:
        """Whether another page may hold items."""
        if not self.data or len(self.data) < self.limit:
            return False
        if self.total_count is not None:
            return self._seen() < self.total_count
        return True

    async def get_next_page(self) -> AsyncPage[T]:
        """Fetch the following page.

        Raises:
            StopAsyncIteration: There is no next page (check :meth:`has_next_page` first).
        """
        if self._fetch is None or not self.has_next_page():
            raise StopAsyncIteration("no next page")
        return await self._fetch(self.page + 1, self.limit)


class AsyncPaginator(Generic[T]):
    """The result of a ``list()`` call: awaitable for the first page, iterable for every item.

    Example::

        page = await tavus.personas.list(limit=10)   # one page
        print(page.total_count, [p.persona_id for p in page.data])

        async for persona in tavus.personas.list():  # every persona, page after page
            ...
    """

    def __init__(self, fetch: FetchPage[T], *, page: int, limit: int, first_page: int) -> None:
        self._fetch = fetch
        self._page = page
        self._limit = limit
        self._first_page = first_page

    def __repr__(self) -> str:
        return f"AsyncPaginator(page={self._page}, limit={self._limit})"

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._fetch(self._page, self._limit).__await__()

    async def pages(self) -> AsyncIterator[AsyncPage[T]]:
        """Yield every page from the requested one on."""
        page = await self._fetch(self._page, self._limit)
        for _ in range(MAX_PAGES):
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item
