"""A new installation's first minutes: the owner, the onboarding steps, RUNNING."""

import asyncio
import secrets
import time

from .client import Api
from .common import Run, check

RUNNING_TIMEOUT = 60.0  # API answers until Home Assistant is RUNNING
# The onboarding's core_config step adds Google Translate text-to-speech. Its library is not
# installed here (Home Assistant runs with --skip-pip) and it needs the internet, so its entry
# only fails; it is removed so that the screens show the demo, not that failure.
ONBOARDING_EXTRAS = ("google_translate",)


async def onboard(api: Api, run: Run) -> None:
    """Create the owner, log in, and finish every onboarding step, as the frontend does."""
    status = await api.request("GET", "/api/onboarding")
    check(
        not any(step["done"] for step in status),
        f"a fresh configuration should not be onboarded yet: {status}",
    )
    client_id = f"{api.base}/"
    created = await api.request(
        "POST",
        "/api/onboarding/users",
        json_body={
            "client_id": client_id,
            "name": "E2E Host",
            "username": "e2e",
            "password": secrets.token_urlsafe(18),
            "language": "en",
        },
    )
    tokens = await api.request(
        "POST",
        "/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": created["auth_code"],
            "client_id": client_id,
        },
    )
    api.token = tokens["access_token"]
    api.tokens = tokens
    api.client_id = client_id
    await api.request("POST", "/api/onboarding/core_config")
    await api.request("POST", "/api/onboarding/analytics")
    await api.request(
        "POST",
        "/api/onboarding/integration",
        json_body={
            "client_id": client_id,
            "redirect_uri": f"{client_id}?auth_callback=1",
        },
    )
    status = await api.request("GET", "/api/onboarding")
    missing = [step["step"] for step in status if not step["done"]]
    check(not missing, f"onboarding steps not done: {missing}")
    run.step(f"onboarded: {', '.join(step['step'] for step in status)}")


async def wait_running(api: Api) -> str:
    """Wait until Home Assistant reports RUNNING; return its version."""
    deadline = time.monotonic() + RUNNING_TIMEOUT
    while True:
        config = await api.request("GET", "/api/config")
        if config.get("state") == "RUNNING":
            return str(config.get("version"))
        check(
            time.monotonic() < deadline,
            f"Home Assistant is {config.get('state')!r} after {RUNNING_TIMEOUT:.0f} s",
        )
        await asyncio.sleep(0.25)


async def remove_onboarding_extras(api: Api, run: Run) -> None:
    """Delete the entries the onboarding added that cannot load here (see ONBOARDING_EXTRAS)."""
    for domain in ONBOARDING_EXTRAS:
        for entry in await api.entries(domain):
            if entry.get("state") == "loaded":
                continue
            await api.request(
                "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
            )
            run.step(
                f"removed the onboarding's {entry.get('title')!r} entry"
                f" ({entry.get('state')}: it cannot load without the internet)"
            )
