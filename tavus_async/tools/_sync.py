"""Sync a :class:`ToolRegistry` to Tavus's tools registry, and attach it to a PAL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

import msgspec

from ..errors import NotAvailableError
from ._registry import ToolRegistry, ToolSpec

if TYPE_CHECKING:
    from .._client import AsyncTavus
    from ..models.tools import AccountTool, ApiDelivery, ToolDelivery

__all__ = ["sync_tools"]

_SECRETS = ("token", "password", "value", "secret", "client_secret")

DeliveryChoice = Union[
    "ToolDelivery", "ApiDelivery", Mapping[str, Any], Callable[[ToolSpec], Any], None
]


def _secret_values(body: Mapping[str, Any]) -> list[Any]:
    api = (body.get("delivery") or {}).get("api") or {}
    auth = api.get("auth") or {}
    return [auth[k] for k in _SECRETS if auth.get(k)]


def _unchanged(existing: AccountTool, wanted: Mapping[str, Any]) -> bool:
    """Whether ``existing`` already is what ``wanted`` would make it (so no update is needed)."""
    if _secret_values(wanted):
        return False  # a secret cannot be compared through the ******** mask: send it again
    have: dict[str, Any] = msgspec.to_builtins(existing)
    for key, value in wanted.items():
        if key != "delivery" and have.get(key) != value:
            return False
    want_delivery = dict(wanted.get("delivery") or {"app_message": True})
    have_delivery = have.get("delivery") or {}
    if "api" not in want_delivery:
        return bool(have_delivery.get("app_message")) and "api" not in have_delivery
    want_api = {"method": "POST", "timeout": 10.0, **want_delivery["api"]}
    have_api = have_delivery.get("api") or {}
    return all(have_api.get(k) == v for k, v in want_api.items())


async def sync_tools(
    tavus: AsyncTavus,
    registry: ToolRegistry,
    *,
    delivery: DeliveryChoice = None,
    pal_id: str | None = None,
    names: Iterable[str] | None = None,
    **fields: Any,
) -> list[AccountTool]:
    """Create or update each registered tool on Tavus by name, then attach them to a PAL.

    Idempotent: a tool that already exists under its name is updated (not duplicated), one
    whose definition has not changed is left alone, and attaching an attached tool is a no-op.

    ::

        delivery = ApiDelivery(url="https://api.example.com/tavus/tools",
                               auth=AuthHmac(secret=secret))
        await tools.sync_tools(tavus, registry, delivery=delivery, pal_id=pal.persona_id,
                               on_resolve="generate_response")

    Args:
        tavus: The client.
        registry: The tools to publish.
        delivery: One delivery for every tool, or a function of the :class:`ToolSpec` that
            returns each tool's (default: app message).
        pal_id: A PAL to attach the tools to.
        names: Only these registered tools (default: all).
        **fields: Other tool fields for every tool (``on_resolve``, ``on_call``, ``tags``...).

    Returns:
        The tools as Tavus now has them, in registry order.

    Raises:
        ToolDefinitionError: A tool Tavus would refuse (before any request for it).
        NotAvailableError: A name in ``names`` is not registered.
        APIError: A request failed.
    """
    wanted = list(names) if names is not None else list(registry)
    bodies: dict[str, dict[str, Any]] = {}
    for name in wanted:
        spec = registry.get(name)
        if spec is None:
            raise NotAvailableError(f"no tool named {name!r} is registered")
        choice = delivery(spec) if callable(delivery) else delivery
        params = registry.tool_params(name, delivery=choice, **fields)
        bodies[name] = msgspec.to_builtins(params)
    existing: dict[str, AccountTool] = {}
    async for tool in tavus.tools.list(tool_type="user"):
        if tool.name in bodies:
            existing[tool.name] = tool
    synced: list[AccountTool] = []
    for name, body in bodies.items():
        current = existing.get(name)
        if current is None:
            synced.append(await tavus.tools.create(body))
        elif _unchanged(current, body):
            synced.append(current)
        else:
            synced.append(await tavus.tools.update(current.tool_id, body))
    if pal_id is not None and synced:
        await tavus.pals.tools.attach(pal_id, [t.tool_id for t in synced])
    return synced
