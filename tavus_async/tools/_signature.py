"""``X-Tavus-Signature``: HMAC-SHA256 over the exact bytes of a tool request's body.

Tavus signs an ``hmac`` tool's callback with the tool's shared secret: the header is the
lowercase hex HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes, with no prefix
and no timestamp (api-2026-surface.md §15.2). Verify before parsing anything: re-serialising the
JSON would change the bytes. A ``sha256=`` prefix, as other senders write it, is accepted.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Tavus-Signature"
"""The header that carries the signature."""

_PREFIX = "sha256="


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign(secret: str | bytes, raw_body: bytes) -> str:
    """The ``X-Tavus-Signature`` value for ``raw_body`` (lowercase hex, no prefix).

    >>> sign("whsec_demo_only", b'{"a":1}')[:12]
    '59078ab5fca9'
    """
    # hmac.digest is the one-shot C path: a third cheaper than hmac.new(...).hexdigest().
    return hmac.digest(_key(secret), raw_body, hashlib.sha256).hex()


def verify_signature(secret: str | bytes, raw_body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``raw_body`` under ``secret`` (constant time).

    Args:
        secret: The tool's shared secret (``delivery.api.auth.secret``).
        raw_body: The request body exactly as received, before any JSON parsing.
        header: The ``X-Tavus-Signature`` header's value (None or empty: not signed).

    Returns:
        True only for a matching signature; a missing, malformed or wrong one gives False.
    """
    if not header:
        return False
    given = header.strip()
    if given[: len(_PREFIX)].lower() == _PREFIX:
        given = given[len(_PREFIX) :]
    expected = sign(secret, raw_body)
    # Bytes on both sides: compare_digest refuses non-ASCII str, and a header may hold anything.
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace"))
