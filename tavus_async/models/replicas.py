"""Replica models: the training request and the replica (status and progress for waiters)."""

from __future__ import annotations

from typing import ClassVar

from ._common import RequestModel, Settles, Timestamped, parse_progress

__all__ = ["Replica", "ReplicaCreate", "ReplicaProperties"]


class ReplicaProperties(RequestModel, kw_only=True, omit_defaults=True):
    """``properties`` of a replica to train."""

    background_green_screen: bool | None = None
    gaze_correction: bool | None = None


class ReplicaCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/replicas``: train from a video, or from an image and a voice.

    Attributes:
        train_video_url: A downloadable training video (or use ``train_image_url``).
        consent_video_url: A separate consent clip, for personal replicas.
        train_image_url: Train from one image; needs ``voice_name``.
        voice_name: A stock voice slug (see ``tavus.voices.list()``).
        auto_fix_training_image: Let Tavus fix the image to fit its requirements.
        callback_url: Where Tavus posts the training result.
        replica_name: A name.
        model_name: ``phoenix-4`` (default), ``phoenix-3``...
        properties: Green screen and so on.
    """

    train_video_url: str | None = None
    consent_video_url: str | None = None
    train_image_url: str | None = None
    voice_name: str | None = None
    auto_fix_training_image: bool | None = None
    callback_url: str | None = None
    replica_name: str | None = None
    model_name: str | None = None
    properties: ReplicaProperties | None = None


class Replica(Settles, Timestamped, kw_only=True, omit_defaults=True):
    """A replica. ``status`` is ``started`` (training), ``completed`` or ``error``.

    Attributes:
        replica_id: Its id (``r...``).
        replica_name: Its name.
        status: Training status (an open string).
        training_progress: e.g. ``"42/100"``; see :attr:`progress`.
        error_message: Why training failed, when ``status == "error"``.
        thumbnail_video_url: A preview clip.
        replica_type: ``user`` or ``system`` (only with ``verbose=True``).
        model_name: The Phoenix model it was trained on.
    """

    #: Statuses that end the work well, and that end it for good otherwise: the one definition
    #: that :attr:`is_ready`, :attr:`is_failed` and ``wait_until_ready`` all use.
    DONE_STATUSES: ClassVar[frozenset[str]] = frozenset({"completed", "ready"})
    FAILED_STATUSES: ClassVar[frozenset[str]] = frozenset({"error"})

    replica_id: str
    replica_name: str | None = None
    status: str | None = None
    training_progress: str | None = None
    error_message: str | None = None
    thumbnail_video_url: str | None = None
    replica_type: str | None = None
    model_name: str | None = None

    @property
    def progress(self) -> float | None:
        """Training progress as a fraction from 0 to 1, when Tavus reports it."""
        return parse_progress(self.training_progress)
