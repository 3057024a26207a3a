"""The admin panel (issue 12, "Size and speed"): its bundle's size, and its first load in a browser.

``bundle`` measures the integration's ``frontend/*.js`` raw and gzipped. ``browser`` starts a
real Home Assistant with the frontend in a process of its own (``server``) with N locks and G
grants, and opens the panel in Debian's headless Chromium (``browser``): ready (the panel's own
mark) and first paint, cold and from the sidebar. Where Chromium, Playwright or the frontend is
missing, the browser part says "not measured" and why; the smoke run leaves it out.
"""

import importlib.util
from typing import Any, cast

from ...base import Job, RunContext, Scenario
from ...formatting import fmt, fmt_agg
from ...params import Params
from ...results import Results, Target
from .browser import browser_loads, missing_browser
from .bundle import bundle_sizes
from .server import running_home_assistant

BUNDLE_TARGET_BYTES = 100_000
PAINT_TARGET_MS = 1000.0
WAYS = {
    "cold": "cold: the panel's URL opened (ms from navigation start)",
    "sidebar": "from the sidebar: the frontend running, the panel's entry clicked (ms from the click)",
}
STEPS = (
    ("module_requested", "panel module requested"),
    ("module_loaded", "module loaded"),
    ("defined", "element defined"),
    ("ready", "ready (`data-ready`)"),
    ("painted", "painted"),
)


def panel_data(res: Results) -> dict[str, Any]:
    """The bundle sizes and the browser run."""
    return cast(dict[str, Any], res.data["panel"])


def kb(n: float) -> str:
    """Bytes as kB (1,000 bytes)."""
    return f"{n / 1000:,.1f} kB"


def panel_share(cold: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Per cold load: from the frontend's request of the panel's module to the panel painted."""
    return [
        {"share": r["painted"] - r["module_requested"]}
        for r in cold
        if r["painted"] is not None and r["module_requested"] is not None
    ]


def missing_prerequisite() -> str | None:
    """Why the browser run cannot happen here, if it cannot."""
    if importlib.util.find_spec("hass_frontend") is None:
        return "Home Assistant's frontend is missing (home-assistant-frontend, requirements_develop.txt)"
    return missing_browser()


class Panel(Scenario):
    """The panel's size, and how soon it is ready and painted in a browser."""

    name = "panel"
    parts = ("panel",)
    heading = "Admin panel (issue 12)"
    target_rank = 70

    def plan(self, params: Params, part: str) -> list[Job]:
        """The bundle; the browser run unless the mode has no page loads."""
        jobs = [self.job("panel: bundle size", "bundle")]
        if params.panel_loads:
            jobs.append(
                self.job(
                    f"panel: {params.panel_locks:,} locks, {params.panel_grants:,} grants, "
                    f"{params.panel_loads} × 2 page loads in Chromium",
                    "browser",
                )
            )
        return jobs

    async def run(self, ctx: RunContext, job: Job) -> dict[str, Any]:
        """The bundle's sizes, or the browser run (or why it cannot run)."""
        if job.run == "bundle":
            return bundle_sizes()
        p = ctx.params
        if reason := missing_prerequisite():
            return {"not_measured": reason}
        with ctx.config_dir("panel") as config_dir:
            async with running_home_assistant(
                config_dir, p.panel_locks, p.panel_grants
            ) as server:
                loads = await browser_loads(
                    server, p.panel_loads, p.panel_locks, p.panel_grants
                )
        return {
            "locks": p.panel_locks,
            "grants": p.panel_grants,
            "hass_start_s": server.start_s,
            **loads,
        }

    def empty(self) -> dict[str, Any]:
        """Nothing measured yet."""
        return {"panel": {"bundle": None, "browser": None}}

    def keep(self, res: Results, job: Job, value: Any) -> None:
        """The bundle's sizes or the browser run."""
        panel_data(res)["bundle" if job.run == "bundle" else "browser"] = value

    def _not_measured(self, res: Results) -> str | None:
        """Why the browser part has no figures, if it has none (None: it has some)."""
        browser = panel_data(res)["browser"]
        if browser is None:
            if res.params.panel_loads == 0:
                return f"not measured ({res.params.mode} run: no browser)"
            return "not measured (the browser run did not finish)"
        if reason := browser.get("not_measured"):
            return f"not measured ({reason})"
        return None

    def targets(self, res: Results) -> list[Target]:
        """Bundle size, and ready + painted from the sidebar and cold."""
        data = panel_data(res)
        targets = []
        if bundle := data["bundle"]:
            targets.append(
                Target(
                    "Panel bundle, gzipped",
                    f"< {kb(BUNDLE_TARGET_BYTES)}",
                    f"{kb(bundle['gzip_bytes'])} ({kb(bundle['raw_bytes'])} raw)",
                    bundle["gzip_bytes"] < BUNDLE_TARGET_BYTES,
                    "issue 12",
                )
            )
        if bundle is None and data["browser"] is None:
            return targets
        p = res.params
        reason = self._not_measured(res)
        for way, what in (
            ("sidebar", "from the sidebar click"),
            ("cold", "cold page load, Home Assistant's frontend starting included"),
        ):
            name = (
                f"Panel ready and painted, {p.panel_locks:,} locks and "
                f"{p.panel_grants:,} grants ({what})"
            )
            if reason:
                targets.append(Target(name, "< 1 s", reason, None, "issue 12"))
                continue
            runs = data["browser"][way]
            painted = res.col(runs, "painted")
            measured = fmt_agg(painted, 0, " ms")
            if way == "cold":
                requested = res.col(runs, "module_requested")["median"]
                share = res.col(panel_share(runs), "share")["median"]
                measured += (
                    f"; the frontend asked for the panel's module after "
                    f"{fmt(requested, 0)} ms, the panel painted {fmt(share, 0)} ms later"
                )
            targets.append(
                Target(
                    name,
                    "< 1 s",
                    measured,
                    painted["median"] < PAINT_TARGET_MS,
                    "issue 12",
                )
            )
        return targets

    def section(self, res: Results) -> list[str]:
        """The bundle's files, then the browser's times by way in."""
        data = panel_data(res)
        bundle, browser = data["bundle"], data["browser"]
        if bundle is None and browser is None:
            return []
        out: list[str] = []
        if bundle:
            out.extend(
                (
                    (
                        "The bundle Home Assistant serves for the panel "
                        "(`custom_components/backup_access_codes/frontend/*.js`, minified "
                        "by esbuild), raw and gzipped (level 9):"
                    ),
                    "",
                    "| file | raw | gzipped |",
                    "|---|---|---|",
                    *(
                        f"| `{name}` | {kb(f['raw_bytes'])} | {kb(f['gzip_bytes'])} |"
                        for name, f in bundle["files"].items()
                    ),
                    "",
                )
            )
        if reason := self._not_measured(res):
            out.extend((f"Panel in the browser: {reason}.", ""))
            return out
        out.extend(self._browser_lines(res, browser))
        return out

    def _browser_lines(self, res: Results, browser: dict[str, Any]) -> list[str]:
        """How the browser run goes, and a table of its steps by way in."""
        loads = len(browser["cold"])
        out = [
            (
                f"A real Home Assistant with the frontend (`python -m homeassistant "
                f"--skip-pip`, its own process; API answering {fmt(browser['hass_start_s'], 1)}"
                f" s after the start) with {browser['locks']:,} template locks on the script "
                f"provider, added through the config flow, and {browser['grants']:,} grants "
                "(one lock each, stays of 14 h every 16 h over the next two weeks, all on the "
                "timeline); Debian's headless Chromium driven by Playwright, 1280 × 800, "
                f"{loads} loads each way, every one in a fresh browser context (empty cache). "
                "*Ready*: the panel's `backup-access-codes:ready` mark (first data and "
                "strings rendered); *painted*: a timer set in the next animation frame, run "
                "once that frame is painted. Every load checked that the panel showed "
                f"{browser['locks']:,} lock cards and {browser['grants']:,} grant rows. Medians "
                "over the loads (± stdev, range)."
            ),
            "",
            "| way in | " + " | ".join(label for _, label in STEPS) + " |",
            "|---|" + "---|" * len(STEPS),
        ]
        for way, label in WAYS.items():
            runs = browser[way]
            cells = [fmt_agg(res.col(runs, key), 0, " ms") for key, _ in STEPS]
            out.append(f"| {label} | " + " | ".join(cells) + " |")
        out.append("")
        cold = browser["cold"]
        out.extend(
            (
                (
                    "Cold: Home Assistant's launch screen painted "
                    f"{fmt_agg(res.col(cold, 'page_fcp'), 0, ' ms')} after navigation "
                    "start; from the frontend's request of the panel module to the panel "
                    f"painted {fmt_agg(res.col(panel_share(cold), 'share'), 0, ' ms')}."
                ),
                "",
            )
        )
        return out


PANEL = Panel()
