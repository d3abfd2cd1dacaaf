"""A local, stateful Tavus for tests, demos and development (in the spirit of stripe-mock).

``async with TavusSimulator() as sim:`` serves Tavus's REST API on 127.0.0.1 (``sim.base_url``,
``sim.api_key``, ``sim.client()``), with controllable time (``await sim.advance(seconds)``),
scriptable faults (``sim.faults.add(...)``), webhook deliveries (``sim.callbacks``), counts of
what really ran (``sim.counts``), the requests as received (``sim.requests``), the tool calls
it sent over HTTP as Tavus does (``sim.tool_deliveries``) and, with the room side installed,
joinable conversation rooms.
"""

from typing import TYPE_CHECKING

from .._lazy import exports

# The exports, read by type checkers and editors as written, imported at run time on first use
# (see tavus_async._lazy: the pytest plugin must not pay for aiohttp in every pytest run).
if TYPE_CHECKING:
    from ._brain import (
        CallTool,
        DefaultBrain,
        Emit,
        ReplicaBrain,
        Say,
        ScriptedReplica,
        ScriptedTurn,
        guardrail,
        objective,
        perception_tool_call,
    )
    from ._callbacks import CallbackDispatcher, Delivery
    from ._clock import SimClock, TimeMode
    from ._faults import FaultPlan, FaultRule
    from ._journal import RecordedRequest, RequestJournal
    from ._options import SimulatorOptions
    from ._simulator import SimHooks, TavusSimulator, Timings, serve
    from ._store import Store
    from ._tools import DeliveryAttempt, ToolDeliveryRecord

__all__ = [
    "CallTool",
    "CallbackDispatcher",
    "DefaultBrain",
    "Delivery",
    "DeliveryAttempt",
    "Emit",
    "FaultPlan",
    "FaultRule",
    "RecordedRequest",
    "ReplicaBrain",
    "RequestJournal",
    "Say",
    "ScriptedReplica",
    "ScriptedTurn",
    "SimClock",
    "SimHooks",
    "SimulatorOptions",
    "Store",
    "TavusSimulator",
    "TimeMode",
    "Timings",
    "ToolDeliveryRecord",
    "guardrail",
    "objective",
    "perception_tool_call",
    "serve",
]

if not TYPE_CHECKING:
    # Hidden from type checkers, so that a misspelt import stays an error for them.
    __getattr__, __dir__ = exports(__name__, __file__, __all__)
