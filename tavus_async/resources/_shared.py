"""Helpers the resource modules share: lenient decoding of multi-shape bodies, patch results."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from .._http import APIResponse, invalid_response
from ..errors import APIResponseValidationError
from ..models._common import unwrap_one
from ..models.patch import PatchResult

__all__ = ["decode_one", "decode_with", "one_or_none", "patch_result"]

T = TypeVar("T")


def decode_with(resp: APIResponse, convert: Callable[[Any], T], what: str) -> T:
    """Decode ``resp`` as JSON and pass it to ``convert`` (for bodies with several shapes).

    Raises:
        APIResponseValidationError: The body is not JSON or matches no known shape; the raw
            body is kept on the error.
    """
    try:
        raw = msgspec.json.decode(resp.content) if resp.content.strip() else None
        return convert(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise invalid_response(
            resp, f"the {resp.status_code} response is not a valid {what}: {exc}"
        ) from exc


def patch_result(
    resp: APIResponse, convert: Callable[[Any], T | None] | None = None, what: str = ""
) -> PatchResult[T]:
    """Turn a PATCH response into a :class:`PatchResult` (304 means "nothing changed").

    Args:
        resp: The response (200 or 304).
        convert: Decodes the updated resource, for endpoints that return it.
        what: The resource's name, for error messages.
    """
    if resp.not_modified:
        return PatchResult(changed=False, status_code=resp.status_code)
    message: str | None = None
    resource: T | None = None
    try:
        body: Any = msgspec.json.decode(resp.content) if resp.content.strip() else None
    except msgspec.DecodeError:
        # Tavus documents the 200 as "OK" with no schema: plain text is a message, not an error.
        body = resp.content.decode("utf-8", "replace").strip() or None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        message = body["message"]
    elif isinstance(body, str):
        message = body
    if convert is not None and isinstance(body, dict):
        resource = decode_with(resp, convert, what)
    return PatchResult(
        changed=True, status_code=resp.status_code, message=message, resource=resource
    )


def decode_one(resp: APIResponse, model: type[T], id_field: str, what: str) -> T:
    """Decode a body holding one item, flat or wrapped as ``{"data": [item]}`` (PALs, personas).

    Raises:
        APIResponseValidationError: The body holds no ``model``.
    """
    # The flat shape is what Tavus serves in practice: decode it in one typed pass, and take
    # the slower two-shape path only when the body had no top-level item.
    with contextlib.suppress(APIResponseValidationError):
        item = resp.parse(model)
        if getattr(item, id_field) is not None:
            return item
    return decode_with(resp, lambda raw: unwrap_one(raw, model, id_field, what), what)


def one_or_none(model: type[T], id_field: str, what: str) -> Callable[[Any], T | None]:
    """The ``convert`` of a PATCH whose answer is the item (flat or wrapped) or a bare message."""

    def convert(raw: Any) -> T | None:
        if isinstance(raw, dict) and (id_field in raw or isinstance(raw.get("data"), list)):
            return unwrap_one(raw, model, id_field, what)
        return None

    return convert
