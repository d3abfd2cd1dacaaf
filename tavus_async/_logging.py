"""The ``tavus_async`` logger and the filter that keeps secrets out of every record.

The SDK logs through ``logging.getLogger("tavus_async")`` (and children). A :class:`RedactingFilter`
is attached to that logger at import, so a record that mentions an API key, an ``x-api-key`` or
``Authorization`` header, a cookie or a meeting token is rewritten before any handler sees it.
Values registered with :func:`register_secret` (the client registers its key) are masked wherever
they appear, including inside formatted arguments.
"""

from __future__ import annotations

import logging
import os
import re
import threading

__all__ = ["REDACTED", "RedactingFilter", "logger", "redact", "register_secret"]

REDACTED = "[REDACTED]"

logger = logging.getLogger("tavus_async")

_HEADER_RE = re.compile(
    r"(?i)(?P<key>['\"]?(?:x-api-key|authorization|cookie|set-cookie|meeting_token|api_key|token)"
    r"['\"]?\s*[:=]\s*)(?P<quote>['\"]?)(?P<value>(?:Bearer\s+)?[^\s'\",;&}]+)"
)
# Meeting tokens are JWTs; catch them even without a label.
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
# A URL query parameter such as ?t=<token> (how Daily rooms take meeting tokens).
_QUERY_TOKEN_RE = re.compile(r"(?i)([?&](?:t|token|api_key|key)=)[^&\s'\"]+")

_secrets_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask ``value`` in every record the ``tavus_async`` logger emits from now on.

    Args:
        value: A secret such as an API key. Values shorter than 6 characters are ignored,
            because masking them would mangle ordinary words.
    """
    if value and len(value) >= 6:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Return ``text`` with keys, tokens and registered secrets replaced by ``[REDACTED]``."""
    if _secrets:
        with _secrets_lock:
            known = tuple(_secrets)
        for secret in known:
            if secret in text:
                text = text.replace(secret, REDACTED)
    text = _HEADER_RE.sub(lambda m: f"{m.group('key')}{m.group('quote')}{REDACTED}", text)
    text = _JWT_RE.sub(REDACTED, text)
    return _QUERY_TOKEN_RE.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; leave the record be
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True


def _install() -> None:
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    logger.addHandler(logging.NullHandler())
    # TAVUS_LOG=debug|info|warning turns on a stderr handler without any code change.
    level = os.environ.get("TAVUS_LOG", "").strip().upper()
    if level in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        logger.addHandler(handler)
        logger.setLevel(level)


def get_logger(name: str) -> logging.Logger:
    """Return a child of the ``tavus_async`` logger that redacts like its parent.

    Filters attached to a parent logger do not run for records of its children, so each child
    gets its own filter.
    """
    child = logger.getChild(name)
    if not any(isinstance(f, RedactingFilter) for f in child.filters):
        child.addFilter(RedactingFilter())
    return child


_install()
