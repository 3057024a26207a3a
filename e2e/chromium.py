"""Debian's Chromium, as the browser part uses it; importable without Playwright installed."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium in a container: no sandbox, no GPU, and nothing that reaches the network.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def browser_problem() -> str | None:
    """Tell what is missing for the browser part, if anything."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: apt-get install chromium fonts-liberation"
            " (scripts/e2e does it when run as root), or run with --no-browser"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is missing: scripts/setup --develop installs it"
    return None
