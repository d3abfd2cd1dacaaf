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
import queue
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

CHANNEL_NOT_OPEN = "AppMessage(Signalling(ChannelNotOpen))"
ROOM_LOOKUP_FAILED = (
    "Connection(Api(RoomLookup(RoomInfoFetchFailed(Get(hyper_util::client::legacy::Error("
    'Connect, Custom { kind: Uncategorized, error: "failed to lookup address information: '
    'Name or service not known" }))))))'
)


def _info(pid: str, name: str, *, is_local: bool, user_id: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"isLocal": is_local, "isOwner": False, "userName": name}
    if user_id is not None:
        info["userId"] = user_id
    return {"id": pid, "info": info, "media": {}}


class FakeDailyRoom:
    """One Daily room shared by fake clients and scripted remote participants.

    Attributes:
        join_error: When set, the next join completes with this error (then it is cleared).
        join_delay: Seconds before a join completes (on a timer thread, like Daily's retries).
        send_delay: Seconds before a send completes (to exercise send timeouts).
        send_error: When set, every send completes with this error.
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
        self.user_name = user_name

    def participants(self) -> dict[str, Any]:
        self._check()
        return {"local": self._info(local=True)}

    def join(
        self,
        meeting_url: str,
        meeting_token: str | None = None,
        client_settings: Any = None,
        completion: Callable[..., Any] | None = None,
    ) -> None:
        self._check()
        parts = urlsplit(meeting_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self._fail(
                "join",
                completion,
                f'Failed to parse url: InvalidUrl("{meeting_url}", RelativeUrlWithoutBase)',
                2,
            )
            return
        error, self._room.join_error = self._room.join_error, None

        def finish() -> None:
            if error is not None:
                self._deliver("on_call_state_updated", "leaving")
                self._deliver("on_call_state_updated", "left")
                self._fail("join", completion, error, 2)
                return
            self._deliver("on_call_state_updated", "joining")
            data = self._room._joined(self)
            self._state = "joined"
            self._deliver("on_call_state_updated", "joined")
            self._emit(completion, data, None)

        self._later(self._room.join_delay, finish)

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
        if self._state != "joined":
            self._fail("sendAppMessage", completion, CHANNEL_NOT_OPEN, 1)
            return
        if self._room.send_error is not None:
            self._fail("sendAppMessage", completion, self._room.send_error, 1)
            return
        self._room._route(self, message, participant_id)
        self._later(self._room.send_delay, lambda: self._emit(completion, None))

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
