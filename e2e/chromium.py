"""Debian's Chromium, as the browser part uses it; importable without Playwright installed."""

import json
from pathlib import Path
from typing import Any

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


def browser_problem(otherwise: str = "or run with --no-browser") -> str | None:
    """Tell what is missing for the browser part, if anything (``otherwise``: the way out)."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: apt-get install chromium fonts-liberation"
            f" (scripts/e2e does it when run as root), {otherwise}"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is missing: scripts/setup --develop installs it"
    return None


def login_script(tokens: dict[str, Any], base: str, client_id: str) -> str:
    """A page init script that keeps a login's tokens where the frontend looks for them.

    As home-assistant-js-websocket's saveTokens leaves them after a login in the browser.
    """
    saved = {**tokens, "hassUrl": base, "clientId": client_id}
    return (
        "(() => { const t = "
        + json.dumps(saved)
        + "; t.expires = Date.now() + t.expires_in * 1000;"
        " localStorage.setItem('hassTokens', JSON.stringify(t)); })();"
    )
