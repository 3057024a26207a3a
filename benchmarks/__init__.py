"""Performance benchmark of Backup Access Codes on real Home Assistant core (issue 6).

Run it through ``scripts/bench`` (``python -m benchmarks``; ``--help`` lists every option). It
starts Home Assistant core in the process (`async_test_home_assistant` from
pytest-homeassistant-custom-component, with the registries and the integration's Store on real
disk in a temporary config directory), adds N template locks whose availability follows an
input_boolean each, with a pair of real provider scripts per lock, sets the integration up
through config entries and drives simulated time. It measures what issue 6 and DESIGN.md
("Performance targets") list, prints a Markdown report and writes it to benchmarks/RESULTS.md
(or --output). Targets are reported, never asserted. Door codes are never printed.

Simulated time: the wall clock Home Assistant reads and the event loop's clock are both real
time plus one offset; moving simulated time forward moves both at once, so every timer the
integration armed becomes due exactly as it would after that much real time. Durations are
measured on ``loop.time()``, which between two jumps is the real monotonic clock.

Every scenario run gets a fresh Python process (``--worker``; Home Assistant keeps stopped
instances alive through its per-instance caches, and their garbage would slow the next run's
collector) that imports the snapshot of the integration taken when the run began. --smoke and
--profile run everything in one process.

The harness (shared by every scenario):

- ``clock``: the simulated clock; ``probe`` and ``patches``: the counters and the measuring
  patches on Home Assistant's internals that feed them (events, provider calls, Store writes,
  state writes, timers, GC pauses, warnings);
- ``instance``: a Home Assistant on a real config directory (start, settle, stop);
  ``locks``: bench locks, their provider scripts and entries, grants, waiting for events;
- ``stats``: percentiles, Store writes, durability, memory growth; ``formatting``: numbers;
- ``params``: the sizes of each mode; ``base``: ``Scenario``, ``Job``, ``RunContext``;
  ``results``: ``Results`` and ``Target``;
- ``report``: the Markdown report and the JSON results; ``machine``: the machine table;
  ``runner``: runs the jobs in this process or each in a fresh one; ``__main__``: the options.

``scenarios/``, one module per question (setup, memory, issuance, idle, storage, peers,
windows, zwave: Z-Wave JS locks on the real zwave_js integration, panel: the admin panel's
bundle and its load in headless Chromium against a real Home Assistant), and
``scenarios/__init__.py`` holds ``SCENARIOS``, the registry: its order is the order of the
``--only`` parts, of the jobs, of the JSON keys and of the report's numbered sections.

Adding a scenario (``scenarios/zwave`` and ``scenarios/panel`` were added this way):

1. Write ``scenarios/<name>.py`` with a ``Scenario`` subclass and one instance of it:
   ``name`` (unique), ``parts`` (the names ``--only`` selects), ``heading`` (its report section;
   a new heading becomes the next numbered section, an existing one adds to that section),
   ``target_rank`` (where its rows go in the Targets table, lower first: issuance 10, zwave
   12, storage 20, setup 30, memory 40, idle 50, windows 60, panel 70), and the methods it
   needs: ``plan`` (the jobs of one of its parts, for a mode's sizes; ``self.job(...)`` makes
   one), ``run`` (one job, async, in a fresh Home Assistant from ``instance.home_assistant``
   or ``locks.home_with_locks`` in ``ctx.config_dir(...)``; returns JSON-able data), ``empty``
   and ``keep`` (where the results go in ``Results.data``, which is also the JSON),
   ``targets`` and ``section`` (its verdicts and its report lines).
2. Add the instance to ``SCENARIOS`` in ``scenarios/__init__.py``.
3. If it needs sizes of its own, add a field to ``params.Params`` and a value to each mode in
   ``params.MODES``. Locks of another kind get their helpers in the scenario's module,
   beside ``locks.py``'s template locks (``scenarios/zwave/network.py``: BE469 nodes from
   ``tests/zwave_js_env.py``, the environment the Z-Wave tests use too).

``tests/test_bench_registry.py`` adds a scenario this way; ``tests/test_bench_smoke.py`` runs
them all with tiny sizes (``--smoke``).

Nothing else changes: the options, the plan, the process isolation and the report's frame
(machine, targets, method) come from the harness.
"""

import os
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parent.parent
# A run's scenario processes import the snapshot of the integration taken when the run began
# (others may edit custom_components/ meanwhile); otherwise the checkout's own copy. This runs
# before any module of the package imports `custom_components`.
SOURCE_ROOT = Path(os.environ.get("BENCH_SOURCE_ROOT") or ROOT)
sys.path.insert(0, str(SOURCE_ROOT))
