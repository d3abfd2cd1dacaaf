"""The tool registry: Python functions the replica can call, typed from their annotations.

One :class:`ToolRegistry` serves both of Tavus's delivery channels: the room channel
(``conversation.tool_call`` app messages, answered by a :class:`~tavus_async.room.Room`) and the
HTTP channel (signed requests from Tavus, answered by :func:`~tavus_async.tools.handle_request`).
Both go through :meth:`ToolRegistry.call`, so a function is decoded, bounded and reported in
exactly one way whichever channel the call came on.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import re
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import anyio
import anyio.to_thread
import msgspec

from .._logging import logger
from ..errors import InvalidInputError, InvalidTypeError, NotAvailableError
from ..interactions.events import ToolCall
from ._schema import ArgumentsError, ParamsModel, build_params_model

if TYPE_CHECKING:
    from ..models.tools import ApiDelivery, ToolCreate, ToolDelivery

__all__ = [
    "DEFAULT_TOOL_TIMEOUT",
    "ToolContext",
    "ToolHandler",
    "ToolOutcome",
    "ToolRegistry",
    "ToolSpec",
]

ToolHandler = Callable[..., Any]
"""A function (``async def`` or plain ``def``) called with the tool's arguments by keyword."""

F = TypeVar("F", bound=ToolHandler)

DEFAULT_TOOL_TIMEOUT = 10.0
"""Tavus's default ``delivery.api.timeout`` (seconds), used when a tool sets none."""

# Tavus's tool-name rule (the OpenAI function-name rule, with a leading letter or underscore).
TOOL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")

OutcomeReason = Literal["ok", "unknown_tool", "bad_arguments", "timeout", "failed"]


# The per-call records are msgspec Structs: their constructor costs a fraction of a frozen
# dataclass's (about 0.2 us against 1.3-1.8 us, measured), and every call builds three.
class ToolContext(msgspec.Struct, frozen=True):
    """Where a call came from; a parameter annotated ``ToolContext`` receives it.

    Attributes:
        name: The tool name that was called.
        channel: ``"room"`` (an app message) or ``"http"`` (a request from Tavus).
        conversation_id: The conversation the call belongs to, when the channel says.
        tool_call_id: The call's id, when the channel carries one.
        event: The room's :class:`~tavus_async.interactions.events.ToolCall` (room channel only).
    """

    name: str
    channel: Literal["room", "http"]
    conversation_id: str | None = None
    tool_call_id: str | None = None
    event: ToolCall | None = None


class ToolOutcome(msgspec.Struct, frozen=True):
    """What a call produced, ready for either channel.

    Attributes:
        name: The tool name.
        status: ``"success"`` or ``"error"`` (as in ``conversation.tool_result``).
        output: The result: a string or a JSON value (an error's safe explanation on errors).
        reason: Why: ``ok``, ``unknown_tool``, ``bad_arguments``, ``timeout`` or ``failed``.
        argument: The argument that was wrong, for ``bad_arguments``.
    """

    name: str
    status: Literal["success", "error"]
    output: Any
    reason: OutcomeReason = "ok"
    argument: str | None = None


def tool_output(result: Any) -> Any:
    """A function's return value as a tool result: a string or a JSON value (None -> ``""``)."""
    if result is None:
        return ""
    if isinstance(result, (str, dict, list, int, float, bool)):
        return result
    try:
        return msgspec.to_builtins(result)
    except (TypeError, ValueError):
        return str(result)


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A registered tool.

    Attributes:
        name: The tool name the LLM calls.
        handler: The function.
        description: What the tool does (the docstring unless given).
        timeout: Seconds Tavus waits for the result (``delivery.api.timeout``); None: the
            channel's default. The room stops the function at this; the HTTP receiver a margin
            before, so that its answer still arrives.
        blocking: True to run a sync function in a worker thread instead of on the event loop.
        model: The parameters, as decoded and as described.
    """

    name: str
    handler: ToolHandler
    description: str
    timeout: float | None
    blocking: bool
    model: ParamsModel = field(repr=False)

    @property
    def parameters(self) -> dict[str, Any]:
        """The JSON schema of the parameters (a fresh copy each time)."""
        schema: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(self.model.schema))
        return schema

    @property
    def pass_call(self) -> bool:
        """True when the function takes the room's ``ToolCall`` event (as ``call=``)."""
        return "call" in self.model.injected.values()

    def definition(self) -> dict[str, Any]:
        """The OpenAI-style function definition (one item of ``layers.llm.tools``)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def decode(self, arguments: Any) -> dict[str, Any]:
        """The keyword arguments for a call, validated into the annotated types.

        Raises:
            ArgumentsError: They do not fit; the message names the argument.
        """
        return self.model.decode(self.name, arguments)

    async def run(self, arguments: Any, context: ToolContext | None = None) -> Any:
        """Decode ``arguments`` and call the function (no deadline; see :meth:`ToolRegistry.call`).

        Raises:
            ArgumentsError: The arguments do not fit (the function is not called).
        """
        result = self.start(arguments, context)
        if inspect.isawaitable(result):
            result = await result
        return result

    def start(self, arguments: Any, context: ToolContext | None = None) -> Any:
        """Decode ``arguments`` and call the function: its result, or an awaitable of it.

        A plain sync function has run to completion when this returns; an ``async def`` or a
        ``blocking`` one has only started, so that a deadline can bound the awaitable.

        Raises:
            ArgumentsError: The arguments do not fit (the function is not called).
        """
        kwargs = self.decode(arguments)
        for param, kind in self.model.injected.items():
            if kind == "context":
                kwargs[param] = context
            else:
                kwargs[param] = context.event if context is not None else None
        if self.blocking:
            return anyio.to_thread.run_sync(
                functools.partial(self.handler, **kwargs), abandon_on_cancel=True
            )
        return self.handler(**kwargs)


def _caller_locals(depth: int) -> dict[str, Any]:
    """The local names of the code that registers a tool, ``depth`` frames above register().

    With ``from __future__ import annotations`` the annotations are strings, and a tool defined
    inside a function may use names imported there: they resolve only with that frame's locals
    (pydantic resolves forward references the same way).
    """
    frame = sys._getframe(depth + 1)  # + this function itself
    return dict(frame.f_locals)


class _Expired(Exception):
    """Our own deadline passed (as opposed to a TimeoutError raised by the function)."""


async def _within(awaitable: Awaitable[Any], seconds: float | None) -> Any:
    """Await ``awaitable`` for at most ``seconds``; raise :class:`_Expired` when they pass."""
    if seconds is None:
        return await awaitable
    if sys.version_info >= (3, 11):
        # asyncio's own timeout costs a quarter of anyio's fail_after (3.6 us against 12 us
        # a call, measured), and the HTTP channel pays it on every call.
        deadline = asyncio.timeout(seconds)
        try:
            async with deadline:
                return await awaitable
        except TimeoutError:
            if deadline.expired():
                raise _Expired from None
            raise
    try:  # pragma: no cover - Python 3.10
        with anyio.fail_after(seconds) as scope:
            return await awaitable
    except TimeoutError:
        if scope.cancelled_caught:
            raise _Expired from None
        raise


class ToolRegistry:
    """Tool name -> :class:`ToolSpec`, with the schema, decoding and bounded calls of each.

    ::

        from typing import Annotated, Literal
        import msgspec
        from tavus_async.tools import ToolRegistry

        tools = ToolRegistry()

        @tools.tool
        async def get_weather(
            city: Annotated[str, msgspec.Meta(description="City name")],
            units: Literal["metric", "imperial"] = "metric",
        ) -> str:
            \"\"\"Current weather for a city.\"\"\"
            return f"Sunny in {city}"

        tools.definitions()  # -> [{"type": "function", "function": {...}}]

    Serve it in a room with ``tavus.conversations.connect(conv, tools=tools)`` and over signed
    HTTP with :func:`~tavus_async.tools.aiohttp_handler` or
    :func:`~tavus_async.tools.handle_request`.
    """

    def __init__(self) -> None:
        self._tools: dict[str, ToolSpec] = {}
        # Frames between register() and the code that defined the function (see _caller_locals).
        self._depth = 1

    @contextlib.contextmanager
    def _called_from(self, extra: int) -> Iterator[None]:
        self._depth += extra
        try:
            yield
        finally:
            self._depth -= extra

    def __repr__(self) -> str:
        return f"ToolRegistry({sorted(self._tools)!r})"

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._tools))

    def __len__(self) -> int:
        return len(self._tools)

    def get(self, name: str) -> ToolSpec | None:
        """The tool registered under ``name``, if any."""
        return self._tools.get(name)

    def register(
        self,
        handler: ToolHandler,
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        blocking: bool = False,
        replace: bool = False,
    ) -> ToolHandler:
        """Register ``handler`` under ``name`` (default: the function's ``__name__``).

        The handler is called with the call's arguments as keyword arguments, decoded into its
        annotations first (an argument that does not fit gets an error result and the handler
        is not called). A parameter annotated :class:`ToolContext` receives the call's context,
        and one named ``call`` the room's ``ToolCall`` event. The return value becomes the
        result: a string as is, a dict, list, Struct or dataclass as JSON, None as ``""``.

        Args:
            handler: An ``async def``, or a sync function (run on the event loop, so keep it
                quick, or pass ``blocking=True`` to run it in a worker thread).
            name: The tool name; must match the tool's definition on Tavus.
            description: What the tool does, for the LLM (default: the docstring).
            timeout: Seconds Tavus waits for the result (see :attr:`ToolSpec.timeout`).
            blocking: Run a sync ``handler`` in a worker thread.
            replace: Allow replacing an already-registered name.

        Returns:
            The handler itself, so this works as a decorator.

        Raises:
            InvalidTypeError: (a ``TypeError``) ``handler`` is not callable.
            InvalidInputError: (a ``ValueError``) ``name`` is empty, not a valid tool name or
                already registered; ``timeout`` is not positive; a parameter cannot be
                described as JSON schema or uses the reserved ``tavus_`` prefix.
        """
        if not callable(handler):
            raise InvalidTypeError(f"a tool handler must be callable, got {type(handler).__name__}")
        tool_name = name if name is not None else getattr(handler, "__name__", "")
        if not isinstance(tool_name, str) or not tool_name or tool_name == "<lambda>":
            raise InvalidInputError("a tool needs a non-empty name: pass name=...")
        if not TOOL_NAME_RE.match(tool_name):
            raise InvalidInputError(
                f"tool name {tool_name!r} is not valid: use letters, digits and underscores "
                "(1 to 64, not starting with a digit)"
            )
        if tool_name in self._tools and not replace:
            raise InvalidInputError(
                f"a tool named {tool_name!r} is already registered; pass replace=True to replace it"
            )
        if timeout is not None and not timeout > 0:
            raise InvalidInputError(f"timeout must be positive, got {timeout}")
        model = build_params_model(
            handler,
            tool_name,
            context_type=ToolContext,
            call_type=ToolCall,
            localns=_caller_locals(self._depth),
        )
        text = description if description is not None else model.description
        self._tools[tool_name] = ToolSpec(tool_name, handler, text, timeout, blocking, model)
        return handler

    @overload
    def tool(self, fn: F, /) -> F: ...

    @overload
    def tool(
        self,
        fn: str | None = None,
        /,
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        blocking: bool = False,
    ) -> Callable[[F], F]: ...

    def tool(
        self,
        fn: F | str | None = None,
        /,
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        blocking: bool = False,
    ) -> F | Callable[[F], F]:
        """Decorator form of :meth:`register`: ``@tools.tool``, ``@tools.tool("name")`` or
        ``@tools.tool(name=..., description=..., timeout=...)``."""
        if callable(fn):
            with self._called_from(1):
                self.register(fn)
            return fn
        tool_name = fn if fn is not None else name

        def decorate(handler: F) -> F:
            with self._called_from(1):
                self.register(
                    handler,
                    name=tool_name,
                    description=description,
                    timeout=timeout,
                    blocking=blocking,
                )
            return handler

        return decorate

    def unregister(self, name: str) -> None:
        """Forget the tool ``name`` (no error if it was not registered)."""
        self._tools.pop(name, None)

    def definitions(self) -> list[dict[str, Any]]:
        """Every tool as an OpenAI-style function definition, for a PAL's ``layers.llm.tools``."""
        return [spec.definition() for spec in self._tools.values()]

    def tool_params(
        self,
        name: str,
        *,
        delivery: ToolDelivery | ApiDelivery | Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> ToolCreate:
        """The body of ``tavus.tools.create`` for the registered tool ``name``.

        ::

            params = registry.tool_params(
                "get_weather",
                delivery=ApiDelivery(url="https://api.example.com/tavus/tools",
                                     auth=AuthHmac(secret=secret)),
                on_resolve="generate_response",
            )
            tool = await tavus.tools.create(params)

        Args:
            name: A registered tool.
            delivery: The channel (default: app message); an :class:`~tavus_async.models.tools.
                ApiDelivery` without a ``timeout`` gets the tool's :attr:`ToolSpec.timeout`.
            **fields: Other :class:`~tavus_async.models.tools.ToolCreate` fields (``on_call``,
                ``on_resolve``, ``static_filler``, ``tags``...).

        Raises:
            NotAvailableError: (a ``LookupError``) no tool ``name`` is registered.
            ToolDefinitionError: Tavus would refuse the tool (the message names the field).
        """
        from ..models.tools import tool_params_for

        spec = self._tools.get(name)
        if spec is None:
            raise NotAvailableError(f"no tool named {name!r} is registered")
        return tool_params_for(spec, delivery=delivery, **fields)

    async def call(
        self,
        name: str,
        arguments: Any,
        *,
        context: ToolContext | None = None,
        timeout: float | None = None,
    ) -> ToolOutcome:
        """Run the tool ``name`` under a deadline; never raises for the function's own failures.

        Args:
            name: The tool the LLM called.
            arguments: Its arguments: a JSON string, an object, ``""`` or None.
            context: Where the call came from (passed to a ``ToolContext`` parameter).
            timeout: Seconds an ``async def`` (or ``blocking``) function may run (None: no
                deadline); a plain sync function runs to completion on the loop.

        Returns:
            A :class:`ToolOutcome`. Error outputs are safe to send: they name the tool and the
            wrong argument, never the exception text (which is logged).
        """
        spec = self._tools.get(name)
        if spec is None:
            return ToolOutcome(name, "error", f"no tool named {name} here", "unknown_tool")
        try:
            # A plain sync function runs to completion here: there is nothing to bound.
            result = spec.start(arguments, context)
            if inspect.isawaitable(result):
                result = await _within(result, timeout)
        except ArgumentsError as exc:
            logger.warning("%s", exc)
            return ToolOutcome(name, "error", str(exc), "bad_arguments", exc.argument)
        except _Expired:
            logger.warning("tool %s timed out after %g s", name, timeout)
            return ToolOutcome(name, "error", f"the tool {name} timed out", "timeout")
        except Exception:
            # The exception text may hold anything (paths, keys): log it, answer a safe line.
            logger.exception("tool %s raised", name)
            return ToolOutcome(name, "error", f"the tool {name} failed", "failed")
        return ToolOutcome(name, "success", tool_output(result))
