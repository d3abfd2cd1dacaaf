"""The ``videos`` resource: ``/v2/videos`` (asynchronous video generation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from .._waiters import ProgressCallback, poll_until
from ..errors import InvalidInputError
from ..models._common import build_request
from ..models._params import VideoCreateParams
from ..models.videos import Video, VideoCreate
from ._base import AsyncAPIResource, call_options, require_id

__all__ = ["Videos"]


class Videos(AsyncAPIResource):
    """Generated videos of a replica speaking a script or an audio file."""

    async def create(
        self,
        params: VideoCreate | VideoCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[VideoCreateParams],
    ) -> Video:
        """Start generating a video (``POST /v2/videos``).

        Args:
            params: A :class:`~tavus_async.models.VideoCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.VideoCreate`
                (``replica_id`` and exactly one of ``script`` or ``audio_url``).

        Returns:
            The video, usually ``queued``, with ``hosted_url``.

        Raises:
            ValueError: No ``replica_id``, not exactly one of ``script``/``audio_url``, an unknown
                field or a wrong type (before any request).
            NotFoundError: No such replica.
        """
        body = build_request(VideoCreate, params, fields, extra_body=extra_body)
        if bool(body.get("script")) == bool(body.get("audio_url")):
            raise InvalidInputError(
                "give exactly one of script (text to speak) or audio_url (a .wav/.mp3)"
            )
        return await self._request(
            "POST",
            self._path,
            cast_to=Video,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(
        self, video_id: str, *, verbose: bool | None = None, **options: Unpack[RequestOptions]
    ) -> Video:
        """Fetch one video (``GET /v2/videos/{id}``), with status and progress.

        Args:
            video_id: The video's id.
            verbose: Include thumbnail links.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such video (Tavus answers 400 "Invalid video_id").
        """
        vid = require_id("video_id", video_id)
        return await self._request(
            "GET",
            f"{self._path}/{vid}",
            cast_to=Video,
            params={"verbose": verbose},
            options=options,
        )

    async def delete(
        self, video_id: str, *, hard: bool | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a video (``DELETE /v2/videos/{id}``).

        Args:
            video_id: The video's id.
            hard: Also delete its files and thumbnails, irrevocably.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such video.
        """
        vid = require_id("video_id", video_id)
        await self._request_none(
            "DELETE", f"{self._path}/{vid}", params={"hard": hard}, options=options
        )

    async def rename(
        self, video_id: str, video_name: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Rename a video (``PATCH /v2/videos/{id}/name``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id or name.
            NotFoundError: No such video.
        """
        vid = require_id("video_id", video_id)
        if not isinstance(video_name, str) or not video_name.strip():
            raise InvalidInputError(f"video_name must be a non-empty string, got {video_name!r}")
        await self._request_none(
            "PATCH", f"{self._path}/{vid}/name", json={"video_name": video_name}, options=options
        )

    def list(
        self,
        *,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Video]:
        """List videos (``GET /v2/videos``; pages count from **0**).

        Args:
            page: The first page to fetch (default 0).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        return self._paginate(self._path, item_type=Video, page=page, limit=limit, options=options)

    async def wait_until_ready(
        self,
        video_id: str,
        *,
        timeout: float | None = 3600.0,
        interval: float = 2.0,
        max_interval: float = 30.0,
        on_progress: ProgressCallback | None = None,
        request_options: RequestOptions | None = None,
    ) -> Video:
        """Poll until video generation finished, reporting progress on the way.

        Args:
            video_id: The id.
            timeout: Give up after this many seconds (None: wait for ever).
            interval: First delay between polls; later ones grow up to ``max_interval``.
            max_interval: Longest delay between polls.
            on_progress: Called (sync or async) with a :class:`~tavus_async.Progress` after
                each poll (``percent`` from Tavus's ``generation_progress``).
            request_options: Per-call options of each poll's request (its own ``timeout``,
                ``extra_headers``...).

        Returns:
            The video once ready.

        Raises:
            JobFailedError: Generation failed; carries Tavus's ``status_details`` text.
            WaitTimeoutError: ``timeout`` passed first (``.last`` holds the last state seen).
            NotFoundError: No such video.

        Example::

            def show(p):
                print(p.status, p.percent)

            done = await tavus.videos.wait_until_ready(some_id, on_progress=show)
        """
        rid = require_id("video_id", video_id)
        return await poll_until(
            lambda: self.get(rid, **(request_options or {})),
            what="video generation",
            resource_id=rid,
            done=Video.DONE_STATUSES,
            failed=Video.FAILED_STATUSES,
            progress_field="generation_progress",
            error_fields=("error_details", "status_details"),
            code_field=None,
            on_progress=on_progress,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )
