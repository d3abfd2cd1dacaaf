"""The ``pals`` resource: ``/v2/pals`` (Tavus's 2026 name for personas), and its skills."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec
from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..errors import APIResponseValidationError, InvalidInputError
from ..models._common import build_request
from ..models._params import PalCreateParams
from ..models.pals import Pal, PalCreate, PalPublished, UsernameCheck, unwrap_pal
from ..models.patch import Patch, PatchOp, PatchResult
from ..models.skills import SkillAttachment
from ._base import AsyncAPIResource, call_options, require_id
from ._shared import decode_with

if TYPE_CHECKING:
    from .tools import PalTools

__all__ = ["PalSkills", "Pals"]


class Pals(AsyncAPIResource):
    """PALs: the behaviour, voice and perception of a face (the records ``tavus.personas`` also
    serves, under the 2026 vocabulary: ``pal_id``, ``pal_name``, ``default_face_id``).

    Example::

        pal = await tavus.pals.create(
            pal_name="Guide", system_prompt="Be brief.", default_face_id="r90bbd427f71"
        )
        await tavus.pals.patch(pal.pal_id, Patch().replace("/pal_name", "Tour guide"))
        await tavus.pals.skills.attach(pal.pal_id, "internet_search")
    """

    #: The skills attached to each PAL (``/v2/pals/{pal_id}/skills``).
    skills: PalSkills
    #: The registry tools attached to each PAL (``/v2/pals/{pal_id}/tools``).
    tools: PalTools

    async def create(
        self,
        params: PalCreate | PalCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[PalCreateParams],
    ) -> Pal:
        """Create a PAL (``POST /v2/pals``).

        Args:
            params: A :class:`~tavus_async.models.PalCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.PalCreate`
                (``default_face_id`` is required).

        Returns:
            The new PAL (its id, name, ``created_at``, and ``conferencing_email`` with a
            conferencing layer).

        Raises:
            ValueError: No ``default_face_id``, a ``full`` PAL without ``system_prompt``, more
                than 50 tools, an unknown field or a wrong type (before any request).
            BadRequestError: Tavus rejected the PAL.
        """
        body = build_request(PalCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=Pal,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(self, pal_id: str, **options: Unpack[RequestOptions]) -> Pal:
        """Fetch one PAL (``GET /v2/pals/{id}``), flat or wrapped in ``{"data": [...]}``.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such PAL (Tavus answers 400 "Invalid pal_id").
        """
        pid = require_id("pal_id", pal_id)
        resp = await self._request_response("GET", f"{self._path}/{pid}", options=options)
        with contextlib.suppress(APIResponseValidationError):
            pal = resp.parse(Pal)
            if pal.pal_id is not None:
                return pal
        return decode_with(resp, unwrap_pal, "PAL")

    async def patch(
        self,
        pal_id: str,
        operations: Patch | Iterable[PatchOp | Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> PatchResult[Pal]:
        """Update a PAL with a JSON Patch in PAL vocabulary (``/pal_name``, ``/default_face_id``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            ``changed`` is False when Tavus answered 304 (the patch changed nothing).

        Raises:
            ValueError: An empty id, or an invalid operation (before any request).
            UnprocessableEntityError: Tavus rejected the patch (``replace`` of a missing member).
            ConflictError: PAL Maker holds a draft (409 ``maker_changes``).
            NotFoundError: No such PAL.
        """
        pid = require_id("pal_id", pal_id)
        return await self._json_patch(
            f"{self._path}/{pid}", operations, _maybe_pal, "PAL", options=options
        )

    async def delete(self, pal_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a PAL (``DELETE /v2/pals/{id}``, 204).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such PAL.
        """
        pid = require_id("pal_id", pal_id)
        await self._request_none("DELETE", f"{self._path}/{pid}", options=options)

    def list(
        self,
        *,
        pal_type: str | None = None,
        sort: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Pal]:
        """List PALs (``GET /v2/pals``; pages count from 1).

        Args:
            pal_type: ``user`` (yours) or ``system`` (Tavus's stock PALs).
            sort: ``asc`` or ``desc`` by creation.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        return self._paginate(
            self._path,
            item_type=Pal,
            params={"pal_type": pal_type, "sort": sort},
            page=page,
            limit=limit,
            options=options,
        )

    async def publish(self, pal_id: str, **options: Unpack[RequestOptions]) -> PalPublished:
        """Publish a PAL's draft to live (``POST /v2/pals/{id}/publish``; idempotent).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such PAL.
        """
        pid = require_id("pal_id", pal_id)
        return await self._request(
            "POST",
            f"{self._path}/{pid}/publish",
            cast_to=PalPublished,
            idempotent=True,
            options=options,
        )

    async def check_username(
        self, username: str, **options: Unpack[RequestOptions]
    ) -> UsernameCheck:
        """Whether a conferencing username is free (``GET /v2/pals/check-username``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty username.
        """
        if not isinstance(username, str) or not username.strip():
            raise InvalidInputError(f"username must be a non-empty string, got {username!r}")
        return await self._request(
            "GET",
            f"{self._path}/check-username",
            cast_to=UsernameCheck,
            params={"username": username},
            options=options,
        )


def _maybe_pal(raw: Any) -> Pal | None:
    # A PATCH answers the PAL, or a bare message; decode only a PAL.
    if isinstance(raw, dict) and ("pal_id" in raw or isinstance(raw.get("data"), list)):
        return unwrap_pal(raw)
    return None


class _AttachmentsBody(msgspec.Struct):
    # {"data": {"<skill_id>": attachment-without-its-id}}
    data: dict[str, dict[str, Any]] | None = None


class PalSkills(AsyncAPIResource):
    """The skills attached to a PAL (``/v2/pals/{pal_id}/skills``), active from its next
    conversation.

    Example::

        await tavus.pals.skills.attach(pal_id, "presentation", {"document_ids": [doc_id]})
        await tavus.pals.skills.update(pal_id, "presentation", {"slides_trigger": "walk_the_deck"})
        attached = await tavus.pals.skills.list(pal_id)
    """

    def _base(self, pal_id: str) -> str:
        pid = require_id("pal_id", pal_id)
        return self._path.replace("{pal_id}", pid)

    async def list(
        self, pal_id: str, **options: Unpack[RequestOptions]
    ) -> dict[str, SkillAttachment]:
        """The PAL's skills, by skill id (``GET /v2/pals/{id}/skills``; not paginated).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such PAL.
        """
        resp = await self._request_response("GET", self._base(pal_id), options=options)
        return decode_with(resp, _attachments, "skill attachments")

    async def get(
        self, pal_id: str, skill_id: str, **options: Unpack[RequestOptions]
    ) -> SkillAttachment:
        """One attached skill (``GET /v2/pals/{id}/skills/{skill_id}``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such PAL, or the skill is not attached.
        """
        sid = require_id("skill_id", skill_id)
        return await self._request(
            "GET", f"{self._base(pal_id)}/{sid}", cast_to=SkillAttachment, options=options
        )

    async def attach(
        self,
        pal_id: str,
        skill_id: str,
        config: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> SkillAttachment:
        """Attach a skill, or overwrite its config (``PUT /v2/pals/{id}/skills/{skill_id}``).

        Args:
            pal_id: The PAL.
            skill_id: ``internet_search``, ``presentation``, ``magic_canvas``, ``memory``...
            config: Its settings (``presentation`` needs ``document_ids``).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id, or a config that is not a mapping.
            BadRequestError: An invalid config.
            NotFoundError: An unknown skill.
        """
        sid = require_id("skill_id", skill_id)
        body = {"config": _config(config)} if config is not None else {}
        return await self._request(
            "PUT",
            f"{self._base(pal_id)}/{sid}",
            cast_to=SkillAttachment,
            json=body,
            options=options,
        )

    async def update(
        self,
        pal_id: str,
        skill_id: str,
        config: Mapping[str, Any],
        **options: Unpack[RequestOptions],
    ) -> SkillAttachment:
        """Merge into an attached skill's config (``PATCH``): given keys replace, ``None``
        deletes, the rest is kept.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id, or a config that is not a mapping.
            NotFoundError: The skill is unknown or not attached.
        """
        sid = require_id("skill_id", skill_id)
        return await self._request(
            "PATCH",
            f"{self._base(pal_id)}/{sid}",
            cast_to=SkillAttachment,
            json={"config": _config(config)},
            options=options,
        )

    async def detach(self, pal_id: str, skill_id: str, **options: Unpack[RequestOptions]) -> None:
        """Detach a skill (``DELETE /v2/pals/{id}/skills/{skill_id}``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: The skill is unknown or not attached.
        """
        sid = require_id("skill_id", skill_id)
        await self._request_none("DELETE", f"{self._base(pal_id)}/{sid}", options=options)

    async def replace(
        self,
        pal_id: str,
        skills: Mapping[str, Mapping[str, Any] | None],
        **options: Unpack[RequestOptions],
    ) -> dict[str, SkillAttachment]:
        """Replace the PAL's whole skill set (``PUT /v2/pals/{id}/skills``); skills left out are
        detached.

        Args:
            pal_id: The PAL.
            skills: ``{skill_id: config or None}``.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id or a malformed mapping.
            BadRequestError: An invalid config.
        """
        if not isinstance(skills, Mapping):
            raise InvalidInputError(
                f"skills must be a mapping of skill id to config, got {skills!r}"
            )
        body = {
            "skills": {
                require_id("skill_id", sid): ({"config": _config(cfg)} if cfg is not None else {})
                for sid, cfg in skills.items()
            }
        }
        resp = await self._request_response("PUT", self._base(pal_id), json=body, options=options)
        return decode_with(resp, _attachments, "skill attachments")


def _config(config: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(config, Mapping):
        raise InvalidInputError(f"a skill config must be a mapping, got {type(config).__name__}")
    return dict(config)


def _attachments(raw: Any) -> dict[str, SkillAttachment]:
    body = msgspec.convert(raw, _AttachmentsBody)
    return {
        sid: msgspec.convert({"skill_id": sid, **item}, SkillAttachment, strict=False)
        for sid, item in (body.data or {}).items()
    }
