"""The command line of scripts/e2e: flags, the run, the report, the exit status.

Exit status 0 = PASS, 1 = FAIL, 2 = could not start (port busy, or no Chromium or Playwright for
the browser part), 130 = interrupted.
"""

import argparse
import asyncio
import os
from pathlib import Path
import shutil
import signal
import sys
import tempfile
import time
import traceback

from .chromium import browser_problem
from .common import CheckError, Run
from .hass import HomeAssistant, port_busy, prepare_config
from .logs import check_database, print_log_tail, read_log
from .scenario import Options, scenario


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def parse_args(argv: list[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/e2e",
        description="End-to-end check of the demo on a throw-away Home Assistant,"
        " in the real frontend (headless Chromium) unless --no-browser.",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="no frontend: add the integration through the config-flow API and check the"
        " last-minute grant only (for machines without Chromium)",
    )
    parser.add_argument(
        "--screenshots",
        metavar="DIR",
        type=lambda value: Path(value).resolve(),
        help="keep a screenshot of every screen in DIR (docs/screenshots for the README)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        type=lambda value: Path(value).resolve(),
        help="also save the dashboard's screenshot to PATH",
    )
    args = parser.parse_args(argv)
    if args.no_browser and (args.screenshots or args.screenshot):
        parser.error("--screenshot and --screenshots need the browser")
    return Options(
        browser=not args.no_browser,
        shots=args.screenshots,
        dashboard_shot=args.screenshot,
    )


def main() -> int:
    """Run the check; return the exit status."""
    options = parse_args()
    if options.browser and (problem := browser_problem()):
        print(f"e2e: {problem}", file=sys.stderr)
        return 2
    port = int(os.environ.get("E2E_PORT", "8123"))
    verbose = os.environ.get("E2E_VERBOSE") == "1"
    if port_busy(port):
        print(
            f"e2e: port {port} is in use (scripts/develop running?). Stop it, or pick"
            " another port: E2E_PORT=18123 scripts/e2e",
            file=sys.stderr,
        )
        return 2

    # Ctrl-C even when started from a shell that ignores it (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    config_dir = Path(tempfile.mkdtemp(prefix="backup-access-codes-e2e-"))
    run = Run(port=port, config_dir=config_dir)
    hass = HomeAssistant(config_dir, port)
    status = 1
    failure: str | None = None
    try:
        prepare_config(config_dir)
        print(f"e2e: Home Assistant on {run.base}, config in {config_dir}")
        run.started = time.monotonic()
        hass.start()
        asyncio.run(scenario(hass, run, options))
    except CheckError as err:
        failure = str(err)
    except KeyboardInterrupt:
        failure = "interrupted"
        status = 130
    except Exception:  # noqa: BLE001 - any crash of the check is a failure, with its traceback
        failure = "the check crashed:\n" + traceback.format_exc()
    finally:
        # A second Ctrl-C must not leave Home Assistant running or the temp dir behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            failure = after_stop(run, hass, failure, status, verbose)
        finally:
            shutil.rmtree(config_dir, ignore_errors=True)

    total = time.monotonic() - run.started
    print()
    print("Timings:")
    for label, seconds in run.timings:
        print(f"  {label:<58} {seconds:6.2f} s")
    print(f"  {'total':<58} {total:6.2f} s")
    if failure is None:
        print("PASS: a guest of an offline lock got a backup code within seconds")
        if options.browser:
            print("PASS: every screen of the host's path renders in the real frontend")
        return 0
    print(f"FAIL: {failure}")
    return status


def after_stop(
    run: Run, hass: HomeAssistant, failure: str | None, status: int, verbose: bool
) -> str | None:
    """Stop Home Assistant, read its log and database; return the failure, if any."""
    if hass.proc is not None:
        run.step("stopping Home Assistant")
        run.timing("HA stop", hass.stop())
    findings = read_log(run)
    problems = findings.problems
    if run.codes and (problem := check_database(run)):
        problems.append(problem)
    if failure is not None:
        failure = run.redact(failure)
        if status != 130:
            print_log_tail(run, hass)
    if findings.ours:
        print(f"Warnings of the integration in the log ({len(findings.ours)}):")
        for line in findings.ours[:20]:
            print(f"  {line}")
    if findings.others and ((failure is not None and status != 130) or verbose):
        print(f"Home Assistant's own warnings/errors ({len(findings.others)}):")
        for line in findings.others[:40]:
            print(f"  {line}")
    elif findings.others:
        print(
            f"e2e: {len(findings.others)} warning/error lines from Home Assistant"
            " itself, not the integration (E2E_VERBOSE=1 shows them)"
        )
    if problems:
        failure = "; ".join(([failure] if failure is not None else []) + problems)
    return failure
