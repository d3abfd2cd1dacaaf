"""The ``conversations`` resource: ``/v2/conversations``."""

from __future__ import annotations

import contextlib
import types
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import Unpack

from .._http import RequestOptions
from .._lifecycle import ended_on_exit
from .._pagination import AsyncPaginator
from .._waiters import ProgressCallback, poll_until
from ..models._common import build_request
from ..models._params import ConversationCreateParams
from ..models.conversations import Conversation, ConversationCreate
from ._base import AsyncAPIResource, call_options, require_id

if TYPE_CHECKING:
    from ..room import Room, RoomOptions

__all__ = ["Conversations"]


class Conversations(AsyncAPIResource):
    """Real-time video conversations with a replica.

    Example::

        conv = await tavus.conversations.create(persona_id="p...", replica_id="r...")
        print(conv.conversation_url)
        await tavus.conversations.end(conv.conversation_id)
    """

    async def create(
        self,
        params: ConversationCreate | ConversationCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[ConversationCreateParams],
    ) -> Conversation:
        """Start a conversation (``POST /v2/conversations``).

        A create is never retried once the request may have reached Tavus (no idempotency key:
        a second conversation would be billed).

        Args:
            params: A :class:`~tavus_async.models.ConversationCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.ConversationCreate`
                (``persona_id``, ``replica_id``, ``conversation_name``, ``properties``...).

        Returns:
            The new conversation, with ``conversation_url`` (and ``meeting_token`` for private
            rooms).

        Raises:
            ValueError: An unknown field or a wrong type, before any request.
            ConcurrencyLimitError: The plan's concurrent-conversation limit is reached.
            NotFoundError: The persona or replica does not exist.
            APIError: Any other failure.
        """
        body = build_request(ConversationCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=Conversation,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(
        self,
        conversation_id: str,
        *,
        verbose: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Conversation:
        """Fetch one conversation (``GET /v2/conversations/{id}``).

        Args:
            conversation_id: The conversation's id.
            verbose: Include ``events`` (joins, shutdown, transcript, perception analysis).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The conversation; see ``.transcript`` and ``.ended_reason`` on verbose results.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such conversation (Tavus answers 400 "Invalid conversation_id").
        """
        cid = require_id("conversation_id", conversation_id)
        return await self._request(
            "GET",
            f"{self._path}/{cid}",
            cast_to=Conversation,
            params={"verbose": verbose},
            options=options,
        )

    async def end(self, conversation_id: str, **options: Unpack[RequestOptions]) -> None:
        """End a conversation (``POST /v2/conversations/{id}/end``); the replica leaves.

        Ending is safe to retry, so transient failures are retried like a GET.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such conversation.
        """
        cid = require_id("conversation_id", conversation_id)
        await self._request_none(
            "POST", f"{self._path}/{cid}/end", idempotent=True, options=options
        )

    async def delete(
        self, conversation_id: str, *, hard: bool | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a conversation (``DELETE /v2/conversations/{id}``).

        Args:
            conversation_id: The conversation's id.
            hard: Also delete its assets, irrevocably.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such conversation.
        """
        cid = require_id("conversation_id", conversation_id)
        await self._request_none(
            "DELETE", f"{self._path}/{cid}", params={"hard": hard}, options=options
        )

    def list(
        self,
        *,
        status: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Conversation]:
        """List conversations (``GET /v2/conversations``; pages count from 1).

        Args:
            status: ``active`` or ``ended``.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            A paginator: ``await`` it for one page, ``async for`` over it for every item.
        """
        return self._paginate(
            self._path,
            item_type=Conversation,
            params={"status": status},
            page=page,
            limit=limit,
            options=options,
        )

    def connect(
        self,
        conversation_or_url: Conversation | Mapping[str, Any] | str,
        meeting_token: str | None = None,
        **options: Unpack[RoomOptions],
    ) -> Room:
        """Join a conversation's room: ``async with tavus.conversations.connect(conv) as room``.

        The room is joined on entering the block (after the join completed and the replica is
        in the room) and left on leaving it. With ``end_conversation=True`` the conversation is
        also ended through this client, once, even on an error or a cancellation.

        Args:
            conversation_or_url: A :class:`~tavus_async.models.Conversation` (its URL, id,
                replica and meeting token are used), a dict with those keys, or a URL.
            meeting_token: Overrides the conversation's own token (private rooms).
            **options: Passed to :class:`tavus_async.room.Room` (``join_timeout``,
                ``end_conversation``, ``buffer_size``, ``replica_only``...; see
                :class:`~tavus_async.room.RoomOptions`).

        Returns:
            A :class:`tavus_async.room.Room`, to use with ``async with``.

        Raises:
            ValueError: No conversation URL (a ``test_mode`` conversation has no room).

        Example::

            async with tavus.conversations.connect(conv, end_conversation=True) as room:
                await room.respond("What can you do?")
                async for event in room:
                    print(event)
        """
        from ..room import connect

        # The room only needs ``client.conversations.end(id)``: this namespace is that.
        ender = types.SimpleNamespace(conversations=self)
        return connect(conversation_or_url, meeting_token, client=ender, **options)

    def session(
        self,
        params: ConversationCreate | ConversationCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        end_timeout: float = 30.0,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[ConversationCreateParams],
    ) -> contextlib.AbstractAsyncContextManager[Conversation]:
        """Create a conversation that is always ended when the block exits.

        A running conversation is billed until it ends. This ends it on normal exit, on an
        error and on cancellation (the end call is shielded from the cancellation and bounded
        by ``end_timeout``). Ending an already-ended conversation is harmless.

        Args:
            params: As for :meth:`create`.
            end_timeout: Seconds the end call may take on the way out.
            extra_body: As for :meth:`create`.
            timeout: As for :meth:`create` (the create call only; see ``end_timeout``).
            extra_headers: As for :meth:`create`.
            extra_query: As for :meth:`create`.
            **fields: As for :meth:`create`.

        Returns:
            An async context manager yielding the new :class:`Conversation`.

        Raises:
            APIError: Creating failed; or ending failed after a block that succeeded (after a
                block that raised, an ending failure is logged and the block's error wins).

        Example::

            async with tavus.conversations.session(persona_id="p...", replica_id="r...") as conv:
                async with tavus.conversations.connect(conv) as room:
                    await room.respond("Hello!")
        """
        return ended_on_exit(
            lambda: self.create(
                params,
                extra_body=extra_body,
                timeout=timeout,
                extra_headers=extra_headers,
                extra_query=extra_query,
                **fields,
            ),
            self.end,
            lambda conv: conv.conversation_id,
            end_timeout=end_timeout,
        )

    async def wait_for_status(
        self,
        conversation_id: str,
        status: str | Collection[str] = "ended",
        *,
        timeout: float | None = 600.0,
        interval: float = 1.0,
        max_interval: float = 15.0,
        on_progress: ProgressCallback | None = None,
        request_options: RequestOptions | None = None,
        verbose: bool = False,
    ) -> Conversation:
        """Poll a conversation until its status is ``status`` (default ``"ended"``).

        Args:
            conversation_id: The conversation's id.
            status: The status (or statuses) to wait for.
            timeout: Give up after this many seconds (None: wait for ever).
            interval: First delay between polls; later ones grow up to ``max_interval``.
            max_interval: Longest delay between polls.
            on_progress: Called (sync or async) with a :class:`~tavus_async.Progress` per poll.
            request_options: Per-call options of each poll's request (its own ``timeout``,
                ``extra_headers``...).
            verbose: Fetch with ``verbose=true`` (the final model then carries the events).

        Returns:
            The conversation in the awaited status.

        Raises:
            WaitTimeoutError: ``timeout`` passed first.
            NotFoundError: No such conversation.
        """
        cid = require_id("conversation_id", conversation_id)
        wanted = {status} if isinstance(status, str) else set(status)
        return await poll_until(
            lambda: self.get(cid, verbose=verbose or None, **(request_options or {})),
            what="conversation status",
            resource_id=cid,
            done=wanted,
            failed=(),
            on_progress=on_progress,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )
