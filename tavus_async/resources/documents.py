"""The ``documents`` resource: ``/v2/documents`` (the knowledge base)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from .._waiters import ProgressCallback, poll_until
from ..errors import InvalidInputError, InvalidTypeError
from ..models._common import build_request
from ..models._params import DocumentCreateParams
from ..models.documents import (
    CrawlConfig,
    Document,
    DocumentChunks,
    DocumentCreate,
    DocumentRecrawl,
    DocumentUpdate,
)
from ..models.guardrails import TagList
from ._base import AsyncAPIResource, call_options, require_id

__all__ = ["Documents"]


class Documents(AsyncAPIResource):
    """Knowledge-base documents (files or crawled websites) personas can draw on."""

    async def create(
        self,
        params: DocumentCreate | DocumentCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[DocumentCreateParams],
    ) -> Document:
        """Add a document (``POST /v2/documents``); processing then takes minutes.

        Args:
            params: A :class:`~tavus_async.models.DocumentCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.DocumentCreate`
                (``document_url`` is required).

        Returns:
            The document, usually ``started``.

        Raises:
            InvalidInputError: No ``document_url``, an unknown field or a wrong type.
            RateLimitError: A crawl limit was reached (100 crawl documents, 5 at once).
        """
        body = build_request(DocumentCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=Document,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(self, document_id: str, **options: Unpack[RequestOptions]) -> Document:
        """Fetch one document (``GET /v2/documents/{id}``), with status and progress.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such document.
        """
        did = require_id("document_id", document_id)
        return await self._request("GET", f"{self._path}/{did}", cast_to=Document, options=options)

    async def update(
        self,
        document_id: str,
        *,
        document_name: str | None = None,
        tags: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Document:
        """Rename or retag a document (``PATCH /v2/documents/{id}``, a plain JSON object).

        Args:
            document_id: The document's id.
            document_name: A new name.
            tags: The new tags; they **replace** the current list.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body`` (fields this SDK does not
                model, sent as given).

        Returns:
            The updated document.

        Raises:
            InvalidInputError: An empty id, or nothing to update.
            NotFoundError: No such document.
        """
        did = require_id("document_id", document_id)
        fields: dict[str, Any] = {}
        if document_name is not None:
            fields["document_name"] = document_name
        if tags is not None:
            if isinstance(tags, str):
                raise InvalidTypeError("tags must be a list of strings, not one string")
            fields["tags"] = builtins.list(tags)
        body = build_request(DocumentUpdate, None, fields)
        if not body and not options.get("extra_body"):
            raise InvalidInputError("nothing to update: give document_name and/or tags")
        return await self._request(
            "PATCH", f"{self._path}/{did}", cast_to=Document, json=body, options=options
        )

    async def delete(self, document_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a document (``DELETE /v2/documents/{id}``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such document.
        """
        did = require_id("document_id", document_id)
        await self._request_none("DELETE", f"{self._path}/{did}", options=options)

    async def recrawl(
        self,
        document_id: str,
        *,
        crawl: CrawlConfig | Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Document:
        """Crawl a website document again (``POST /v2/documents/{id}/recrawl``, 202).

        Args:
            document_id: The document's id (it must have been created with ``crawl``).
            crawl: Settings for this run only (``depth``, ``max_pages``).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The document, now ``recrawling``.

        Raises:
            InvalidInputError: An empty id or bad crawl settings.
            BadRequestError: The document was not created with crawl settings.
            ConflictError: It is still processing (only ``ready`` or ``error`` may recrawl).
            RateLimitError: The one-hour cooldown or a crawl limit.
        """
        did = require_id("document_id", document_id)
        body = None
        if crawl is not None:
            body = build_request(DocumentRecrawl, None, {"crawl": crawl})
        return await self._request(
            "POST", f"{self._path}/{did}/recrawl", cast_to=Document, json=body, options=options
        )

    def list(
        self,
        *,
        sort: str | None = None,
        status: str | None = None,
        name_or_uuid: str | None = None,
        tags: Sequence[str] | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Document]:
        """List documents (``GET /v2/documents``; pages count from **0**).

        Args:
            sort: ``ascending`` (default) or ``descending`` by creation time (Tavus's CLI sends
                ``asc``/``desc``, accepted too).
            status: Only documents in this status.
            name_or_uuid: Match on name or id.
            tags: Only documents with these tags (sent comma-separated).
            page: The first page to fetch (default 0).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        if isinstance(tags, str):
            raise InvalidTypeError("tags must be a list of strings, not one string")
        return self._paginate(
            self._path,
            item_type=Document,
            params={
                "sort": sort,
                "status": status,
                "name_or_uuid": name_or_uuid,
                "tags": builtins.list(tags) if tags is not None else None,
            },
            page=page,
            limit=limit,
            options=options,
        )

    async def tags(
        self,
        *,
        search: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> TagList:
        """The tags used on the account's documents (``GET /v2/documents/tags``), for a PAL's
        ``document_tags``.

        Args:
            search: Only tags containing this text.
            page: The page (from 0, like the document list).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        params = {"search": search, "page": page, "limit": limit}
        return await self._request(
            "GET", f"{self._path}/tags", cast_to=TagList, params=params, options=options
        )

    async def chunks(
        self,
        document_id: str,
        *,
        collection: str | None = None,
        limit: int | None = None,
        offset: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> DocumentChunks:
        """The extracted pieces of a document, as indexed for retrieval
        (``GET /v2/documents/{id}/chunks``; used by Tavus's CLI, not in its OpenAPI document).

        Args:
            document_id: The document's id.
            collection: ``regular`` (Tavus's default) or ``customer_support``.
            limit: At most this many chunks.
            offset: ``next_offset`` of the previous answer, for the next page.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id or a ``limit`` below 1.
            NotFoundError: No such document.
        """
        did = require_id("document_id", document_id)
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise InvalidInputError(f"limit must be a positive integer, got {limit!r}")
        params = {"collection": collection, "limit": limit, "offset": offset}
        return await self._request(
            "GET",
            f"{self._path}/{did}/chunks",
            cast_to=DocumentChunks,
            params=params,
            options=options,
        )

    async def wait_until_ready(
        self,
        document_id: str,
        *,
        timeout: float | None = 3600.0,
        interval: float = 2.0,
        max_interval: float = 30.0,
        on_progress: ProgressCallback | None = None,
        request_options: RequestOptions | None = None,
    ) -> Document:
        """Poll until document processing finished, reporting progress on the way.

        Args:
            document_id: The id.
            timeout: Give up after this many seconds (None: wait for ever).
            interval: First delay between polls; later ones grow up to ``max_interval``.
            max_interval: Longest delay between polls.
            on_progress: Called (sync or async) with a :class:`~tavus_async.Progress` after
                each poll (``percent`` from Tavus's ``progress``).
            request_options: Per-call options of each poll's request (its own ``timeout``,
                ``extra_headers``...).

        Returns:
            The document once ready.

        Raises:
            JobFailedError: Processing failed; ``error_code`` is Tavus's code
                (``file_download_failed``...).
            WaitTimeoutError: ``timeout`` passed first (``.last`` holds the last state seen).
            NotFoundError: No such document.

        Example::

            def show(p):
                print(p.status, p.percent)

            done = await tavus.documents.wait_until_ready(some_id, on_progress=show)
        """
        rid = require_id("document_id", document_id)
        return await poll_until(
            lambda: self.get(rid, **(request_options or {})),
            what="document processing",
            resource_id=rid,
            done=Document.DONE_STATUSES,
            failed=Document.FAILED_STATUSES,
            progress_field="progress",
            error_fields=("error_message",),
            code_field="error_message",
            on_progress=on_progress,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )
