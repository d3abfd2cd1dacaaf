"""Secrets in model fields never reach a repr: meeting tokens, and tokens inside URLs."""

from __future__ import annotations

from tavus_async.models import (
    Conversation,
    ConversationCreate,
    ConversationProperties,
    DeploymentStart,
)
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


def test_deployment_start_repr_hides_the_password_and_the_captcha_token() -> None:
    start = DeploymentStart(
        password="hunter2-deploy", captcha_token="P1_opaque_captcha_answer", pal_id="p1"
    )
    for text in (repr(start), repr(start.__rich_repr__())):
        assert "hunter2-deploy" not in text
        assert "P1_opaque_captcha_answer" not in text
        assert "p1" in text


def test_conversation_properties_repr_hides_the_livekit_room_token() -> None:
    # Not JWT-shaped, so only the field mask (not the log redaction) can hide it.
    props = ConversationProperties(
        livekit_ws_url="wss://lk.example.com", livekit_room_token="opaque-room-grant-7"
    )
    for text in (repr(props), repr(ConversationCreate(replica_id="r1", properties=props))):
        assert "opaque-room-grant-7" not in text
        assert "wss://lk.example.com" in text
