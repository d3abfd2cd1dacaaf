"""The fake CallClient pinned to the real daily-python, offline, side by side.

``DailyTransport`` is tested against ``tests/fakes/fake_daily.py``; nothing here can join a
Daily room. This file keeps the fake honest where the real library can run without a room:

1. Surface: every call ``DailyTransport`` makes (found in its source) binds to the real
   ``daily.CallClient`` method; every public method of the fake has the real one's parameters;
   every callback the bridge defines or the fake delivers is a real ``daily.EventHandler``
   method with the same arity.
2. Behaviour: on the same inputs, the real client and the fake refuse or fail the same way
   (payload types, NUL characters, client settings, URLs, subscription profiles, sends before
   the join, calls after ``release``), and fire the same callbacks.

A real join of a parseable URL makes daily-python look the room up for ~19 s: that part is
opt-in (``TAVUS_DAILY_SLOW=1``). The rest runs in about a second.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime
import decimal
import enum
import inspect
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
from fakes import fake_daily
from fakes.fake_daily import FakeCallClient, FakeDailyRoom, FakePanicException

from tavus_async.room import daily as daily_transport
from tavus_async.room.daily import (
    CallClientLike,
    _bridge_class,
    _BridgeMixin,
    ensure_daily_initialized,
)

daily = pytest.importorskip("daily")

ROOT = Path(__file__).resolve().parents[1]
URL = "https://contract.daily.co/room"


@pytest.fixture(scope="module")
def real() -> ModuleType:
    """daily-python, initialised once for this process (a second ``Daily.init`` aborts it)."""
    return ensure_daily_initialized()


# -- recording handlers ----------------------------------------------------------------------


class _Recorder:
    """Collects ``(callback, args)`` from whichever thread delivers them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.threads: set[int] = set()
        self._cond = threading.Condition()

    def record(self, name: str, *args: Any) -> None:
        with self._cond:
            self.calls.append((name, args))
            self.threads.add(threading.get_ident())
            self._cond.notify_all()

    def completion(self, name: str) -> Callable[..., None]:
        return lambda *args: self.record(name, *args)

    def wait(self, name: str, timeout: float = 2.0) -> tuple[Any, ...]:
        with self._cond:
            ok = self._cond.wait_for(lambda: any(n == name for n, _ in self.calls), timeout)
            assert ok, f"no {name} within {timeout} s; got {[n for n, _ in self.calls]}"
            return next(args for n, args in self.calls if n == name)

    def wait_until(
        self, pred: Callable[[list[tuple[str, tuple[Any, ...]]]], bool], timeout: float = 2.0
    ) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: pred(self.calls), timeout), self.calls

    def of(self, name: str) -> list[tuple[Any, ...]]:
        with self._cond:
            return [args for n, args in self.calls if n == name]


def _handler_methods(rec: _Recorder) -> dict[str, Callable[..., None]]:
    def method(name: str) -> Callable[..., None]:
        return lambda self, *args: rec.record(name, *args)

    return {n: method(n) for n in dir(daily.EventHandler) if n.startswith("on_")}


class _Client:
    """One real or fake client with a recorder, released on exit."""

    def __init__(self, kind: str, real: ModuleType | None = None) -> None:
        self.kind = kind
        self.rec = _Recorder()
        if kind == "real":
            assert real is not None
            handler_cls = type("_Rec", (real.EventHandler,), _handler_methods(self.rec))
            self.client: Any = real.CallClient(event_handler=handler_cls())
        else:
            handler = type("_Rec", (), _handler_methods(self.rec))()
            self.client = FakeCallClient(handler, room=FakeDailyRoom())

    def release(self) -> None:
        with contextlib.suppress(RuntimeError):  # already released by the test
            self.client.release()


@pytest.fixture
def pair(real: ModuleType) -> Iterator[dict[str, _Client]]:
    clients = {"real": _Client("real", real), "fake": _Client("fake")}
    yield clients
    for c in clients.values():
        c.release()


# -- 1. the surface --------------------------------------------------------------------------


def _params(fn: Any) -> list[tuple[str, bool]]:
    """(name, optional) of each parameter but ``self``, positional ones only."""
    sig = inspect.signature(fn)
    out = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            out.append((p.name, p.default is not p.empty))
    return out


def _public_methods(cls: type) -> list[str]:
    return [
        name
        for name, value in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(value)
    ]


def test_every_fake_method_has_the_real_parameters(real: ModuleType) -> None:
    methods = _public_methods(FakeCallClient)
    assert {"join", "leave", "send_app_message", "update_subscription_profiles"} <= set(methods)
    for name in methods:
        assert hasattr(real.CallClient, name), f"the fake's {name}() is not a CallClient method"
        assert _params(getattr(FakeCallClient, name)) == _params(getattr(real.CallClient, name)), (
            f"FakeCallClient.{name} does not take the real CallClient.{name}'s parameters"
        )
    # The constructor: the real one takes event_handler; the fake adds only its room (kw-only).
    fake_init = inspect.signature(FakeCallClient.__init__).parameters
    assert list(fake_init)[:2] == ["self", "event_handler"]
    assert fake_init["room"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(real.CallClient).parameters) == ["event_handler"]


def test_the_protocol_the_transport_declares_is_the_real_one(real: ModuleType) -> None:
    members = [n for n in vars(CallClientLike) if not n.startswith("_")]
    assert members
    for name in members:
        assert hasattr(real.CallClient, name), f"CallClientLike.{name} is not a CallClient method"
        assert _params(getattr(CallClientLike, name)) == _params(getattr(real.CallClient, name))


def _transport_calls() -> list[tuple[str, int, list[str]]]:
    """(method, positional count, keywords) of each call on the client in room/daily.py."""
    tree = ast.parse(Path(daily_transport.__file__).read_text())
    calls: list[tuple[str, int, list[str]]] = []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        # set_user_name = getattr(client, "set_user_name", None); set_user_name(name)
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "getattr"
            and isinstance(node.value.args[1], ast.Constant)
            and isinstance(node.targets[0], ast.Name)
        ):
            aliases[node.targets[0].id] = str(node.value.args[1].value)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name: str | None = None
        if isinstance(func, ast.Attribute):
            owner = func.value
            is_client = (isinstance(owner, ast.Name) and owner.id == "client") or (
                isinstance(owner, ast.Attribute) and owner.attr == "_client"
            )
            if is_client:
                name = func.attr
        elif isinstance(func, ast.Name) and func.id in aliases:
            name = aliases[func.id]
        if name is not None:
            calls.append((name, len(node.args), [k.arg for k in node.keywords if k.arg]))
    return calls


def test_every_call_the_transport_makes_binds_to_the_real_client(real: ModuleType) -> None:
    calls = _transport_calls()
    made = {name for name, _, _ in calls}
    assert {
        "join",
        "leave",
        "send_app_message",
        "release",
        "set_user_name",
        "update_subscription_profiles",
    } <= made
    for name, positional, keywords in calls:
        method = getattr(real.CallClient, name, None)
        assert method is not None, f"DailyTransport calls client.{name}(), which Daily lacks"
        sig = inspect.signature(method)
        try:
            sig.bind(None, *([None] * positional), **dict.fromkeys(keywords))
        except TypeError as exc:
            pytest.fail(f"client.{name}({positional} args, {keywords}) does not bind: {exc}")


def _fake_deliveries() -> list[tuple[str, int]]:
    """(callback, argument count) of each ``_deliver("on_...", ...)`` in the fake."""
    tree = ast.parse(Path(fake_daily.__file__).read_text())
    out = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_deliver"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            out.append((str(node.args[0].value), len(node.args) - 1))
    return out


def test_every_callback_is_a_real_event_handler_method(real: ModuleType) -> None:
    bridged = [n for n in vars(_BridgeMixin) if n.startswith("on_")]
    assert {"on_app_message", "on_participant_left", "on_call_state_updated"} <= set(bridged)
    delivered = _fake_deliveries()
    assert delivered
    for name, arity in [(n, len(_params(getattr(_BridgeMixin, n)))) for n in bridged] + delivered:
        method = getattr(real.EventHandler, name, None)
        assert method is not None, f"{name}: not a daily.EventHandler method: Daily never calls it"
        assert len(_params(method)) == arity, f"{name} takes {arity} arguments, Daily passes others"


def test_the_bridge_class_is_a_handler_the_real_client_accepts(real: ModuleType) -> None:
    cls = _bridge_class(real.EventHandler)
    bridge = cls(None, lambda item: None)  # positional: EventHandler.__new__ refuses keywords
    client = real.CallClient(event_handler=bridge)
    client.release()
    with pytest.raises(TypeError):
        cls(loop=None, deliver=lambda item: None)
    with pytest.raises(TypeError, match="EventHandler"):
        real.CallClient(event_handler=object())


# -- 2. behaviour, side by side --------------------------------------------------------------


class _Colour(enum.Enum):
    RED = "red"


class _Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass
class _Point:
    x: int


class _Struct(msgspec.Struct):
    x: int


PAYLOADS: dict[str, Any] = {
    "dict": {"a": [1, 2.5, None, True]},
    "str": "hello",
    "tuple": (1, 2),
    "set": {1},
    "nan": float("nan"),
    "u64": 2**64 - 1,
    "i64": -(2**63),
    "intenum": _Level.HIGH,
    "dataclass": _Point(1),
    "nul_in_string": "a\x00b",
    "int_key": {1: 2},
    "bool_key": {True: 1},
    "bytes": b"ab",
    "bytearray": bytearray(b"ab"),
    "datetime": {"when": datetime.datetime(2026, 1, 1)},
    "date_nested": [{"a": [datetime.date(2026, 1, 1)]}],
    "uuid": uuid.UUID(int=1),
    "decimal": decimal.Decimal("1.5"),
    "enum": _Colour.RED,
    "struct": _Struct(1),
    "bigint": 2**70,
    "below_i64": -(2**63) - 1,
    "surrogate": "\ud800",
    "object": object(),
}


def _send_outcome(client: Any, message: Any) -> tuple[str, str]:
    try:
        client.send_app_message(message, None, completion=lambda *a: None)
    except BaseException as exc:
        return type(exc).__name__, str(exc)
    return "accepted", ""


@pytest.mark.parametrize("case", list(PAYLOADS))
def test_payloads_are_refused_alike(pair: dict[str, _Client], case: str) -> None:
    real, fake = (_send_outcome(pair[k].client, PAYLOADS[case]) for k in ("real", "fake"))
    assert fake == real


def test_none_and_bad_participant_ids_are_refused_alike(pair: dict[str, _Client]) -> None:
    for args in ((None, None), ({"a": 1}, "abc"), ({"a": 1}, "*"), ({"a": 1}, "")):
        outcomes = []
        for kind in ("real", "fake"):
            try:
                pair[kind].client.send_app_message(*args, completion=lambda *a: None)
                outcomes.append(("accepted", ""))
            except Exception as exc:
                outcomes.append((type(exc).__name__, str(exc)))
        assert outcomes[0] == outcomes[1], args


def test_a_send_before_the_join_fails_alike_on_one_foreign_thread(
    pair: dict[str, _Client],
) -> None:
    for c in pair.values():
        c.client.send_app_message({"a": 1}, None, completion=c.rec.completion("done"))
    for c in pair.values():
        assert c.rec.wait("done") == (fake_daily.CHANNEL_NOT_OPEN,)
        c.rec.wait("on_error")
        assert c.rec.of("on_error") == [
            (f"Error handling sendAppMessage: {fake_daily.CHANNEL_NOT_OPEN}",)
        ]
        assert threading.get_ident() not in c.rec.threads
        assert len(c.rec.threads) == 1


@pytest.mark.parametrize("where", ["user_name", "token", "url"])
def test_a_nul_panics_alike_past_except_exception(real: ModuleType, where: str) -> None:
    panics = {}
    raised: BaseException | None = None
    for kind in ("real", "fake"):
        c = _Client(kind, real)
        try:
            if where == "user_name":
                c.client.set_user_name("bo\x00t")
            elif where == "token":
                c.client.join(URL, "to\x00ken", None, completion=lambda *a: None)
            else:
                c.client.join(URL + "\x00", None, None, completion=lambda *a: None)
        except Exception as exc:  # the trap: a panic is not an Exception
            panics[kind] = f"Exception {type(exc).__name__}"
        except BaseException as exc:
            panics[kind] = "BaseException"
            raised = exc
        else:
            panics[kind] = "nothing"
        finally:
            c.release()
    assert panics == {"real": "BaseException", "fake": "BaseException"}
    assert isinstance(raised, FakePanicException)  # the fake's, raised last


SETTINGS: dict[str, Any] = {
    "not_an_object": "str",
    "a_list": [1],
    "unknown_key": {"foo": 1},
    "inputs_not_an_object": {"inputs": "x"},
    "camera_bogus": {"inputs": {"camera": "bogus"}},
}


@pytest.mark.parametrize("case", list(SETTINGS))
def test_bad_client_settings_fail_at_once_alike(real: ModuleType, case: str) -> None:
    errors = {}
    for kind in ("real", "fake"):
        c = _Client(kind, real)
        try:
            c.client.join(URL, None, SETTINGS[case], completion=c.rec.completion("joined"))
            data, error = c.rec.wait("joined", timeout=1.0)
            assert data is None
            errors[kind] = error
        finally:
            c.client.leave()
            c.release()
    assert errors["fake"] == errors["real"]
    assert str(errors["real"]).startswith("Invalid client settings: ")


@pytest.mark.parametrize("url", ["not a url", ""])
def test_an_unparseable_url_fails_at_once_alike(pair: dict[str, _Client], url: str) -> None:
    for c in pair.values():
        c.client.join(url, None, None, completion=c.rec.completion("joined"))
    real, fake = (pair[k].rec.wait("joined") for k in ("real", "fake"))
    assert fake == real
    assert "RelativeUrlWithoutBase" in str(real[1])


def test_subscription_profiles_update_alike(pair: dict[str, _Client]) -> None:
    off = dict.fromkeys(("camera", "microphone", "screenVideo", "screenAudio"), "unsubscribed")
    for c in pair.values():
        c.client.update_subscription_profiles({"base": off}, completion=c.rec.completion("ok"))
        c.client.update_subscription_profiles(
            {"base": {"camera": "bogus"}}, completion=c.rec.completion("bad")
        )
    for c in pair.values():
        assert c.rec.wait("ok") == (None,)
        (error,) = c.rec.wait("bad")
        assert "Invalid subscription state: bogus" in error
        states = {
            kind: value["subscriptionState"]
            for kind, value in c.client.subscription_profiles()["base"].items()
            if kind in off
        }
        assert states == off, c.kind
    # The transport's default profile is one the real library accepts.
    real = pair["real"]
    real.client.update_subscription_profiles(
        daily_transport.subscription_profiles(()), completion=real.rec.completion("default")
    )
    assert real.rec.wait("default") == (None,)


def test_set_user_name_reports_the_local_participant_alike(pair: dict[str, _Client]) -> None:
    for c in pair.values():
        c.client.set_user_name("bot")
    for c in pair.values():
        (participant,) = c.rec.wait("on_participant_updated")
        assert participant["info"]["isLocal"] is True
        assert participant["info"]["userName"] == "bot"


def test_participants_and_leave_before_the_join_look_alike(pair: dict[str, _Client]) -> None:
    shapes = {}
    for kind, c in pair.items():
        local = c.client.participants()["local"]
        shapes[kind] = (sorted(c.client.participants()), sorted(local), sorted(local["media"]))
        assert {"isLocal", "isOwner", "joinedAt"} <= set(local["info"])
        assert isinstance(local["info"]["joinedAt"], int)
        c.client.leave(completion=c.rec.completion("left"))
    assert shapes["fake"] == shapes["real"]
    for c in pair.values():
        assert c.rec.wait("left") == (None,)
        # Completions and events are not ordered with each other: wait for the state too.
        c.rec.wait_until(lambda calls: ("on_call_state_updated", ("left",)) in calls)
        states = [args[0] for args in c.rec.of("on_call_state_updated")]
        assert states[-2:] == ["leaving", "left"]


def test_every_call_after_release_is_a_runtime_error_alike(pair: dict[str, _Client]) -> None:
    calls: list[Callable[[Any], Any]] = [
        lambda c: c.release(),
        lambda c: c.leave(),
        lambda c: c.send_app_message({"a": 1}),
        lambda c: c.participants(),
        lambda c: c.set_user_name("x"),
        lambda c: c.join(URL),
        lambda c: c.update_subscription_profiles({"base": {}}),
    ]
    for c in pair.values():
        c.client.release()
        for call in calls:
            with pytest.raises(RuntimeError, match="already been released"):
                call(c.client)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("TAVUS_DAILY_SLOW") != "1",
    reason="a real room lookup takes ~19 s: set TAVUS_DAILY_SLOW=1",
)
def test_a_room_lookup_fails_alike(real: ModuleType) -> None:
    """An ftp:// URL parses and goes to the lookup; the failure is a standalone error, then
    ``leaving``/``left`` and the completion; a send made meanwhile waits behind the join."""
    outcomes = {}
    for kind in ("real", "fake"):
        c = _Client(kind, real)
        if kind == "fake":
            c.client._room.join_error = fake_daily.ROOM_LOOKUP_FAILED
            c.client._room.join_delay = 0.5
        started = time.monotonic()
        c.client.join(
            "ftp://nonexistent-domain-xyz.daily.co/room", None, None, c.rec.completion("j")
        )
        time.sleep(0.2)
        assert not c.rec.of("j"), f"{kind}: ftp:// failed fast"
        c.client.send_app_message({"a": 1}, None, completion=c.rec.completion("sent"))
        time.sleep(0.1)
        assert not c.rec.of("sent"), f"{kind}: the send did not queue behind the join"
        data, error = c.rec.wait("j", timeout=40)
        (sent_error,) = c.rec.wait("sent", timeout=5)
        errors = [args[0] for args in c.rec.of("on_error")]
        outcomes[kind] = (
            data,
            error.split("(")[0],
            sent_error,
            errors[0].split(":")[0],
            [s for (s,) in c.rec.of("on_call_state_updated")][:2],
        )
        assert time.monotonic() - started < 40
        c.release()
    assert outcomes["fake"] == outcomes["real"]
