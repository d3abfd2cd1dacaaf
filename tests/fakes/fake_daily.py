"""A fake ``daily.CallClient`` that delivers everything from its own thread, like the real one.

The real SDK calls completions and event-handler methods on one native thread per client
(``daily-emitter``), never the caller's. A fake that called them inline on the event loop would
hide every bridging bug, so each :class:`FakeCallClient` owns an emitter thread and a queue:
requests return at once and their completions/events arrive later from that thread, with the
argument shapes and error strings measured on daily-python 0.36 (see daily-python.md).

A :class:`FakeDailyRoom` links clients and scripted *remote* participants (the replica, a
guest) so a test can inject app messages and read what clients sent.
"""

from __future__ import annotations

import copy
import dataclasses
import queue
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

CHANNEL_NOT_OPEN = "AppMessage(Signalling(ChannelNotOpen))"
ROOM_LOOKUP_FAILED = (
    "Connection(Api(RoomLookup(RoomInfoFetchFailed(Get(hyper_util::client::legacy::Error("
    'Connect, Custom { kind: Uncategorized, error: "failed to lookup address information: '
    'Name or service not known" }))))))'
)


ROOM_INFO_FAILED = "Failed to fetch room information: GET failed: client error (Connect)"
_MEDIA_KINDS = ("camera", "microphone", "screenVideo", "screenAudio")
_SUBSCRIPTION_STATES = ("subscribed", "unsubscribed", "staged")
_JSON_INT = (-(2**63), 2**64 - 1)


class FakePanicException(BaseException):
    """What daily-python raises on a NUL in a string it hands to Rust (``PanicException``).

    Like pyo3's, it is a ``BaseException``: ``except Exception`` does not catch it.
    """


def _no_nul(value: str | None) -> None:
    if value is not None and "\x00" in value:
        raise FakePanicException("called `Result::unwrap()` on an `Err` value: NulError")


def check_payload(value: Any) -> None:
    """Refuse, synchronously and with the same exception types, what daily-python refuses.

    Measured on daily-python 0.36 (its ``depythonize`` into ``serde_json::Value``): JSON-native
    values, tuples, sets, int subclasses (``IntEnum``, ``bool``), dict and str subclasses and
    dataclasses pass; non-str keys, ``bytes``, ``bytearray``, ``datetime``, ``UUID``,
    ``Decimal``, ``Enum``, Structs and integers outside 64 bits do not.
    """
    if value is None or isinstance(value, (bool, float, str)):
        if isinstance(value, str):
            value.encode()  # a lone surrogate: UnicodeEncodeError, as Daily raises
        return
    if isinstance(value, int):
        if not _JSON_INT[0] <= value <= _JSON_INT[1]:
            raise Exception("JSON number out of range")
        return
    if isinstance(value, bytes):
        raise Exception("invalid type: byte array, expected any valid JSON value")
    if isinstance(value, bytearray):
        raise TypeError("unexpected type: 'bytearray' object is not an instance of 'bytes'")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"unexpected type: '{type(key).__name__}' object is not an instance of 'str'"
                )
            check_payload(item)
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_payload(item)
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        check_payload(dataclasses.asdict(value))
        return
    raise TypeError(f"unsupported type {type(value).__name__}")


def _settings_error(client_settings: Any) -> str | None:
    """daily-python's immediate ``Invalid client settings`` error for these settings, if any."""
    if client_settings is None:
        return None
    if not isinstance(client_settings, Mapping):
        return "ClientSettings is not an object"
    unknown = [k for k in client_settings if k not in ("inputs", "publishing", "connection")]
    if unknown:
        keys = ", ".join(f'\\"{k}\\"' for k in unknown)
        allowed = '\\"inputs\\", \\"publishing\\", \\"connection\\"'
        return f"Object contains unknown keys: [{keys}]. Allowed keys: [{allowed}]"
    inputs = client_settings.get("inputs")
    if inputs is not None and not isinstance(inputs, Mapping) and inputs != "fromDefaults":
        return "Input settings was not an object or the string 'fromDefaults'"
    for device in (inputs or {}).values() if isinstance(inputs, Mapping) else ():
        if not isinstance(device, (bool, Mapping)):
            return "Input settings is not an object or a boolean shorthand"
    return None


def _media() -> dict[str, Any]:
    off = {"offReasons": ["user"], "state": "off", "subscribed": "unsubscribed"}
    media: dict[str, Any] = {kind: dict(off) for kind in _MEDIA_KINDS}
    media.update(customAudio={}, customVideo={})
    return media


def _info(pid: str, name: str, *, is_local: bool, user_id: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "isLocal": is_local,
        "isOwner": False,
        "joinedAt": int(time.time()),
        "permissions": {"canSend": True, "hasPresence": True, "canAdmin": False},
    }
    if name:  # like Daily: userName appears only once set
        info["userName"] = name
    if user_id is not None:
        info["userId"] = user_id
    return {"id": pid, "info": info, "media": _media()}


class FakeDailyRoom:
    """One Daily room shared by fake clients and scripted remote participants.

    Attributes:
        join_error: When set, the next join completes with this error (then it is cleared).
        join_delay: Seconds before a join completes (on a timer thread, like Daily's retries).
        send_delay: Seconds before a send completes (to exercise send timeouts).
        send_error: When set, every send completes with this error.
        send_delay_for: When set, the delay of each send's completion, from its message
            (real completions are not FIFO: give later messages shorter delays to see that).
        left_after_join: Daily reports ``left`` right after the next join's completion (an
            instant eject, or a room that ends just as we join).
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self.clients: dict[str, FakeCallClient] = {}
        self.remotes: dict[str, dict[str, Any]] = {}
        self.inbox: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        self.join_error: str | None = None
        self.join_delay = 0.0
        self.send_delay = 0.0
        self.send_error: str | None = None
        self.send_delay_for: Callable[[Any], float] | None = None
        self.left_after_join = False
        self.created: list[FakeCallClient] = []

    def factory(self, handler: Any) -> FakeCallClient:
        """The ``client_factory`` for ``DailyTransport``."""
        client = FakeCallClient(handler, room=self)
        self.created.append(client)
        return client

    # -- scripted remote participants ----------------------------------------------------------

    def add_remote(self, name: str, *, user_id: str | None = None) -> str:
        """A remote participant joins; every joined client hears ``on_participant_joined``."""
        pid = str(uuid.uuid4())
        with self._lock:
            self.remotes[pid] = _info(pid, name, is_local=False, user_id=user_id)
            clients = list(self.clients.values())
        for client in clients:
            client._deliver("on_participant_joined", copy.deepcopy(self.remotes[pid]))
        return pid

    def add_remote_as(self, pid: str, name: str, *, user_id: str | None = None) -> str:
        """Like :meth:`add_remote`, with a chosen participant id."""
        with self._lock:
            self.remotes[pid] = _info(pid, name, is_local=False, user_id=user_id)
            clients = list(self.clients.values())
        for client in clients:
            client._deliver("on_participant_joined", copy.deepcopy(self.remotes[pid]))
        return pid

    def update_remote(
        self, pid: str, *, name: str | None = None, user_id: str | None = None
    ) -> None:
        """A remote participant's info changes; clients hear ``on_participant_updated``."""
        with self._lock:
            info = self.remotes[pid]["info"]
            if name is not None:
                info["userName"] = name
            if user_id is not None:
                info["userId"] = user_id
            clients = list(self.clients.values())
        for client in clients:
            client._deliver("on_participant_updated", copy.deepcopy(self.remotes[pid]))

    def remove_remote(self, pid: str, reason: str = "leftCall") -> None:
        """A remote participant leaves."""
        with self._lock:
            info = self.remotes.pop(pid)
            clients = list(self.clients.values())
        for client in clients:
            client._deliver("on_participant_left", copy.deepcopy(info), reason)

    def send_from(self, sender: str, message: Any, recipient: str | None = None) -> None:
        """A remote participant sends an app message (broadcast or to one client)."""
        with self._lock:
            targets = [
                c
                for c in self.clients.values()
                if recipient is None or c.participant_id == recipient
            ]
        for client in targets:
            client._deliver("on_app_message", copy.deepcopy(message), sender)

    def eject_all(self) -> None:
        """The room ends under everyone (Daily reports call state ``left``)."""
        with self._lock:
            clients = list(self.clients.values())
            self.clients.clear()
        for client in clients:
            client._state = "left"
            client._deliver("on_call_state_updated", "left")

    def wait_inbox(self, pid: str, count: int, timeout: float = 5.0) -> list[tuple[Any, str]]:
        """Block until remote ``pid`` received ``count`` messages; return them (message, sender)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.inbox[pid]) >= count, timeout):
                raise TimeoutError(f"{pid} received {len(self.inbox[pid])} of {count} messages")
            return list(self.inbox[pid])

    # -- used by clients -----------------------------------------------------------------------

    def _participants_of(self, client: FakeCallClient) -> dict[str, Any]:
        with self._lock:
            participants: dict[str, Any] = {"local": client._info(local=True)}
            if client.participant_id in self.clients:
                for pid, info in self.remotes.items():
                    participants[pid] = copy.deepcopy(info)
                for other in self.clients.values():
                    if other is not client:
                        participants[other.participant_id] = other._info(local=False)
            return participants

    def _joined(self, client: FakeCallClient) -> dict[str, Any]:
        with self._lock:
            others = list(self.clients.values())
            self.clients[client.participant_id] = client
            participants: dict[str, Any] = {"local": client._info(local=True)}
            for pid, info in self.remotes.items():
                participants[pid] = copy.deepcopy(info)
            for other in others:
                participants[other.participant_id] = other._info(local=False)
        for other in others:
            other._deliver("on_participant_joined", client._info(local=False))
        return {"meetingSession": {"id": str(uuid.uuid4())}, "participants": participants}

    def _left(self, client: FakeCallClient) -> None:
        with self._lock:
            present = self.clients.pop(client.participant_id, None) is not None
            others = list(self.clients.values())
        if present:
            for other in others:
                other._deliver("on_participant_left", client._info(local=False), "leftCall")

    def _route(self, sender: FakeCallClient, message: Any, recipient: str | None) -> None:
        with self._lock:
            targets = [
                c
                for c in self.clients.values()
                if c is not sender and (recipient is None or c.participant_id == recipient)
            ]
            for pid in self.remotes:
                if recipient is None or pid == recipient:
                    self.inbox[pid].append((copy.deepcopy(message), sender.participant_id))
            self._lock.notify_all()
        for client in targets:
            client._deliver("on_app_message", copy.deepcopy(message), sender.participant_id)


class FakeCallClient:
    """Implements the ``CallClient`` calls ``DailyTransport`` makes, on its own emitter thread."""

    def __init__(self, event_handler: Any = None, *, room: FakeDailyRoom) -> None:
        self._handler = event_handler
        self._room = room
        self.participant_id = str(uuid.uuid4())
        self.user_name = ""
        self._state = "initialized"
        self._released = False
        self._queued_sends: list[Callable[[], None]] = []
        # daily-python's default: every participant's media subscribed.
        self._profiles: dict[str, dict[str, str]] = {
            "base": dict.fromkeys(_MEDIA_KINDS, "subscribed")
        }
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue()
        self._timers: list[threading.Timer] = []
        self.emitter_thread_ids: set[int] = set()
        self._thread = threading.Thread(target=self._run, name="fake-daily-emitter", daemon=True)
        self._thread.start()

    # -- emitter thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                fn, args = item
                self.emitter_thread_ids.add(threading.get_ident())
                try:
                    fn(*args)
                except Exception as exc:  # Daily prints and carries on (write_unraisable)
                    print(f"fake daily: callback raised {exc!r}")
            finally:
                self._queue.task_done()

    def _emit(self, fn: Callable[..., Any] | None, *args: Any) -> None:
        if fn is not None:
            self._queue.put((fn, args))

    def _deliver(self, method: str, *args: Any) -> None:
        handler = self._handler
        if handler is not None and not self._released:
            self._emit(getattr(handler, method, None), *args)

    def _check(self) -> None:
        if self._released:
            raise RuntimeError("this object has already been released")

    def _info(self, *, local: bool) -> dict[str, Any]:
        return _info(self.participant_id, self.user_name, is_local=local)

    def _fail(self, op: str, completion: Callable[..., Any] | None, error: str, arity: int) -> None:
        if completion is not None:
            self._emit(completion, *((None, error) if arity == 2 else (error,)))
        self._deliver("on_error", f"Error handling {op}: {error}")

    # -- the CallClient surface ----------------------------------------------------------------

    def set_user_name(self, user_name: str) -> None:
        self._check()
        _no_nul(user_name)
        self.user_name = user_name
        self._deliver("on_participant_updated", self._info(local=True))

    def participants(self) -> dict[str, Any]:
        self._check()
        return self._room._participants_of(self)

    def update_subscription_profiles(
        self, profile_settings: Any, completion: Callable[..., Any] | None = None
    ) -> None:
        self._check()
        for profile in dict(profile_settings).values():
            for state in dict(profile).values():
                if state not in _SUBSCRIPTION_STATES:
                    error = (
                        "Profile subscription settings were not valid JsonApiError "
                        f'{{ message: "Invalid subscription state: {state}" }}'
                    )
                    self._fail("updateSubscriptionProfiles", completion, error, 1)
                    return
        for name, profile in dict(profile_settings).items():
            self._profiles.setdefault(name, {}).update(dict(profile))
        self._emit(completion, None)

    def subscription_profiles(self) -> dict[str, Any]:
        """The profiles in daily-python's shape (``subscriptionState`` per media kind)."""
        self._check()
        return {
            name: {kind: {"subscriptionState": state} for kind, state in profile.items()}
            for name, profile in self._profiles.items()
        }

    def join(
        self,
        meeting_url: str,
        meeting_token: str | None = None,
        client_settings: Any = None,
        completion: Callable[..., Any] | None = None,
    ) -> None:
        self._check()
        _no_nul(meeting_url)
        _no_nul(meeting_token)
        # Like the `url` crate: any absolute URL parses (ftp:// too: it then goes to the room
        # lookup, like any other); only a relative one fails fast.
        if not urlsplit(meeting_url).scheme:
            self._fail(
                "join",
                completion,
                f'Failed to parse url: InvalidUrl("{meeting_url}", RelativeUrlWithoutBase)',
                2,
            )
            return
        invalid = _settings_error(client_settings)
        if invalid is not None:
            error_text = f'Invalid client settings: JsonApiError {{ message: "{invalid}" }}'
            self._fail("join", completion, error_text, 2)
            return
        error, self._room.join_error = self._room.join_error, None
        left_after, self._room.left_after_join = self._room.left_after_join, False
        self._state = "joining"

        def finish() -> None:
            if error is not None:
                if error.startswith("Connection(Api(RoomLookup"):
                    self._deliver("on_error", ROOM_INFO_FAILED)  # standalone, before leaving
                self._deliver("on_call_state_updated", "leaving")
                self._deliver("on_call_state_updated", "left")
                self._state = "left"
                self._fail("join", completion, error, 2)
                self._flush_queued_sends()
                return
            self._deliver("on_call_state_updated", "joining")
            data = self._room._joined(self)
            self._state = "joined"
            self._deliver("on_call_state_updated", "joined")
            self._emit(completion, data, None)
            if left_after:
                self._room._left(self)
                self._state = "left"
                self._deliver("on_call_state_updated", "left")
            self._flush_queued_sends()

        self._later(self._room.join_delay, finish)

    def _flush_queued_sends(self) -> None:
        """Sends made during the join ran once it settled (Daily queues them behind it)."""
        queued, self._queued_sends = self._queued_sends, []
        for send in queued:
            send()

    def _later(self, delay: float, fn: Callable[[], None]) -> None:
        if delay <= 0:
            self._emit(fn)
            return
        timer = threading.Timer(delay, lambda: self._queue.put((fn, ())))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def leave(self, completion: Callable[..., Any] | None = None) -> None:
        self._check()

        def finish() -> None:
            self._deliver("on_call_state_updated", "leaving")
            self._room._left(self)
            self._state = "left"
            self._deliver("on_call_state_updated", "left")
            self._emit(completion, None)

        # Like Daily, a leave queues behind a pending join.
        pending = [t for t in self._timers if t.is_alive()]
        if pending:
            self._later(max(0.0, self._room.join_delay) + 0.01, finish)
        else:
            self._emit(finish)

    def send_app_message(
        self,
        message: Any,
        participant_id: str | None = None,
        completion: Callable[..., Any] | None = None,
    ) -> None:
        self._check()
        if participant_id is not None:
            try:
                uuid.UUID(participant_id)
            except ValueError:
                raise ValueError(f"invalid participant ID '{participant_id}'") from None
        if message is None:
            raise ValueError("invalid app message 'None'")
        check_payload(message)

        def send() -> None:
            if self._state != "joined":
                self._fail("sendAppMessage", completion, CHANNEL_NOT_OPEN, 1)
                return
            if self._room.send_error is not None:
                self._fail("sendAppMessage", completion, self._room.send_error, 1)
                return
            self._room._route(self, message, participant_id)
            delay_for = self._room.send_delay_for
            delay = delay_for(message) if delay_for is not None else self._room.send_delay
            self._later(delay, lambda: self._emit(completion, None))

        if self._state == "joining":
            self._queued_sends.append(send)  # Daily queues it behind the pending join
        else:
            send()

    def release(self) -> None:
        """Wait for pending work, like the real release, then stop the emitter thread."""
        self._check()
        for timer in self._timers:
            timer.join()
        self._queue.join()
        self._released = True
        self._queue.put(None)
        self._thread.join()

    @property
    def thread_alive(self) -> bool:
        """Whether the emitter thread still runs (False after release)."""
        return self._thread.is_alive()
