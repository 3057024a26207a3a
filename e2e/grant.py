"""The promise itself: a last-minute guest of an offline lock gets a backup code within seconds."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import re
import time
from typing import Any

from .client import Api, ReceivedEvent, WebSocket
from .common import (
    CODE_LENGTH,
    DOMAIN,
    EVENT_ISSUE_FAILED,
    EVENT_ISSUED,
    EVENT_REISSUED,
    EVENT_TIMEOUT,
    FIRST_SLOT,
    LOCK,
    ONLINE_SWITCH,
    POOL_SIZE,
    SENSOR_AVAILABLE,
    SENSOR_ISSUED,
    STATE_TIMEOUT,
    Run,
    check,
    contains_code,
)
from .context import Demo
from .entry import check_counts
from .stay import Stay

GUEST = "E2E Guest"


async def wait_event(
    ws: WebSocket, matches: Callable[[dict[str, Any]], bool], what: str, deadline: float
) -> tuple[ReceivedEvent, list[ReceivedEvent]]:
    """Return the first event whose data `matches` (and any other events seen) by the deadline."""
    others: list[ReceivedEvent] = []
    while True:
        remaining = deadline - time.monotonic()
        check(
            remaining > 0,
            f"no {EVENT_ISSUED} event for {what} within {EVENT_TIMEOUT:.0f} s"
            f" (other events: {[e.event_type for e in others]})",
        )
        try:
            event = await asyncio.wait_for(ws.events.get(), remaining)
        except TimeoutError:
            continue
        if matches(event.data):
            return event, others
        others.append(event)


async def wait_grant_event(
    ws: WebSocket, grant_id: str, deadline: float
) -> tuple[ReceivedEvent, list[ReceivedEvent]]:
    """Return the grant's first event (and any other events seen) before the deadline."""
    return await wait_event(
        ws, lambda data: data.get("access_grant_id") == grant_id, "the grant", deadline
    )


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO time from an event, or None."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


async def set_lock_online(demo: Demo, online: bool) -> None:
    """Switch the demo lock's connection (input_boolean.demo_lock_online) and wait for it."""
    await demo.api.call(
        "input_boolean",
        "turn_on" if online else "turn_off",
        {"entity_id": ONLINE_SWITCH},
    )
    await demo.api.wait_state(LOCK, {"locked", "unlocked"} if online else "unavailable")
    demo.run.step(
        f"{ONLINE_SWITCH} turned {'on' if online else 'off'}:"
        f" {LOCK} is {'back' if online else 'unavailable'}"
    )


@dataclass(frozen=True)
class Issued:
    """The backup code a grant was issued on the demo lock (the code is never printed)."""

    code: str
    slot: int


def check_backup_issued(
    run: Run, event: ReceivedEvent, name: str, starts_at: datetime, ends_at: datetime
) -> Issued:
    """The grant's first event must issue a backup code of the pool on the demo lock."""
    data = event.data
    method = data.get("access_method") or {}
    code = method.get("code")
    if isinstance(code, str):
        run.codes.add(code)
    check(
        event.event_type == EVENT_ISSUED,
        f"the grant's first event is {event.event_type} (expected {EVENT_ISSUED})",
    )
    check(
        data.get("event_type") == "access_method.issued",
        f"event_type field is {data.get('event_type')!r}",
    )
    check(method.get("is_backup_code") is True, "the code issued is not a backup code")
    check(
        isinstance(code, str) and re.fullmatch(rf"\d{{{CODE_LENGTH}}}", code),
        f"the issued code is not {CODE_LENGTH} digits"
        f" (type {type(code).__name__}, length {len(str(code))})",
    )
    assert isinstance(code, str)  # noqa: S101
    check(method.get("mode") == "code", f"access_method.mode is {method.get('mode')!r}")
    slot = method.get("slot")
    check(
        isinstance(slot, int) and FIRST_SLOT <= slot < FIRST_SLOT + POOL_SIZE,
        f"backup slot {slot!r} is outside the pool slots"
        f" {FIRST_SLOT}..{FIRST_SLOT + POOL_SIZE - 1}",
    )
    assert isinstance(slot, int)  # noqa: S101
    check(
        data.get("lock_entity_id") == LOCK,
        f"lock_entity_id is {data.get('lock_entity_id')!r}",
    )
    check(data.get("name") == name, f"name is {data.get('name')!r}")
    check(
        parse_time(data.get("starts_at")) == starts_at
        and parse_time(data.get("ends_at")) == ends_at,
        f"event times {data.get('starts_at')} .. {data.get('ends_at')}"
        f" differ from the grant's {starts_at.isoformat()} .. {ends_at.isoformat()}",
    )
    check(parse_time(method.get("issued_at")) is not None, "issued_at is not a time")
    return Issued(code, slot)


@dataclass(frozen=True)
class NewGrant:
    """A grant made in a screen, as its issued event and list_access_grants tell it."""

    grant_id: str
    issued: Issued
    status: str  # in list_access_grants
    received: float  # when the issued event arrived (time.monotonic)


async def backup_issued_to(
    demo: Demo, name: str, stay: Stay, since: float, action: str
) -> NewGrant:
    """The issued event of the guest's new grant within seconds of `since` (the click).

    It must carry a backup code of the pool for the stay, and list_access_grants must agree.
    """
    event, _others = await wait_event(
        demo.ws,
        lambda data: data.get("name") == name,
        f"the grant of {name!r}",
        since + EVENT_TIMEOUT,
    )
    demo.run.timing(f"issued event after {action}", event.received - since)
    issued = check_backup_issued(demo.run, event, name, stay.starts_at, stay.ends_at)
    grant_id = str(event.data["access_grant_id"])
    status = await check_told(demo.api, grant_id, issued)
    return NewGrant(grant_id, issued, status, event.received)


async def listed_grant(api: Api, grant_id: str) -> dict[str, Any] | None:
    """The grant as list_access_grants shows it for the demo lock, or None."""
    listed = await api.call(
        DOMAIN, "list_access_grants", {"lock_entity_id": LOCK}, response=True
    )
    grants = listed.get("access_grants") or []
    return next((g for g in grants if g.get("access_grant_id") == grant_id), None)


async def wait_grant(
    demo: Demo,
    grant_id: str,
    done: Callable[[dict[str, Any] | None], bool],
    what: str,
    within: float = STATE_TIMEOUT,
) -> dict[str, Any] | None:
    """Poll list_access_grants until `done(grant or None)`; return the grant."""
    deadline = time.monotonic() + within
    while True:
        grant = await listed_grant(demo.api, grant_id)
        if done(grant):
            return grant
        check(
            time.monotonic() < deadline,
            f"list_access_grants: the grant is not {what} after {within:.0f} s"
            f" ({grant_times(grant)})",
        )
        await asyncio.sleep(0.2)


def grant_times(grant: dict[str, Any] | None) -> str:
    """A grant's name and times, for messages."""
    if grant is None:
        return "not listed"
    return f"{grant.get('name')!r} {grant.get('starts_at')} .. {grant.get('ends_at')}"


async def check_told(api: Api, grant_id: str, issued: Issued) -> str:
    """list_access_grants must tell the guest the issued code, in its slot; return the status."""
    grant = await listed_grant(api, grant_id)
    check(grant is not None, "list_access_grants does not list the grant")
    assert grant is not None  # noqa: S101
    locks = [lk for lk in grant.get("locks", []) if lk.get("lock_entity_id") == LOCK]
    check(len(locks) == 1, f"list_access_grants: {len(locks)} entries for {LOCK}")
    told = locks[0]
    check(
        told.get("code") == issued.code
        and told.get("is_backup_code") is True
        and told.get("slot") == issued.slot,
        "list_access_grants disagrees with the event"
        f" (same code: {told.get('code') == issued.code},"
        f" is_backup_code: {told.get('is_backup_code')!r}, slot: {told.get('slot')!r})",
    )
    return str(told.get("status"))


async def last_minute_grant(demo: Demo) -> None:
    """Lock offline, grant for a check-in in ten minutes: a backup code must be issued."""
    api, ws, run, entities = demo.api, demo.ws, demo.run, demo.entities
    for event_type in (EVENT_ISSUED, EVENT_REISSUED, EVENT_ISSUE_FAILED):
        await ws.command({"type": "subscribe_events", "event_type": event_type})
    await set_lock_online(demo, online=False)

    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    ends_at = starts_at + timedelta(days=2)
    called = time.monotonic()
    response = await api.call(
        DOMAIN,
        "create_access_grant",
        {
            "lock_entity_id": LOCK,
            "name": GUEST,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
        response=True,
    )
    answered = time.monotonic()
    grant_id = response.get("access_grant_id")
    scheduled = response.get("code")
    check(isinstance(grant_id, str) and grant_id, "no access_grant_id in the response")
    check(
        isinstance(scheduled, str) and scheduled.isdigit(),
        "the response has no code of digits",
    )
    assert isinstance(grant_id, str)  # noqa: S101
    assert isinstance(scheduled, str)  # noqa: S101
    demo.grant_id = grant_id
    run.codes.add(scheduled)
    run.timing("create_access_grant answered after", answered - called)
    run.step(
        f"grant created for {starts_at:%H:%M:%S} UTC (+10 min), two days long;"
        f" response code has {len(scheduled)} digits"
    )

    event, others = await wait_grant_event(ws, grant_id, called + EVENT_TIMEOUT)
    run.timing("issued event after the service call", event.received - called)
    issued = check_backup_issued(run, event, GUEST, starts_at, ends_at)
    run.step(
        f"event {EVENT_ISSUED}: is_backup_code=true, code of {len(issued.code)} digits,"
        f" slot {issued.slot}"
        f"{', arrived before the service answered' if event.received <= answered else ''}"
    )
    for other in others:
        run.step(f"note: another event before it: {other.event_type}")

    # The guest must be told the backup code: list_access_grants shows what they were told.
    status = await check_told(api, grant_id, issued)
    run.step(f"list_access_grants agrees (status {status!r})")

    await check_counts(demo, POOL_SIZE - 1, 1, STATE_TIMEOUT)
    run.step(
        f"{entities[SENSOR_ISSUED]} = 1, {entities[SENSOR_AVAILABLE]} = {POOL_SIZE - 1},"
        " problem sensors off"
    )
    sensor = await api.state(entities[SENSOR_ISSUED])
    holders = (sensor or {}).get("attributes", {}).get("access_grants")
    check(
        isinstance(holders, list)
        and [h.get("access_grant_id") for h in holders] == [grant_id],
        f"{entities[SENSOR_ISSUED]} attribute access_grants does not list just the grant",
    )

    # Nothing the integration shows as state may hold a code (show_codes is off).
    states_text = await api.text("/api/states")
    for known in run.codes:
        check(
            not contains_code(states_text, known), "a door code appears in /api/states"
        )
    run.step("no door code in any entity state or attribute")
