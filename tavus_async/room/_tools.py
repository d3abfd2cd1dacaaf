"""The room's tool registry: :class:`tavus_async.tools.ToolRegistry`, re-exported here.

Register with ``@room.tool("get_weather")`` or ``room.tools.register(fn)``, or hand a shared
registry in with ``Room(..., tools=registry)``. When a ``conversation.tool_call`` (or
``perception_tool_call``) for a registered name arrives from the replica, the Room runs it
concurrently through :meth:`~tavus_async.tools.ToolRegistry.call` (arguments decoded into the
annotations, under a timeout) and sends the outcome as ``conversation.tool_result``.
"""

from __future__ import annotations

from ..tools import ToolContext, ToolHandler, ToolRegistry, ToolSpec

__all__ = ["ToolContext", "ToolHandler", "ToolRegistry", "ToolSpec"]
