"""One module per Tavus resource, one method per endpoint."""

from .conversations import Conversations
from .documents import Documents
from .faces import Faces
from .guardrails import Guardrails
from .objectives import Objectives
from .pals import Pals, PalSkills
from .personas import Personas
from .pronunciation_dictionaries import PronunciationDictionaries
from .replicas import Replicas
from .tools import PalTools, Tools
from .videos import Videos
from .voices import Voices

__all__ = [
    "Conversations",
    "Documents",
    "Faces",
    "Guardrails",
    "Objectives",
    "PalSkills",
    "PalTools",
    "Pals",
    "Personas",
    "PronunciationDictionaries",
    "Replicas",
    "Tools",
    "Videos",
    "Voices",
]
