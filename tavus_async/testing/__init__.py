"""A local, stateful Tavus for tests, demos and development (in the spirit of stripe-mock).

``async with TavusSimulator() as sim:`` serves Tavus's REST API on 127.0.0.1 (``sim.base_url``,
``sim.api_key``, ``sim.client()``), with controllable time (``await sim.advance(seconds)``),
scriptable faults (``sim.faults.add(...)``), webhook deliveries (``sim.callbacks``), counts of
what really ran (``sim.counts``), the requests as received (``sim.requests``), the tool calls
it sent over HTTP as Tavus does (``sim.tool_deliveries``) and, with the room side installed,
joinable conversation rooms.
"""

from __future__ import annotations

from ._brain import (
    CallTool,
    DefaultBrain,
    Emit,
    Replica,
    ReplicaBrain,
    Say,
    Turn,
    guardrail,
    objective,
    perception_tool_call,
)
from ._callbacks import CallbackDispatcher, Delivery
from ._clock import SimClock, TimeMode
from ._faults import FaultPlan, FaultRule
from ._journal import RecordedRequest, RequestJournal
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
    "Replica",
    "ReplicaBrain",
    "RequestJournal",
    "Say",
    "SimClock",
    "SimHooks",
    "Store",
    "TavusSimulator",
    "TimeMode",
    "Timings",
    "ToolDeliveryRecord",
    "Turn",
    "guardrail",
    "objective",
    "perception_tool_call",
    "serve",
]
