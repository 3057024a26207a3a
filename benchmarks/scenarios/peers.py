"""Peers: entities on the same workload, and issuance against the reference service.

No runs of its own: our entities per lock come from the idle run (5 if it did not run), our
issuance from the latency runs; the peers' counts from each project's documented model.
"""

from typing import Any

from ..base import Scenario
from ..formatting import fmt
from ..results import Results
from .idle import idle_run
from .issuance import REFERENCE_ISSUE_S, labels, latency_runs


def peers(
    locks: int, guests_per_lock: int, ours_per_lock: float
) -> list[dict[str, Any]]:
    """Entities on the same workload, from each project's documented model."""
    guests = locks * guests_per_lock
    return [
        {
            "project": "Backup Access Codes (measured)",
            "model": f"{fmt(ours_per_lock)} per lock, whatever the number of grants",
            "entities": round(ours_per_lock * locks),
        },
        {
            "project": "Keymaster",
            "model": f"~49 per code slot + 8–10 per lock; {guests_per_lock} slots per lock",
            "entities": f"{locks * (49 * guests_per_lock + 8):,}–"
            f"{locks * (49 * guests_per_lock + 10):,}",
        },
        {
            "project": "Lock Code Manager",
            "model": "5 per user + 2 per user × lock; each guest a user on one lock",
            "entities": f"{5 * guests + 2 * guests:,}",
        },
        {
            "project": "Lock Code Manager (slots shared)",
            "model": f"{guests_per_lock} users shared by all {locks} locks in one entry",
            "entities": f"{5 * guests_per_lock + 2 * guests_per_lock * locks:,}",
        },
    ]


class Peers(Scenario):
    """Entities and issuance next to the peers'."""

    name = "peers"
    heading = "Peers on the same workload"

    def section(self, res: Results) -> list[str]:
        """The entities table, and the slowest issuance against the reference."""
        p = res.params
        guests = p.grants_per_lock
        idle = idle_run(res)
        ours = idle["entities_per_lock"] if idle else 5.0
        out = [
            (
                f"{p.locks} locks × {guests} guests each. Entities from each project's "
                "documented model (ours measured); issuance compared with the reference "
                'service\'s published "usually within 5 minutes".'
            ),
            "",
            "| project | model | entities |",
            "|---|---|---|",
        ]
        out.extend(
            f"| {row['project']} | {row['model']} | {row['entities']} |"
            for row in peers(p.locks, guests, ours)
        )
        out.append("")
        shown = labels(p)
        worst = [
            res.col(runs, "p99_ms")["median"]
            for key, runs in latency_runs(res).items()
            if runs and key in shown
        ]
        if worst:
            slowest = max(worst)
            reference_ms = REFERENCE_ISSUE_S * 1000
            out.extend(
                (
                    (
                        f"Issuance: slowest scenario p99 {fmt(slowest, 2)} ms vs. the "
                        f'reference\'s {reference_ms:,.0f} ms ("usually within 5 minutes"): '
                        f"{fmt(reference_ms / slowest, 0)}× faster."
                    ),
                    "",
                )
            )
        return out


PEERS = Peers()
