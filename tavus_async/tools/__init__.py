"""Tools: Python functions the replica calls, on both of Tavus's delivery channels.

One :class:`ToolRegistry` describes each function to the LLM (a JSON schema from its type
annotations, descriptions from its docstring), decodes each call's arguments into those types
before it runs, and answers on either channel:

- **in the room** (``delivery: {"app_message": true}``): ``tavus.conversations.connect(conv,
  tools=registry)`` answers every ``conversation.tool_call`` from the registry;
- **over signed HTTP** (``delivery.api`` with ``auth.type = "hmac"``): :func:`aiohttp_handler`
  or the framework-free :func:`handle_request` answers Tavus's requests to your backend.

::

    from tavus_async import tools

    registry = tools.ToolRegistry()

    @registry.tool
    async def get_weather(city: str) -> str:
        \"\"\"Current weather for a city.

        Args:
            city: The city's name.
        \"\"\"
        return f"Sunny in {city}"

    registry.definitions()                       # for a PAL's layers.llm.tools
    await tools.sync_tools(tavus, registry, pal_id=pal_id)   # or Tavus's tools registry
    tools.aiohttp_handler(registry, secret=secret).attach(app, "/tavus/tools")
"""

from __future__ import annotations

from ._http import (
    DEFAULT_MAX_BODY_SIZE,
    ToolHTTPResponse,
    ToolRequestHandler,
    ToolRequestStats,
    aiohttp_handler,
    handle_request,
    handler_deadline,
)
from ._registry import (
    DEFAULT_TOOL_TIMEOUT,
    ToolContext,
    ToolHandler,
    ToolOutcome,
    ToolRegistry,
    ToolSpec,
)
from ._schema import ArgumentsError
from ._signature import SIGNATURE_HEADER, sign, verify_signature
from ._sync import sync_tools

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TOOL_TIMEOUT",
    "SIGNATURE_HEADER",
    "ArgumentsError",
    "ToolContext",
    "ToolHTTPResponse",
    "ToolHandler",
    "ToolOutcome",
    "ToolRegistry",
    "ToolRequestHandler",
    "ToolRequestStats",
    "ToolSpec",
    "aiohttp_handler",
    "handle_request",
    "handler_deadline",
    "sign",
    "sync_tools",
    "verify_signature",
]
