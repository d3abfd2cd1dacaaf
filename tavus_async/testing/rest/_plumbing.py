"""What every simulated REST resource shares: request parsing, errors, paging and JSON Patch.

A resource module (``tavus_async/testing/rest/<name>.py``) registers one handler per verb of its
catalog row with :class:`Handlers`; each handler gets a :class:`Ctx` (the simulator, its store,
the row) and the request. Counting, routes and paths come from the catalog, so a handler only
says what Tavus does. The checks here are the simulator's own (never the client's models): it
must stay an independent check of the client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import jsonpatch
import jsonpointer
from aiohttp import web

from ...errors import InvalidInputError
from .._store import Record, public

if TYPE_CHECKING:
    from ..._catalog import ResourceDef
    from .._simulator import TavusSimulator

__all__ = [
    "NAME_RE",
    "ApiError",
    "Ctx",
    "Handler",
    "Handlers",
    "Record",
    "bad",
    "bad_message",
    "check_enum",
    "inverse",
    "is_url",
    "public",
    "rename",
    "str_list",
]

#: A resource handler: the context of its resource and the request.
Handler = Callable[["Ctx", web.Request], Awaitable[web.StreamResponse]]


class Handlers:
    """The handlers of one resource module, one per verb of its catalog row.

    Example::

        HANDLERS = Handlers()

        @HANDLERS.verb("get")
        async def get(ctx: Ctx, request: web.Request) -> web.Response: ...
    """

    def __init__(self) -> None:
        self.by_verb: dict[str, Handler] = {}

    def verb(self, name: str) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of ``name``."""

        def register(fn: Handler) -> Handler:
            if name in self.by_verb:
                raise InvalidInputError(f"two handlers for the verb {name!r}")
            self.by_verb[name] = fn
            return fn

        return register


_PAL = {
    "persona_id": "pal_id",
    "persona_name": "pal_name",
    "default_replica_id": "default_face_id",
    "persona_type": "pal_type",
}
_FACE = {
    "replica_id": "face_id",
    "replica_name": "face_name",
    "replica_type": "face_type",
    "replica_ids": "face_ids",
}
_ALIASES = {"pal": _PAL, "face": _FACE}

NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
_PATCH_OPS = {"add", "remove", "replace", "copy", "move", "test"}


class ApiError(Exception):
    """Raised by handlers to answer with a Tavus-shaped error body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def bad(message: str) -> ApiError:
    """400 with Tavus's common ``{"error": ...}`` body."""
    return ApiError(400, {"error": message})


def bad_message(message: str) -> ApiError:
    """400 with a ``{"message": ...}`` body (objectives, guardrails)."""
    return ApiError(400, {"message": message})


def rename(obj: Any, mapping: dict[str, str]) -> Any:
    if isinstance(obj, dict):
        return {mapping.get(k, k): rename(v, mapping) for k, v in obj.items()}
    if isinstance(obj, list):
        return [rename(v, mapping) for v in obj]
    return obj


def inverse(mapping: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in mapping.items()}


def check_enum(value: Any, allowed: Iterable[str], field: str, *, message: bool = False) -> None:
    allowed = list(allowed)
    if value is not None and value not in allowed:
        text = f"Invalid {field}: {value!r} is not one of {', '.join(allowed)}"
        raise bad_message(text) if message else bad(text)


def str_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(f"Invalid request: {field} must be a list of strings")
    return list(value)


def is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


class Ctx:
    """What a handler works with: the simulator, its store and its resource's catalog row.

    Args:
        sim: The simulator.
        row: The catalog row of the resource the handler serves.
    """

    def __init__(self, sim: TavusSimulator, row: ResourceDef) -> None:
        self.sim = sim
        self.store = sim.store
        self.row = row

    @property
    def table(self) -> dict[str, Record]:
        """This resource's records, by id."""
        return self.store.table(self.row.name)

    @staticmethod
    def alias(request: web.Request) -> dict[str, str] | None:
        """The 2026 vocabulary (PAL, face) the request's path speaks, if any."""
        name = (
            request.match_info.route.resource.canonical if request.match_info.route.resource else ""
        )
        if name.startswith("/v2/pals"):
            return _PAL
        if name.startswith("/v2/faces"):
            return _FACE
        return None

    async def body(self, request: web.Request, *, required: bool = True) -> Any:
        """The JSON body, in the record vocabulary (aliases renamed).

        Raises:
            ApiError: No body when one is required, or not JSON.
        """
        raw = await request.read()
        if not raw.strip():
            if required:
                raise bad("Invalid request: a JSON body is required")
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise bad("Invalid request: the body is not valid JSON") from None
        alias = self.alias(request)
        return rename(body, inverse(alias)) if alias else body

    async def object(self, request: web.Request, *, required: bool = True) -> dict[str, Any]:
        """The JSON body, which must be an object."""
        body = await self.body(request, required=required)
        if not isinstance(body, dict):
            raise bad("Invalid request: the body must be a JSON object")
        return body

    def query(self, request: web.Request) -> dict[str, str]:
        """The query parameters, in the record vocabulary."""
        query = dict(request.query)
        alias = self.alias(request)
        return rename(query, inverse(alias)) if alias else query

    def json(self, request: web.Request, data: Any, status: int = 200) -> web.Response:
        """A JSON answer, in the vocabulary of the request's path."""
        alias = self.alias(request)
        if alias:
            data = rename(data, alias)
        return web.json_response(data, status=status)

    @staticmethod
    def flag(query: dict[str, str], name: str) -> bool:
        """A boolean query parameter (``true``/``false``/``1``/``0``)."""
        value = query.get(name, "false").lower()
        if value not in ("true", "false", "1", "0"):
            raise bad(f"Invalid request: {name} must be true or false")
        return value in ("true", "1")

    def page(
        self,
        items: list[Record],
        query: dict[str, str],
        *,
        max_limit: int | None = None,
    ) -> tuple[list[Record], int, int]:
        """Slice ``items`` by ``limit``/``page`` from the catalog row's page base."""
        base = self.row.page_base
        try:
            limit = int(query.get("limit", 10))
            page = int(query.get("page", base))
        except ValueError:
            raise bad("Invalid request: limit and page must be integers") from None
        if limit < 1 or (max_limit is not None and limit > max_limit):
            top = f" and {max_limit}" if max_limit else ""
            raise bad(f"Invalid request: limit must be between 1{top}")
        # Below the base (e.g. page=0 on a 1-based list) is read as the first page; the docs do
        # not say what Tavus does there (rest-api-notes §4) and clients do send 0 (tavus-cli).
        page = max(page, base)
        start = (page - base) * limit
        return items[start : start + limit], page, limit

    async def patch_ops(self, request: web.Request, *, malformed_status: int) -> list[Any]:
        """The body as a list of JSON Patch operations (``malformed_status`` when it is not)."""
        try:
            ops = await self.body(request)
        except ApiError:
            ops = None
        if not isinstance(ops, list) or not all(
            isinstance(op, dict)
            and op.get("op") in _PATCH_OPS
            and isinstance(op.get("path"), str)
            and (op["op"] == "remove" or "value" in op or op["op"] in ("move", "copy"))
            and (op["op"] not in ("move", "copy") or isinstance(op.get("from"), str))
            for op in ops
        ):
            raise self.malformed(malformed_status)
        return ops

    @staticmethod
    def malformed(status: int, detail: str = "") -> ApiError:
        """The error of a malformed patch: 422 ``{"message"}`` or 400 ``{"error"}``."""
        if status == 422:
            text = "Invalid JSON patch format" + (f": {detail}" if detail else "")
            return ApiError(422, {"message": text})
        text = "Invalid patch operation" + (f": {detail}" if detail else "")
        return ApiError(400, {"error": text})

    def apply_patch(self, doc: Record, ops: list[Any], *, malformed_status: int) -> Record:
        """``doc`` with ``ops`` applied (a copy); a failing operation is a malformed patch."""
        try:
            result = jsonpatch.JsonPatch(ops).apply(doc, in_place=False)
        except jsonpatch.JsonPatchTestFailed as exc:
            raise self.malformed(malformed_status, f"test failed ({exc})") from None
        except (
            jsonpatch.JsonPatchException,
            jsonpointer.JsonPointerException,
            KeyError,
            IndexError,
            TypeError,
        ) as exc:
            raise self.malformed(malformed_status, str(exc)) from None
        if not isinstance(result, dict):
            raise self.malformed(malformed_status, "the document root must stay an object")
        return result
