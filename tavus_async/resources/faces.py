"""The ``faces`` resource: ``/v2/faces`` (Tavus's 2026 name for replicas)."""

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
from ..models._params import FaceCreateParams
from ..models.faces import Face, FaceCreate, FaceUpdate, FaceVoices
from ._base import AsyncAPIResource, call_options, require_id

__all__ = ["Faces"]


class Faces(AsyncAPIResource):
    """Faces: trained video likenesses (the records ``tavus.replicas`` also serves, under the
    2026 vocabulary: ``face_id``, ``face_name``, ``face_type``).

    Example::

        face = await tavus.faces.create(train_video_url="https://example.com/me.mp4")
        face = await tavus.faces.wait_until_ready(face.face_id)
    """

    async def create(
        self,
        params: FaceCreate | FaceCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[FaceCreateParams],
    ) -> Face:
        """Start training a face (``POST /v2/faces``).

        Args:
            params: A :class:`~tavus_async.models.FaceCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.FaceCreate`.

        Returns:
            The face, usually with ``status="started"``.

        Raises:
            ValueError: Neither or both of ``train_video_url``/``train_image_url``, an image
                without ``voice_name``, an unknown field or a wrong type (before any request).
            BadRequestError: Tavus rejected the request.
        """
        body = build_request(FaceCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=Face,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(
        self, face_id: str, *, verbose: bool | None = None, **options: Unpack[RequestOptions]
    ) -> Face:
        """Fetch one face (``GET /v2/faces/{id}``), with training status and progress.

        Args:
            face_id: The face's id.
            verbose: Include ``face_type``.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such face (Tavus answers 400 "Invalid face_id").
        """
        fid = require_id("face_id", face_id)
        return await self._request(
            "GET", f"{self._path}/{fid}", cast_to=Face, params={"verbose": verbose}, options=options
        )

    def list(
        self,
        *,
        face_type: str | None = None,
        face_ids: Sequence[str] | None = None,
        model_name: str | None = None,
        verbose: bool | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Face]:
        """List faces (``GET /v2/faces``; pages count from 1).

        Args:
            face_type: ``user`` or ``system`` (stock faces).
            face_ids: Only these faces (sent comma-separated).
            model_name: Only faces of this Phoenix model.
            verbose: Include ``face_type`` on each item.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        ids: builtins.list[str] | None = None
        if face_ids is not None:
            if isinstance(face_ids, str):
                raise InvalidTypeError("face_ids must be a list of ids, not one string")
            ids = [require_id("face_ids item", f) for f in face_ids]
        return self._paginate(
            self._path,
            item_type=Face,
            params={
                "face_type": face_type,
                "face_ids": ids,
                "model_name": model_name,
                "verbose": verbose,
            },
            page=page,
            limit=limit,
            options=options,
        )

    async def update(
        self,
        face_id: str,
        *,
        face_name: str | None = None,
        default_voice_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> FaceVoices:
        """Change a face's name and/or voice (``PATCH /v2/faces/{id}``, a JSON Merge Patch).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id, nothing to change, or a blank value (before any request).
            NotFoundError: No such face.
        """
        fid = require_id("face_id", face_id)
        body = build_request(
            FaceUpdate, None, {"face_name": face_name, "default_voice_id": default_voice_id}
        )
        return await self._request(
            "PATCH", f"{self._path}/{fid}", cast_to=FaceVoices, json=body, options=options
        )

    async def rename(self, face_id: str, face_name: str, **options: Unpack[RequestOptions]) -> None:
        """Rename a face (``PATCH /v2/faces/{id}/name``, the older route).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id or name.
            NotFoundError: No such face.
        """
        fid = require_id("face_id", face_id)
        if not isinstance(face_name, str) or not face_name.strip():
            raise InvalidInputError(f"face_name must be a non-empty string, got {face_name!r}")
        await self._request_none(
            "PATCH", f"{self._path}/{fid}/name", json={"face_name": face_name}, options=options
        )

    async def delete(
        self, face_id: str, *, hard: bool | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a face (``DELETE /v2/faces/{id}``).

        Args:
            face_id: The face's id.
            hard: Also delete the training footage, irrevocably.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such face.
        """
        fid = require_id("face_id", face_id)
        await self._request_none(
            "DELETE", f"{self._path}/{fid}", params={"hard": hard}, options=options
        )

    async def wait_until_ready(
        self,
        face_id: str,
        *,
        timeout: float | None = 3600.0,
        interval: float = 2.0,
        max_interval: float = 30.0,
        on_progress: ProgressCallback | None = None,
        request_options: RequestOptions | None = None,
    ) -> Face:
        """Poll until the face's training finished, reporting progress on the way.

        Args:
            face_id: The id.
            timeout: Give up after this many seconds (None: wait for ever).
            interval: First delay between polls; later ones grow up to ``max_interval``.
            max_interval: Longest delay between polls.
            on_progress: Called (sync or async) with a :class:`~tavus_async.Progress` after
                each poll.
            request_options: Per-call options of each poll's request (its own ``timeout``,
                ``extra_headers``...).

        Returns:
            The face once ready.

        Raises:
            JobFailedError: Training failed; ``error_message`` is Tavus's own text.
            WaitTimeoutError: ``timeout`` passed first (``.last`` holds the last state seen).
            NotFoundError: No such face.
        """
        fid = require_id("face_id", face_id)
        return await poll_until(
            lambda: self.get(fid, **(request_options or {})),
            what="face training",
            resource_id=fid,
            done=("completed", "ready"),
            failed=("error",),
            progress_field="training_progress",
            error_fields=("error_message",),
            code_field=None,
            on_progress=on_progress,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )
