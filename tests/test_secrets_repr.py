"""Secrets in model fields never reach a repr: meeting tokens, and tokens inside URLs."""

from __future__ import annotations

from tavus_async.models import Conversation
from tavus_async.webhooks import callback_url, generate_secret


def test_conversation_repr_hides_the_webhook_token_and_the_meeting_token() -> None:
    secret = generate_secret()
    conv = Conversation(
        conversation_id="c123",
        callback_url=callback_url("https://api.example.com/hooks/tavus?tenant=7", secret),
        conversation_url="https://tavus.daily.co/c123?t=eyJhbGciOi.eyJyb29tIjoiYzEyMyJ9.sig_part_1",
        meeting_token="eyJhbGciOi.eyJyb29tIjoiYzEyMyJ9.sig_part_1",
    )
    text = repr(conv)
    assert secret not in text
    assert "sig_part_1" not in text
    assert "c123" in text
    assert "tenant=7" in text  # only the secret is masked, not the whole URL
