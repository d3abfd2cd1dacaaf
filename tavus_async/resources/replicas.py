"""The ``replicas`` resource: ``/v2/replicas``."""

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
from ..models._params import ReplicaCreateParams
from ..models.replicas import Replica, ReplicaCreate
from ._base import AsyncAPIResource, call_options, require_id

__all__ = ["Replicas"]


class Replicas(AsyncAPIResource):
    """Replicas: trained digital likenesses (training takes hours; watch ``status``)."""

    async def create(
        self,
        params: ReplicaCreate | ReplicaCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[ReplicaCreateParams],
    ) -> Replica:
        """Start training a replica (``POST /v2/replicas``).

        Args:
            params: A :class:`~tavus_async.models.ReplicaCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.ReplicaCreate`.

        Returns:
            The replica, usually with ``status="started"``.

        Raises:
            ValueError: Neither or both of ``train_video_url``/``train_image_url``, an image
                without ``voice_name``, an unknown field or a wrong type (before any request).
            BadRequestError: Tavus rejected the request (e.g. an unreachable training video).
        """
        body = build_request(ReplicaCreate, params, fields, extra_body=extra_body)
        video, image = body.get("train_video_url"), body.get("train_image_url")
        if bool(video) == bool(image):
            raise InvalidInputError(
                "give exactly one of train_video_url (train from a video) or train_image_url "
                "(train from an image, with voice_name)"
            )
        if image and not body.get("voice_name"):
            raise InvalidInputError(
                "train_image_url needs voice_name: pick one from `await tavus.voices.list()`"
            )
        return await self._request(
            "POST",
            self._path,
            cast_to=Replica,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(
        self, replica_id: str, *, verbose: bool | None = None, **options: Unpack[RequestOptions]
    ) -> Replica:
        """Fetch one replica (``GET /v2/replicas/{id}``), with training status and progress.

        Args:
            replica_id: The replica's id.
            verbose: Include ``replica_type``.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such replica (Tavus answers 400 "Invalid replica_id").
        """
        rid = require_id("replica_id", replica_id)
        return await self._request(
            "GET",
            f"{self._path}/{rid}",
            cast_to=Replica,
            params={"verbose": verbose},
            options=options,
        )

    async def delete(
        self, replica_id: str, *, hard: bool | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a replica (``DELETE /v2/replicas/{id}``).

        Args:
            replica_id: The replica's id.
            hard: Also delete the training footage, irrevocably.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such replica.
        """
        rid = require_id("replica_id", replica_id)
        await self._request_none(
            "DELETE", f"{self._path}/{rid}", params={"hard": hard}, options=options
        )

    async def rename(
        self, replica_id: str, replica_name: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Rename a replica (``PATCH /v2/replicas/{id}/name``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id or name.
            NotFoundError: No such replica.
        """
        rid = require_id("replica_id", replica_id)
        if not isinstance(replica_name, str) or not replica_name.strip():
            raise InvalidInputError(
                f"replica_name must be a non-empty string, got {replica_name!r}"
            )
        await self._request_none(
            "PATCH",
            f"{self._path}/{rid}/name",
            json={"replica_name": replica_name},
            options=options,
        )

    def list(
        self,
        *,
        replica_type: str | None = None,
        verbose: bool | None = None,
        replica_ids: Sequence[str] | None = None,
        model_name: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Replica]:
        """List replicas (``GET /v2/replicas``; pages count from 1).

        Args:
            replica_type: ``user`` or ``system`` (stock replicas).
            verbose: Include ``replica_type`` on each item.
            replica_ids: Only these replicas (sent comma-separated).
            model_name: Only replicas of this Phoenix model.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        ids: builtins.list[str] | None = None
        if replica_ids is not None:
            if isinstance(replica_ids, str):
                raise InvalidTypeError("replica_ids must be a list of ids, not one string")
            ids = [require_id("replica_ids item", r) for r in replica_ids]
        return self._paginate(
            self._path,
            item_type=Replica,
            params={
                "replica_type": replica_type,
                "verbose": verbose,
                "replica_ids": ids,
                "model_name": model_name,
            },
            page=page,
            limit=limit,
            options=options,
        )

    async def wait_until_ready(
        self,
        replica_id: str,
        *,
        timeout: float | None = 3600.0,
        interval: float = 2.0,
        max_interval: float = 30.0,
        on_progress: ProgressCallback | None = None,
        request_options: RequestOptions | None = None,
    ) -> Replica:
        """Poll until replica training finished, reporting progress on the way.

        Args:
            replica_id: The id.
            timeout: Give up after this many seconds (None: wait for ever).
            interval: First delay between polls; later ones grow up to ``max_interval``.
            max_interval: Longest delay between polls.
            on_progress: Called (sync or async) with a :class:`~tavus_async.Progress` after
                each poll (``percent`` from Tavus's ``training_progress``).
            request_options: Per-call options of each poll's request (its own ``timeout``,
                ``extra_headers``...).

        Returns:
            The replica once ready.

        Raises:
            JobFailedError: Training failed; ``error_message`` is Tavus's own text.
            WaitTimeoutError: ``timeout`` passed first (``.last`` holds the last state seen).
            NotFoundError: No such replica.

        Example::

            def show(p):
                print(p.status, p.percent)

            done = await tavus.replicas.wait_until_ready(some_id, on_progress=show)
        """
        rid = require_id("replica_id", replica_id)
        return await poll_until(
            lambda: self.get(rid, **(request_options or {})),
            what="replica training",
            resource_id=rid,
            done=Replica.DONE_STATUSES,
            failed=Replica.FAILED_STATUSES,
            progress_field="training_progress",
            error_fields=("error_message",),
            code_field=None,
            on_progress=on_progress,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )
