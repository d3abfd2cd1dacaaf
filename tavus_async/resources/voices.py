"""The ``voices`` resource: ``/v2/voices`` (stock voices for image-trained replicas)."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from ..errors import InvalidInputError
from ..models.voices import Voice
from ._base import AsyncAPIResource

__all__ = ["Voices"]


class Voices(AsyncAPIResource):
    """Stock voices: pass a ``voice_name`` to ``replicas.create(train_image_url=...)``."""

    def list(
        self,
        *,
        search: str | None = None,
        sort: str | None = None,
        tag: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> AsyncPaginator[Voice]:
        """List stock voices (``GET /v2/voices``; pages count from 1, at most 100 per page).

        Args:
            search: Case-insensitive substring of ``voice_name``.
            sort: ``asc`` (default) or ``desc`` by name.
            tag: Only voices whose replica has this tag.
            page: The first page to fetch (default 1).
            limit: Page size (1-100).
        """
        if limit is not None and isinstance(limit, int) and limit > 100:
            raise InvalidInputError(f"limit must be between 1 and 100 for voices, got {limit}")
        return self._paginate(
            self._path,
            item_type=Voice,
            params={"search": search, "sort": sort, "tag": tag},
            page=page,
            limit=limit or 100,
        )
