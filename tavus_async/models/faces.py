"""Face models (Tavus's 2026 name for replicas): training request, update and the face."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from ._common import Model, RequestModel, Settles, Timestamped, parse_progress
from .replicas import Replica, ReplicaProperties

__all__ = ["Face", "FaceCreate", "FaceUpdate", "FaceVoices"]


class FaceCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/faces``: train from a video, or from an image and a voice.

    Attributes:
        train_video_url: A downloadable training video (or use ``train_image_url``).
        consent_video_url: A separate consent clip.
        train_image_url: Train from one image; needs ``voice_name``.
        voice_name: A stock voice slug (see ``tavus.voices.list()``).
        auto_fix_training_image: Let Tavus fix the image to fit its requirements.
        default_voice_id: The voice the face speaks with.
        callback_url: Where Tavus posts the training result.
        face_name: A name.
        model_name: ``phoenix-4`` (default), ``phoenix-3``...
        properties: Green screen and so on.
    """

    train_video_url: str | None = None
    consent_video_url: str | None = None
    train_image_url: str | None = None
    voice_name: str | None = None
    auto_fix_training_image: bool | None = None
    default_voice_id: str | None = None
    callback_url: str | None = None
    face_name: str | None = None
    model_name: str | None = None
    properties: ReplicaProperties | None = None

    def __post_init__(self) -> None:
        if bool(self.train_video_url) == bool(self.train_image_url):
            raise msgspec.ValidationError(
                "give exactly one of train_video_url (train from a video) or train_image_url "
                "(train from an image, with voice_name)"
            )
        if self.train_image_url and not self.voice_name:
            raise msgspec.ValidationError(
                "train_image_url needs voice_name: pick one from `await tavus.voices.list()`"
            )


class FaceUpdate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``PATCH /v2/faces/{id}`` (a JSON Merge Patch): neither may be blank.

    Attributes:
        face_name: A new name.
        default_voice_id: The voice the face speaks with.
    """

    face_name: str | None = None
    default_voice_id: str | None = None

    def __post_init__(self) -> None:
        for name in ("face_name", "default_voice_id"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise msgspec.ValidationError(f"{name} must not be blank")
        if self.face_name is None and self.default_voice_id is None:
            raise msgspec.ValidationError(
                "nothing to update: give face_name and/or default_voice_id"
            )


class FaceVoices(Model, kw_only=True, omit_defaults=True):
    """What ``PATCH /v2/faces/{id}`` answers: the face's name and voices."""

    face_id: str
    face_name: str | None = None
    default_voice_id: str | None = None
    original_voice_id: str | None = None


class Face(Settles, Timestamped, kw_only=True, omit_defaults=True):
    """A face. ``status`` is ``started`` (training), ``completed`` or ``error``.

    Attributes:
        face_id: Its id (``r...``, the same as its ``replica_id``).
        face_type: ``user`` or ``system`` (only with ``verbose=True``).
        training_progress: e.g. ``"42/100"``; see :attr:`progress`.
        default_voice_id: The voice it speaks with (None when unset).
        original_voice_id: The voice it was trained with (read only).
    """

    #: The same records as :class:`~tavus_async.models.Replica`, so the same terminal statuses.
    DONE_STATUSES: ClassVar[frozenset[str]] = Replica.DONE_STATUSES
    FAILED_STATUSES: ClassVar[frozenset[str]] = Replica.FAILED_STATUSES

    face_id: str
    face_name: str | None = None
    status: str | None = None
    training_progress: str | None = None
    error_message: str | None = None
    thumbnail_video_url: str | None = None
    face_type: str | None = None
    model_name: str | None = None
    default_voice_id: str | None = None
    original_voice_id: str | None = None

    @property
    def progress(self) -> float | None:
        """Training progress as a fraction from 0 to 1, when Tavus reports it."""
        return parse_progress(self.training_progress)
