"""``resource.with_raw_response``: any resource call, returning what the server answered.

``await tavus.personas.with_raw_response.get(pid)`` makes the same call as
``tavus.personas.get(pid)`` (same arguments, per-call options, retries) and returns a
:class:`RawResponse`: the status, headers and body of the last attempt, and the result the plain
call would have returned under :meth:`RawResponse.parse`. It is built on
:meth:`~tavus_async.AsyncTavus.capture_response`, so the two always agree.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from ._http import APIResponse, capture_response
from .errors import InvalidTypeError

__all__ = ["AnyRawResponses", "RawResponse", "RawResponseDescriptor", "RawResponses", "raw_method"]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class RawResponse(Generic[T]):
    """What the server answered to one call, beside the call's result.

    Attributes:
        response: The :class:`~tavus_async.APIResponse` of the call's last request (for a call
            that makes several, such as ``wait_until_ready``, the last one).

    Example::

        raw = await tavus.personas.with_raw_response.get(pid)
        print(raw.status_code, raw.headers["content-type"], raw.request_id)
        persona = raw.parse()
    """

    __slots__ = ("_value", "response")

    def __init__(self, response: APIResponse, value: T) -> None:
        self.response = response
        self._value = value

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers (case-insensitive: ``headers["content-type"]``)."""
        return self.response.headers

    @property
    def request_id(self) -> str | None:
        """The server's request id, if it sent one (see :attr:`APIResponse.request_id`)."""
        return self.response.request_id

    @property
    def content(self) -> bytes:
        """The raw body."""
        return self.response.content

    def json(self) -> Any:
        """The body decoded as JSON (None for an empty body)."""
        return self.response.json()

    def parse(self) -> T:
        """The result the plain call returns (a model, a page, a :class:`PatchResult`, None)."""
        return self._value

    def __repr__(self) -> str:
        r = self.response
        return f"<RawResponse {r.method} {r.path} {r.status_code}>"


class RawResponses(Generic[R]):
    """The methods of one resource, each returning a :class:`RawResponse` (see the module doc).

    Each resource class has a typed subclass (``PersonasWithRawResponse``...) listing its
    methods that make requests. An error status still raises its
    :class:`~tavus_async.APIStatusError` (status, headers, ``request_id`` on the error);
    ``capture_response()`` records those responses too.

    Args:
        resource: The resource whose methods to wrap.
    """

    def __init__(self, resource: R) -> None:
        self._resource = resource

    def __repr__(self) -> str:
        return f"<{type(self._resource).__name__}.with_raw_response>"


class AnyRawResponses(RawResponses[R]):
    """The raw view of a resource class without a typed one (a plain catalog row served by the
    generic verb classes): any of its methods, untyped."""

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._resource, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(f"{type(self._resource).__name__} has no method {name!r}")
        return _raw_call(type(self._resource).__name__, name, method)

    def __dir__(self) -> list[str]:
        return [n for n in dir(self._resource) if not n.startswith("_")]


def _raw_call(
    owner: str, name: str, method: Callable[..., Any]
) -> Callable[..., Awaitable[RawResponse[Any]]]:
    """``method``, made to return a :class:`RawResponse` of its last request."""

    async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
        async with capture_response() as captured:
            result = method(*args, **kwargs)
            if not inspect.isawaitable(result):
                raise InvalidTypeError(
                    f"{owner}.{name}() makes no request of its own to return raw; use "
                    "capture_response() around what it does"
                )
            value = await result
        return RawResponse(captured.response, value)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = getattr(method, "__doc__", None)
    return call


class raw_method(Generic[P, T]):  # lower case: used like a function, as property is
    """A resource method in a typed raw view: same parameters, a :class:`RawResponse` result.

    ``get = raw_method(Personas.get)`` in ``PersonasWithRawResponse`` makes
    ``tavus.personas.with_raw_response.get(pid)`` take exactly what ``get`` takes and return a
    ``RawResponse[Persona]``, for editors and ``mypy`` alike.
    """

    def __init__(self, function: Callable[Concatenate[Any, P], Awaitable[T]]) -> None:
        self._function = function

    def __get__(
        self, view: RawResponses[Any], owner: type[Any] | None = None
    ) -> Callable[P, Awaitable[RawResponse[T]]]:
        name = self._function.__name__
        bound = getattr(view._resource, name)
        return _raw_call(type(view._resource).__name__, name, bound)


class RawResponseDescriptor:
    """``resource.with_raw_response``: the resource's typed raw view (see :class:`RawResponses`).

    The views are generated per resource class (``tavus_async/resources/_raw.py``, by
    ``tools/gen_params.py``); a resource without one gets the untyped :class:`AnyRawResponses`.
    """

    def __get__(self, obj: Any, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        from .resources._raw import RAW_VIEWS  # here: that module imports every resource

        view: type[RawResponses[Any]] = RAW_VIEWS.get(type(obj), AnyRawResponses)
        return view(obj)
