"""Deployment models: a PAL in front of the public as a landing page, an embed or a widget.

See api-2026-surface.md §11. A deployment's ``password`` is write-only: Tavus answers with
``has_password``, and the password is masked in ``repr``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import msgspec

from ._common import Model, RequestModel, Timestamped

__all__ = [
    "Deployment",
    "DeploymentConversationEnd",
    "DeploymentCreate",
    "DeploymentInit",
    "DeploymentLimits",
    "DeploymentStart",
]

_AtLeastOne = Annotated[int, msgspec.Meta(ge=1)]

#: The channels Tavus deploys to.
Channel = Literal["widget", "embed", "landing-page"]
#: A deployment's states (public pages only load ``active`` ones).
Status = Literal["draft", "active", "inactive"]


class DeploymentLimits(RequestModel, kw_only=True, omit_defaults=True):
    """Caps on a deployment's use; an absent cap means no limit. Each is at least 1.

    Attributes:
        daily_call_limit: Calls per day across all visitors.
        daily_call_limit_per_user: Calls per day per visitor.
        concurrent_call_limit: Calls at the same moment.
        max_call_duration: Length of one call, in seconds.
    """

    daily_call_limit: _AtLeastOne | None = None
    daily_call_limit_per_user: _AtLeastOne | None = None
    concurrent_call_limit: _AtLeastOne | None = None
    max_call_duration: _AtLeastOne | None = None


class DeploymentCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/deployments``.

    Attributes:
        pal_id: The PAL to deploy.
        channel: ``widget``, ``embed`` or ``landing-page``.
        name: A display name.
        password: Visitors must enter it before a call (never returned).
        status: ``draft``, ``active`` or ``inactive``.
        customization: Visual and conversation settings (``conversation``, ``landing_page``,
            ``widget``, ``preview``, ``haircheck``, ``after_call`` blocks).
        limits: Caps on its use.
        allowed_origins: Sites allowed to load a widget or embed (empty: any).
    """

    __secret_fields__: ClassVar[frozenset[str]] = frozenset({"password"})

    pal_id: Annotated[str, msgspec.Meta(min_length=1)]
    channel: Channel
    name: str | None = None
    password: str | None = None
    status: Status | None = None
    customization: dict[str, Any] | None = None
    limits: DeploymentLimits | None = None
    allowed_origins: list[str] | None = None


class Deployment(Timestamped, kw_only=True, omit_defaults=True):
    """A deployment.

    Attributes:
        deployment_id: Its id.
        pal_id: The PAL it serves.
        channel: ``widget``, ``embed`` or ``landing-page``.
        status: ``draft``, ``active`` or ``inactive``.
        name: Its display name.
        has_password: Visitors need a password.
        customization: Its visual and conversation settings.
        limits: Its caps (``daily_call_limit``...).
        allowed_origins: Sites allowed to load it.
        thumbnail_video_url: A preview video.
        thumbnail_image_url: A preview image.
        usage_total: Calls so far.
        usage_today: Calls today.
        etag: The ``ETag`` header of the answer that carried it (not a body field): pass it as
            ``if_match`` to :meth:`~tavus_async.resources.Deployments.patch`.
    """

    deployment_id: str
    pal_id: str | None = None
    channel: str | None = None
    status: str | None = None
    name: str | None = None
    has_password: bool | None = None
    customization: dict[str, Any] | None = None
    limits: dict[str, Any] | None = None
    allowed_origins: list[str] | None = None
    thumbnail_video_url: str | None = None
    thumbnail_image_url: str | None = None
    usage_total: int | None = None
    usage_today: int | None = None
    etag: str | None = None


class DeploymentInit(Model, kw_only=True, omit_defaults=True):
    """What a public page learns from ``GET /v2/deployments/{id}/init`` (no API key; no PAL id).

    Attributes:
        deployment_id: Its id.
        channel: Its channel.
        customization: Its visual settings.
        has_password: Visitors need a password.
        thumbnail_video_url: A preview video.
        thumbnail_image_url: A preview image.
        show_tavus_branding: Whether the page shows Tavus's branding.
        limits: ``max_call_duration`` and ``daily_call_limit_per_user``.
        captcha: The captcha to solve before ``start`` (only when one is on).
        is_available: Whether a call can start now.
        unavailable_reason: Why not (``daily_limit``, ``total_limit``, ``inactive``...).
    """

    deployment_id: str
    channel: str | None = None
    customization: dict[str, Any] | None = None
    has_password: bool | None = None
    thumbnail_video_url: str | None = None
    thumbnail_image_url: str | None = None
    show_tavus_branding: bool | None = None
    limits: dict[str, Any] | None = None
    captcha: dict[str, Any] | None = None
    is_available: bool | None = None
    unavailable_reason: str | None = None


class DeploymentStart(RequestModel, kw_only=True, omit_defaults=True):
    """The body of the public ``POST /v2/deployments/{id}/start``.

    Attributes:
        password: The deployment's password, when it has one.
        conversational_context: Context for this call.
        custom_greeting: What the PAL says first.
        pal_id: Another PAL (previews only).
        memory_stores: Legacy memory tags for this call.
        captcha_token: The solved captcha, when the deployment has one.
    """

    __secret_fields__: ClassVar[frozenset[str]] = frozenset({"password"})

    password: str | None = None
    conversational_context: str | None = None
    custom_greeting: str | None = None
    pal_id: str | None = None
    memory_stores: list[str] | None = None
    captcha_token: str | None = None


class DeploymentConversationEnd(Model, kw_only=True, omit_defaults=True):
    """The answer of the public end call: ``{"conversation_id": ..., "status": "ended"}``."""

    conversation_id: str
    status: str | None = None
