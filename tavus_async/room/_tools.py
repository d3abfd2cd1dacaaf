"""The tool registry: functions a Room runs when the replica calls a tool.

Register with ``@room.tool("get_weather")`` or ``room.tools.register(fn)``. When a
``conversation.tool_call`` (or ``perception_tool_call``) for a registered name arrives from the
replica, the Room runs the handler concurrently with the parsed arguments as keyword arguments,
under a timeout, and sends what it returns as ``conversation.tool_result``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import InvalidInputError, InvalidTypeError

__all__ = ["ToolHandler", "ToolRegistry", "ToolSpec"]

ToolHandler = Callable[..., Any]
"""An async (or quick, non-blocking sync) function called with the tool's arguments."""

F = TypeVar("F", bound=ToolHandler)


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A registered tool.

    Attributes:
        name: The tool name the LLM calls (``properties.name``).
        handler: The function.
        timeout: Seconds the handler may run (None: the room's default).
        pass_call: True when the handler takes the ``ToolCall`` event as ``call=``.
    """

    name: str
    handler: ToolHandler
    timeout: float | None
    pass_call: bool

    async def run(self, arguments: dict[str, Any], call: Any) -> Any:
        """Call the handler, awaiting it when it is a coroutine function."""
        kwargs = dict(arguments)
        if self.pass_call:
            kwargs["call"] = call
        result = self.handler(**kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


class ToolRegistry:
    """Tool name -> :class:`ToolSpec`."""

    def __init__(self) -> None:
        self._tools: dict[str, ToolSpec] = {}

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
        timeout: float | None = None,
        replace: bool = False,
    ) -> ToolHandler:
        """Register ``handler`` under ``name`` (default: the function's ``__name__``).

        The handler receives the call's arguments as keyword arguments; declare a ``call``
        parameter to also get the ``ToolCall`` event. Its return value becomes the result's
        ``output``: a string is sent as is, a dict or list as JSON, None as an empty string.

        Args:
            handler: An ``async def`` (or a quick sync function: it runs on the event loop).
            name: The tool name; must match the persona's tool definition.
            timeout: Seconds the handler may take before an error result is sent.
            replace: Allow replacing an already-registered name.

        Returns:
            The handler itself, so this works as a decorator.

        Raises:
            TypeError: ``handler`` is not callable.
            ValueError: ``name`` is empty, already registered, or ``timeout`` is not positive.
        """
        if not callable(handler):
            raise InvalidTypeError(f"a tool handler must be callable, got {type(handler).__name__}")
        tool_name = name if name is not None else getattr(handler, "__name__", "")
        if not isinstance(tool_name, str) or not tool_name:
            raise InvalidInputError("a tool needs a non-empty name: pass name=...")
        if tool_name in self._tools and not replace:
            raise InvalidInputError(
                f"a tool named {tool_name!r} is already registered; pass replace=True to replace it"
            )
        if timeout is not None and timeout <= 0:
            raise InvalidInputError(f"timeout must be positive, got {timeout}")
        try:
            params = inspect.signature(handler).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        pass_call = "call" in params
        self._tools[tool_name] = ToolSpec(tool_name, handler, timeout, pass_call)
        return handler

    def tool(self, name: str | None = None, *, timeout: float | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`register`: ``@tools.tool("get_weather")``."""

        def decorate(handler: F) -> F:
            self.register(handler, name=name, timeout=timeout)
            return handler

        return decorate

    def unregister(self, name: str) -> None:
        """Forget the tool ``name`` (no error if it was not registered)."""
        self._tools.pop(name, None)
