"""The registry: every scenario, in order.

The order is that of the ``--only`` parts, of the jobs of a run, of the result keys in the JSON
and of the report's numbered sections (scenarios with the same heading share a section). The
Targets table orders rows by each scenario's ``target_rank``. To add a scenario, write its
module beside these and add its instance here (see the package docstring).
"""

from ..base import Scenario
from .idle import IDLE
from .issuance import ISSUANCE
from .memory import MEMORY
from .panel import PANEL
from .peers import PEERS
from .setup import SETUP
from .storage import STORAGE
from .windows import WINDOWS
from .zwave import ZWAVE

SCENARIOS: tuple[Scenario, ...] = (
    SETUP,
    MEMORY,
    ISSUANCE,
    IDLE,
    STORAGE,
    PEERS,
    WINDOWS,
    ZWAVE,
    PANEL,
)
PARTS = tuple(part for scenario in SCENARIOS for part in scenario.parts)

if len({s.name for s in SCENARIOS}) != len(SCENARIOS) or len(set(PARTS)) != len(PARTS):
    raise RuntimeError("scenario names and parts must be unique")
