"""One module per Tavus resource, one method per endpoint."""

from .conversations import Conversations
from .documents import Documents
from .guardrails import Guardrails
from .objectives import Objectives
from .personas import Personas
from .pronunciation_dictionaries import PronunciationDictionaries
from .replicas import Replicas
from .tools import PalTools, Tools
from .videos import Videos
from .voices import Voices

__all__ = [
    "Conversations",
    "Documents",
    "Guardrails",
    "Objectives",
    "PalTools",
    "Personas",
    "PronunciationDictionaries",
    "Replicas",
    "Tools",
    "Videos",
    "Voices",
]
