"""The ``conversations`` resource: ``/v2/conversations``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._pagination import AsyncPaginator
from ..models._common import build_request
from ..models.conversations import Conversation, ConversationCreate
from ._base import AsyncAPIResource, require_id

__all__ = ["Conversations"]

_PATH = "/v2/conversations"


class Conversations(AsyncAPIResource):
    """Real-time video conversations with a replica.

    Example::

        conv = await tavus.conversations.create(persona_id="p...", replica_id="r...")
        print(conv.conversation_url)
        await tavus.conversations.end(conv.conversation_id)
    """

    async def create(
        self,
        params: ConversationCreate | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Conversation:
        """Start a conversation (``POST /v2/conversations``).

        A create is never retried once the request may have reached Tavus (no idempotency key:
        a second conversation would be billed).

        Args:
            params: A :class:`~tavus_async.models.ConversationCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
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
        return await self._request("POST", _PATH, cast_to=Conversation, json=body)

    async def get(self, conversation_id: str, *, verbose: bool | None = None) -> Conversation:
        """Fetch one conversation (``GET /v2/conversations/{id}``).

        Args:
            conversation_id: The conversation's id.
            verbose: Include ``events`` (joins, shutdown, transcript, perception analysis).

        Returns:
            The conversation; see ``.transcript`` and ``.ended_reason`` on verbose results.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such conversation (Tavus answers 400 "Invalid conversation_id").
        """
        cid = require_id("conversation_id", conversation_id)
        return await self._request(
            "GET", f"{_PATH}/{cid}", cast_to=Conversation, params={"verbose": verbose}
        )

    async def end(self, conversation_id: str) -> None:
        """End a conversation (``POST /v2/conversations/{id}/end``); the replica leaves.

        Ending is safe to retry, so transient failures are retried like a GET.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such conversation.
        """
        cid = require_id("conversation_id", conversation_id)
        await self._request_none("POST", f"{_PATH}/{cid}/end", idempotent=True)

    async def delete(self, conversation_id: str, *, hard: bool | None = None) -> None:
        """Delete a conversation (``DELETE /v2/conversations/{id}``).

        Args:
            conversation_id: The conversation's id.
            hard: Also delete its assets, irrevocably.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such conversation.
        """
        cid = require_id("conversation_id", conversation_id)
        await self._request_none("DELETE", f"{_PATH}/{cid}", params={"hard": hard})

    def list(
        self,
        *,
        status: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> AsyncPaginator[Conversation]:
        """List conversations (``GET /v2/conversations``; pages count from 1).

        Args:
            status: ``active`` or ``ended``.
            page: The first page to fetch (default 1).
            limit: Page size.

        Returns:
            A paginator: ``await`` it for one page, ``async for`` over it for every item.
        """
        return self._paginate(
            _PATH,
            item_type=Conversation,
            params={"status": status},
            page=page,
            limit=limit,
            first_page=1,
        )
