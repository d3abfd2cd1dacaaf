"""Chaos: 1,000 mixed REST operations while about 20% of requests fail, against the simulator.

Each operation draws its fate from a seeded RNG: with probability 0.2 a fault rule is scripted
on the simulator for that operation's own route (429 or 503 with and without ``Retry-After``,
502, a connection dropped before or after the endpoint ran or half-way through the answer, a
latency spike under the client's timeout, or a stall over it). Most faults fire once or twice,
within the client's retries; some fire more often than the client retries, so the operation
must fail, with the right typed error, after its retries. Then:

- every operation succeeded or raised exactly the documented error for its fault;
- no create was duplicated (each create has a unique name: at most one record per name on
  the simulator, and successes plus the creates whose answer was lost equal
  ``sim.counts["personas.create"]``);
- nothing was lost: every created persona is readable, every deleted one is gone, every patch
  that succeeded is the persona's final state (or a later one whose answer was lost), every
  ended conversation is ended.

Retry delays are tiny (``retry_initial_delay=0.001``), so the run takes a few seconds.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import pytest
from _leaks import assert_no_leaks, snapshot

from tavus_async import errors
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

OPERATIONS = 1_000
WORKERS = 16
FAULT_RATE = 0.2
MAX_RETRIES = 3
TIMEOUT = 0.5
SEED = 20260501

#: (kind, fault rule options) for each fault the chaos draws from.
FAULTS: dict[str, dict[str, Any]] = {
    "429+retry-after": {"status": 429, "retry_after": 0},
    "429": {"status": 429},
    "502": {"status": 502},
    "503+retry-after": {"status": 503, "retry_after": "0.001"},
    "503": {"status": 503},
    "drop-before": {"drop": "before"},
    "drop-after": {"drop": "after"},
    "drop-mid": {"drop": "mid"},
    "latency": {"latency": 0.1},
    "stall": {"latency": TIMEOUT + 0.3},
}
#: Faults after which the endpoint has not run (the server said so or never got that far).
NOT_EXECUTED = {"429+retry-after", "429", "502", "503+retry-after", "503", "drop-before"}
#: Faults that make the answer go missing after the endpoint ran.
ANSWER_LOST = {"drop-after", "drop-mid"}
#: Statuses a create may retry (the server did not process it).
CREATE_RETRIES = {"429+retry-after", "429", "503+retry-after", "503"}


def _error_for(kind: str) -> type[Exception]:
    """The typed error an operation must raise when ``kind`` outlasts its retries."""
    if kind.startswith("429"):
        return errors.RateLimitError
    if kind[:3] in ("502", "503"):
        return errors.InternalServerError
    if kind == "stall":
        return errors.APITimeoutError
    return errors.APIConnectionError


@dataclass
class Op:
    """One planned operation and what happened to it."""

    index: int
    kind: str
    target: str = ""
    value: str = ""
    fault: str | None = None
    times: int = 0
    outlast: bool = False
    outcome: str = "pending"
    error: BaseException | None = None
    result: Any = None


@dataclass
class World:
    """The resources the workload acts on, made before the chaos starts."""

    personas: list[str] = field(default_factory=list)
    doomed: list[str] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator() as s:
        yield s


def _plan(rng: random.Random, world: World) -> list[Op]:
    doomed = list(world.doomed)
    conversations = list(world.conversations)
    ops: list[Op] = []
    for i in range(OPERATIONS):
        roll = rng.random()
        if roll < 0.2:
            op = Op(i, "personas.create", value=f"chaos-{i}")
        elif roll < 0.45:
            op = Op(i, "personas.get", target=rng.choice(world.personas))
        elif roll < 0.65:
            op = Op(i, "personas.patch", target=rng.choice(world.personas), value=f"prompt {i}")
        elif roll < 0.8:
            op = Op(i, "personas.list")
        elif roll < 0.88 and doomed:
            op = Op(i, "personas.delete", target=doomed.pop())
        elif roll < 0.94 and conversations:
            op = Op(i, "conversations.end", target=conversations.pop())
        else:
            op = Op(i, "replicas.list")
        if rng.random() < FAULT_RATE:
            op.fault = rng.choice(sorted(FAULTS))
            # Mostly within the retries; one in six outlasts them.
            op.outlast = rng.random() < 1 / 6
            op.times = MAX_RETRIES + 1 if op.outlast else rng.choice((1, 1, 2))
        ops.append(op)
    return ops


def _route(op: Op) -> str:
    """A fault route only this operation's requests match."""
    if op.kind == "personas.create":
        return "POST /v2/personas"
    if op.kind == "personas.list":
        return "GET /v2/personas"
    if op.kind == "replicas.list":
        return "GET /v2/replicas"
    if op.kind == "conversations.end":
        return f"POST /v2/conversations/{op.target}/end"
    method = {"personas.get": "GET", "personas.patch": "PATCH", "personas.delete": "DELETE"}
    return f"{method[op.kind]} /v2/personas/{op.target}"


#: Routes several operations share: a fault scripted there fires on whichever request comes
#: first, so operations on them run one at a time.
SHARED = {"POST /v2/personas", "GET /v2/personas", "GET /v2/replicas"}


async def _run_op(op: Op, tavus: Any, sim: TavusSimulator, world: World) -> None:
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "personas.create": lambda: tavus.personas.create(
            persona_name=op.value, system_prompt="chaos"
        ),
        "personas.get": lambda: tavus.personas.get(op.target),
        "personas.patch": lambda: tavus.personas.patch(
            op.target, [{"op": "replace", "path": "/system_prompt", "value": op.value}]
        ),
        "personas.list": lambda: tavus.personas.list(limit=5),
        "personas.delete": lambda: tavus.personas.delete(op.target),
        "conversations.end": lambda: tavus.conversations.end(op.target),
        "replicas.list": lambda: tavus.replicas.list(limit=5),
    }
    route = _route(op)
    lock = world.locks.setdefault(route if route in SHARED else op.target or route, asyncio.Lock())
    async with lock:
        rule = None
        if op.fault is not None:
            times = op.times
            if op.fault in ("drop-before", "drop-after") and route.startswith(("GET", "DELETE")):
                # aiohttp itself resends a GET or DELETE once when a reused connection turns
                # out closed, so one attempt of ours may meet a dropping rule twice.
                times *= 2
            rule = sim.faults.add(route, times=times, **FAULTS[op.fault])
        try:
            with anyio.fail_after(30):
                op.result = await calls[op.kind]()
            op.outcome = "ok"
        except errors.TavusError as exc:
            op.outcome, op.error = "error", exc
        except Exception as exc:  # anything else escaping is a bug the test reports
            op.outcome, op.error = "escaped", exc
        finally:
            if rule is not None:
                sim.faults.remove(rule)
                op.times = rule.hits  # what really fired


def _retried_for(op: Op) -> set[str]:
    """The faults ``op`` retries (a create retries only what the server did not process)."""
    if op.kind == "personas.create":
        return CREATE_RETRIES
    return set(FAULTS) - {"latency"}


def _expected(op: Op) -> type[Exception] | None:
    """The error ``op`` must raise given the faults that fired (None: it must succeed)."""
    if op.fault is None or op.times == 0:
        return None
    idempotent = op.kind != "personas.create"
    retryable = idempotent or op.fault in CREATE_RETRIES or op.fault in ("latency",)
    if op.fault == "latency":
        return None
    if not retryable:
        return _error_for(op.fault)
    if op.outlast:
        return _error_for(op.fault)
    return None


async def test_a_thousand_operations_under_twenty_percent_faults(sim: TavusSimulator) -> None:
    rng = random.Random(SEED)
    before = snapshot()
    world = World()
    async with sim.client(
        max_retries=MAX_RETRIES,
        timeout=TIMEOUT,
        retry_initial_delay=0.001,
        retry_max_delay=0.005,
    ) as tavus:
        replica = (await tavus.replicas.list(limit=1)).data[0].replica_id
        for i in range(20):
            p = await tavus.personas.create(persona_name=f"pool-{i}", system_prompt="start")
            world.personas.append(p.persona_id)
        for i in range(80):
            p = await tavus.personas.create(persona_name=f"doomed-{i}", system_prompt="x")
            world.doomed.append(p.persona_id)
        for _ in range(40):
            c = await tavus.conversations.create(persona_id=world.personas[0], replica_id=replica)
            world.conversations.append(c.conversation_id)
        creates_before = sim.counts["personas.create"]
        ops = _plan(rng, world)
        queue: asyncio.Queue[Op] = asyncio.Queue()
        for op in ops:
            queue.put_nowait(op)

        async def worker() -> None:
            while not queue.empty():
                await _run_op(queue.get_nowait(), tavus, sim, world)

        with anyio.fail_after(120):
            await asyncio.gather(*(worker() for _ in range(WORKERS)))

        # 1. Every operation succeeded or failed with exactly the error its faults call for.
        escaped = [(op.index, op.kind, repr(op.error)) for op in ops if op.outcome == "escaped"]
        assert escaped == []
        wrong: list[tuple[object, ...]] = []
        for op in ops:
            want = _expected(op)
            # A delete that ran but whose answer was lost is retried and finds the persona gone:
            # 404 is the honest answer to that retry (and the persona is gone either way).
            if (
                op.kind == "personas.delete"
                and op.fault in ANSWER_LOST
                and isinstance(op.error, errors.NotFoundError)
            ):
                continue
            if want is None and op.outcome != "ok":
                wrong.append((op.index, op.kind, op.fault, op.times, repr(op.error)))
            elif want is not None and not isinstance(op.error, want):
                wrong.append((op.index, op.kind, op.fault, op.times, want.__name__, op.outcome))
            elif (
                want is not None
                and op.outlast
                and op.fault in _retried_for(op)
                and f"after {MAX_RETRIES + 1} attempts" not in str(op.error)
            ):
                # The error must say the retries were spent, so nobody retries it blindly.
                wrong.append((op.index, op.kind, op.fault, "no attempt count", str(op.error)))
        assert wrong == [], "\n".join(map(str, wrong))

        # 2. No create duplicated; successes + lost answers == what the simulator created.
        names = Counter(
            p["persona_name"]
            for p in sim.store.personas.values()
            if str(p.get("persona_name", "")).startswith("chaos-")
        )
        assert [n for n, c in names.items() if c > 1] == []
        creates = [op for op in ops if op.kind == "personas.create"]
        ok_creates = [op for op in creates if op.outcome == "ok"]
        lost_answers = [op for op in creates if op.outcome == "error" and op.value in names]
        for op in lost_answers:
            # Only a fault that hit after the create ran may lose its answer (a stall may run
            # the create while the client has already given up on it).
            assert op.fault in ANSWER_LOST | {"stall"}, (op.index, op.fault, repr(op.error))
            assert isinstance(op.error, errors.APIConnectionError)
        for op in creates:
            if op.outcome == "error" and op.fault in NOT_EXECUTED:
                assert op.value not in names, (op.index, op.fault)
        created = sim.counts["personas.create"] - creates_before
        assert created == len(ok_creates) + len(lost_answers)

        # 3. Nothing lost.
        for op in ok_creates:
            assert sim.store.personas[op.result.persona_id]["persona_name"] == op.value
        for op in ops:
            if op.kind == "personas.delete" and op.outcome == "ok":
                assert op.target not in sim.store.personas
            if op.kind == "conversations.end" and op.outcome == "ok":
                assert sim.store.conversations[op.target]["status"] == "ended"
        for pid in world.personas:
            patches = [op for op in ops if op.kind == "personas.patch" and op.target == pid]
            done = [i for i, op in enumerate(patches) if op.outcome == "ok"]
            final = sim.store.personas[pid]["system_prompt"]
            if not done:
                continue
            # The last successful patch, or a later one that ran but whose answer was lost.
            allowed = {patches[done[-1]].value} | {
                op.value for op in patches[done[-1] + 1 :] if op.outcome == "error"
            }
            assert final in allowed, (pid, final, allowed)

        faults = Counter(op.fault for op in ops if op.fault and op.times)
        outcomes = Counter(op.outcome for op in ops)
        print(
            f"chaos: {len(ops)} operations, {sum(faults.values())} faulted "
            f"({sim.faults.injected} faulty answers), outcomes {dict(outcomes)}, "
            f"faults {dict(sorted(faults.items()))}, creates ok {len(ok_creates)}, "
            f"answers lost {len(lost_answers)}"
        )
        assert sum(faults.values()) >= OPERATIONS * FAULT_RATE * 0.7
        # The faults that outlast the retries did happen, so the errors were exercised.
        assert outcomes["error"] > 0
    await assert_no_leaks(before)
