"""What the steps of a run share: the connections, the strings, and what earlier steps made."""

from dataclasses import dataclass, field

from .client import Api, WebSocket
from .common import Run
from .translations import Translations


@dataclass
class Demo:
    """The demo as the run finds it; each step reads what the ones before it filled in."""

    api: Api
    ws: WebSocket
    run: Run
    translations: Translations
    entry_id: str = ""
    # Translation key of each of the entry's entities -> its entity id.
    entities: dict[str, str] = field(default_factory=dict)
    device_id: str = ""
    grant_id: str = ""
