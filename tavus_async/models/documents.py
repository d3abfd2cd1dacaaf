"""Knowledge-base document models: create, update, recrawl and the document itself."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from ._common import Model, RequestModel, Settles, Timestamped, parse_progress

__all__ = [
    "CrawlConfig",
    "Document",
    "DocumentChunk",
    "DocumentChunks",
    "DocumentCreate",
    "DocumentRecrawl",
    "DocumentUpdate",
]


class CrawlConfig(RequestModel, kw_only=True, omit_defaults=True):
    """How to crawl a website: ``depth`` 1-10 links deep, at most ``max_pages`` 1-100 pages."""

    depth: int | None = None
    max_pages: int | None = None


class DocumentCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/documents``.

    Attributes:
        document_url: A file (pdf, txt, docx, pptx, csv, xlsx, png, jpg...) or website URL.
        document_name: A name (Tavus generates one otherwise).
        callback_url: Where Tavus posts status updates.
        tags: Tags to select documents by in conversations.
        crawl: Crawl the website at ``document_url``.
    """

    document_url: str
    document_name: str | None = None
    callback_url: str | None = None
    tags: list[str] | None = None
    crawl: CrawlConfig | None = None


class DocumentUpdate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``PATCH /v2/documents/{id}`` (a plain object; ``tags`` replaces the list)."""

    document_name: str | None = None
    tags: list[str] | None = None


class DocumentRecrawl(RequestModel, kw_only=True, omit_defaults=True):
    """The optional body of ``POST /v2/documents/{id}/recrawl``."""

    crawl: CrawlConfig | None = None


class Document(Settles, Timestamped, kw_only=True, omit_defaults=True):
    """A document; ``status`` is started, processing, ready, error or recrawling.

    Attributes:
        document_id: Its id (``d...``).
        document_name: Its name.
        document_url: Where it came from.
        status: Processing status (an open string).
        progress: 0-100 (older docs: a string); see :attr:`progress_fraction`.
        error_message: An error code such as ``file_download_failed``, on failure.
        tags: Its tags.
        crawl_config: The crawl settings, for websites.
        crawled_urls: The pages crawled.
        last_crawled_at: When it was last crawled.
        crawl_count: How many times it was crawled.
    """

    #: Statuses that end the work well, and that end it for good otherwise: the one definition
    #: that :attr:`is_ready`, :attr:`is_failed` and ``wait_until_ready`` all use.
    DONE_STATUSES: ClassVar[frozenset[str]] = frozenset({"ready"})
    FAILED_STATUSES: ClassVar[frozenset[str]] = frozenset({"error"})

    document_id: str
    document_name: str | None = None
    document_url: str | None = None
    status: str | None = None
    progress: int | float | str | None = None
    error_message: str | None = None
    callback_url: str | None = None
    tags: list[str] | None = None
    crawl_config: CrawlConfig | None = None
    crawled_urls: list[Any] | None = None
    last_crawled_at: str | None = None
    crawl_count: int | None = None

    @property
    def progress_fraction(self) -> float | None:
        """Processing progress from 0 to 1, when Tavus reports it."""
        return parse_progress(self.progress)


class DocumentChunk(Model, kw_only=True, omit_defaults=True):
    """One extracted piece of a document, as indexed for retrieval.

    Attributes:
        chunk_id: Its id.
        content: The text.
        metadata: What Tavus keeps beside it (page, source URL...).
    """

    chunk_id: str | None = None
    content: str | None = None
    metadata: dict[str, Any] | None = None


class DocumentChunks(Model, kw_only=True, omit_defaults=True):
    """The answer of ``GET /v2/documents/{id}/chunks``.

    Attributes:
        chunks: The chunks of this page.
        next_offset: Pass it as ``offset`` for the next page (None on the last one).
    """

    chunks: list[DocumentChunk] = msgspec.field(default_factory=list)
    next_offset: str | None = None
