"""The Calendar panel: a stay made, read, moved and cancelled in the lock's "Access grants" calendar.

Runs while the demo lock is still offline (after the last-minute grant). In the panel's own
dialogs, as a host does: Add event on the lock's calendar (picked explicitly), the default slot
(the current hour) stretched to check-out a day later; the guest must be issued a backup code
within seconds (the issued event over the WebSocket), and the event must show in the month. Its
details say that a backup code is issued and in which slot, and show no code. Edit event moves
it a day later and renames it: the grant must follow. Delete event deletes the grant.
"""

from datetime import date, datetime, timedelta
import time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from playwright.async_api import Locator

from ..browser import PAGE_TIMEOUT, Screen
from ..common import LOCK, POOL_SIZE, SENSOR_ISSUED, STATE_TIMEOUT, check
from ..context import Demo
from ..entry import check_counts
from ..grant import GUEST, Issued, backup_issued_to, grant_times, wait_grant
from ..stay import Stay, day_label
from .add import friendly_name

CALENDAR_PATH = "/calendar"
CALENDAR_KEY = "access_grants"  # the calendar entity's translation key
STAY_GUEST = "E2E Calendar Guest"
MOVED_GUEST = "E2E Calendar Guest, a day later"
# What the event's description says of a grant holding a backup code (grant_events.describe).
BACKUP_ISSUED = "Backup code issued (slot {slot})."
# The picker's popover opens with an animation: a click while it moves is lost, so try again.
PICK_TRIES = 3


async def grants_calendar(ui: Screen, demo: Demo) -> None:
    """Calendar panel: create, read, move and delete a stay in the lock's access grants."""
    calendar = demo.entities[CALENDAR_KEY]
    await demo.api.wait_state(LOCK, "unavailable")  # still offline since the grant
    title = await friendly_name(demo, calendar)
    await ui.open(CALENDAR_PATH, expect=title, what=f"{title!r} in the Calendar panel")
    # The grant made through the action shows as well.
    await event_in_month(ui, GUEST).wait_for()

    began = time.monotonic()
    stay, clicked = await add_event(ui, demo, calendar)
    made = await backup_issued_to(demo, STAY_GUEST, stay, clicked, "Add event")
    grant_id, issued = made.grant_id, made.issued
    demo.run.step(
        f"the stay added in the panel: a backup code in slot {issued.slot}"
        f" (status {made.status!r})"
    )
    await check_counts(demo, POOL_SIZE - 2, 2, STATE_TIMEOUT)
    await event_in_month(ui, STAY_GUEST).wait_for()
    await ui.shot("14-calendar", "the Calendar panel with the stay added in it")
    demo.run.timing("stay added and shown", time.monotonic() - began)

    await check_details(ui, demo, calendar, grant_id, issued)
    await move_event(ui, demo, grant_id, stay)
    await delete_event(ui, demo, grant_id)


# ------------------------------------------------------------------------------------------
# The dialogs


def editor(ui: Screen) -> Locator:
    """The panel's Add event / Edit event dialog."""
    return ui.page.locator("dialog-calendar-event-editor")


def detail(ui: Screen) -> Locator:
    """The dialog an event opens in."""
    return ui.page.locator("dialog-calendar-event-detail")


def event_in_month(ui: Screen, name: str) -> Locator:
    """An event of the month view, by its title."""
    return ui.page.locator("ha-full-calendar").get_by_text(name, exact=True)


async def add_event(ui: Screen, demo: Demo, calendar: str) -> tuple[Stay, float]:
    """Add event: the guest, the lock's calendar, check-out a day later. Return it and the click."""
    await ui.page.locator("text=Add event").first.click()
    dialog = editor(ui)
    summary = dialog.get_by_role("textbox", name="Summary")
    await summary.fill(STAY_GUEST)
    await pick_calendar(ui, demo, calendar)
    default = await shown_stay(ui)
    await set_date(ui, 1, default.ends_at.date() + timedelta(days=1))
    stay = await shown_stay(ui)
    check(
        stay == default.checking_out_later(1),
        f"the dialog shows {stay} after moving check-out of {default} a day later",
    )
    demo.run.step(f"Add event: {STAY_GUEST!r} from {stay}")
    await summary.scroll_into_view_if_needed()  # the dialog from its top
    await ui.shot("13-calendar-add-event", "the Calendar panel's Add event dialog")
    clicked = time.monotonic()
    await submit(ui, "Add event", f"adding {STAY_GUEST!r}")
    return stay, clicked


async def pick_calendar(ui: Screen, demo: Demo, calendar: str) -> None:
    """Choose the lock's calendar in the dialog's picker (by its name and the lock's)."""
    name = demo.translations.entity_names()["calendar", CALENDAR_KEY]
    lock = await friendly_name(demo, LOCK)
    picker = editor(ui).locator("ha-entity-picker")
    for _ in range(PICK_TRIES):
        await picker.locator("ha-picker-field").first.click()
        search = picker.locator("ha-picker-combo-box input").first
        await search.fill(name)
        item = (
            picker.locator("ha-picker-combo-box ha-combo-box-item")
            .filter(has_text=name)
            .filter(has_text=lock)
            .first
        )
        await item.wait_for()
        await item.click()
        if await holds(ui, picker, calendar):
            return
    await ui.fail(
        f"the calendar picker holds {await picker.evaluate('(el) => el.value')!r}"
        f" after choosing {calendar}"
    )


async def holds(ui: Screen, picker: Locator, value: str, within: float = 2.0) -> bool:
    """Wait until the picker holds the value (it takes a render)."""
    deadline = time.monotonic() + within
    while await picker.evaluate("(el) => el.value") != value:
        if time.monotonic() > deadline:
            return False
        await ui.page.wait_for_timeout(100)
    return True


async def shown_stay(ui: Screen) -> Stay:
    """Start and end as the dialog's date and time fields show them.

    The frontend shows times in the browser's time zone (its default profile setting).
    """
    dialog = editor(ui)
    zone = ZoneInfo(
        await ui.page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone")
    )
    moments = []
    for index in range(2):
        day = (
            await dialog.locator("ha-date-input")
            .nth(index)
            .evaluate("(el) => el.value")
        )
        clock = (
            await dialog.locator("ha-time-input")
            .nth(index)
            .evaluate("(el) => el.value")
        )
        moments.append(datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=zone))
    return Stay(*moments)


async def set_date(ui: Screen, index: int, day: date) -> None:
    """Choose a day in the date picker of the dialog's start (0) or end (1) field."""
    await editor(ui).locator("ha-date-input").nth(index).click()
    picker = ui.page.locator("ha-dialog-date-picker")
    button = picker.get_by_role("button", name=day_label(day), exact=True)
    await picker.get_by_role("button", name="OK", exact=True).wait_for()
    if not await button.count():  # the day is in the next month
        await picker.get_by_title("Next", exact=True).click()
    await button.click()
    await picker.get_by_role("button", name="OK", exact=True).click()
    await picker.get_by_role("button", name="OK", exact=True).wait_for(state="hidden")
    await ui.page.mouse.move(0, 0)  # no hover left on the field under the OK button


async def submit(ui: Screen, button: str, what: str) -> None:
    """Press the editor's button; wait until it closes, and fail with the error it shows."""
    dialog = editor(ui)
    summary = dialog.get_by_role("textbox", name="Summary")
    await dialog.get_by_role("button", name=button, exact=True).click()
    error = dialog.locator('ha-alert[alert-type="error"]')
    deadline = time.monotonic() + PAGE_TIMEOUT
    while await summary.is_visible():
        if await error.count() and await error.first.is_visible():
            await ui.fail(f"{what}: the dialog says {await ui.text(error.first)!r}")
        if time.monotonic() > deadline:
            await ui.fail(
                f"{what}: the dialog is still open after {PAGE_TIMEOUT:.0f} s"
            )
        await ui.page.wait_for_timeout(100)


async def open_event(ui: Screen, name: str) -> Locator:
    """Click an event of the month; return its details dialog once it shows its buttons."""
    await event_in_month(ui, name).click()
    dialog = detail(ui)
    await dialog.get_by_role("button", name="Edit event").wait_for()
    return dialog


# ------------------------------------------------------------------------------------------
# What the host does with the stay


async def check_details(
    ui: Screen, demo: Demo, calendar: str, grant_id: str, issued: Issued
) -> None:
    """The event's details: the description the calendar gives, saying backup code and slot."""
    description = await event_description(demo, calendar, grant_id)
    wanted = BACKUP_ISSUED.format(slot=issued.slot)
    check(
        wanted in description.splitlines(),
        f"the event's description does not say {wanted!r}: {description!r}",
    )
    dialog = await open_event(ui, STAY_GUEST)
    lines = [line for line in description.splitlines() if line.strip()]
    await ui.wait_text(
        lambda text: all(line in text for line in lines),
        root=dialog,
        what=f"the description {lines} in the event's details",
    )
    await ui.shot(
        "15-calendar-event", "the stay's details: backup code issued, its slot, no code"
    )
    demo.run.step(f"the details say {wanted!r}, and no code")


async def event_description(demo: Demo, calendar: str, grant_id: str) -> str:
    """The description of the grant's event, as the calendar API gives it to the panel."""
    now = datetime.now().astimezone()
    window = {
        "start": (now - timedelta(days=1)).isoformat(),
        "end": (now + timedelta(days=7)).isoformat(),
    }
    events = await demo.api.request(
        "GET", f"/api/calendars/{calendar}?{urlencode(window)}"
    )
    found = [e for e in events if e.get("uid") == grant_id]
    check(len(found) == 1, f"{calendar} has {len(found)} events of uid {grant_id}")
    return str(found[0].get("description") or "")


async def move_event(ui: Screen, demo: Demo, grant_id: str, stay: Stay) -> None:
    """Edit event: a day later, and renamed; the grant must follow (and keep its backup code)."""
    await detail(ui).get_by_role("button", name="Edit event").click()
    dialog = editor(ui)
    summary = dialog.get_by_role("textbox", name="Summary")
    check(
        await summary.input_value() == STAY_GUEST,
        "the editor does not hold the event's title",
    )
    moved = stay.later(1)
    await set_date(ui, 0, moved.starts_at.date())
    await set_date(ui, 1, moved.ends_at.date())
    await summary.fill(MOVED_GUEST)
    shown = await shown_stay(ui)
    check(shown == moved, f"the editor shows {shown} after moving the stay to {moved}")
    await summary.scroll_into_view_if_needed()
    await ui.shot("16-calendar-move", "Edit event: the stay a day later, renamed")
    await submit(ui, "Save event", f"moving {STAY_GUEST!r}")
    grant = await wait_grant(
        demo,
        grant_id,
        lambda g: g is not None and g.get("name") == MOVED_GUEST,
        "renamed",
    )
    check(
        grant is not None
        and datetime.fromisoformat(grant["starts_at"]) == moved.starts_at
        and datetime.fromisoformat(grant["ends_at"]) == moved.ends_at,
        f"list_access_grants: the moved grant is {grant_times(grant)}"
        f" (expected {moved.starts_at.isoformat()} .. {moved.ends_at.isoformat()})",
    )
    await event_in_month(ui, MOVED_GUEST).wait_for()
    demo.run.step(f"moved and renamed in the panel: the grant is {grant_times(grant)}")


async def delete_event(ui: Screen, demo: Demo, grant_id: str) -> None:
    """Delete event in its details, confirmed: the grant is gone, its code no longer issued."""
    dialog = await open_event(ui, MOVED_GUEST)
    await dialog.get_by_role("button", name="Delete event").click()
    confirm = ui.page.locator("confirm-event-dialog-box")
    delete = confirm.get_by_role("button", name="Delete", exact=True)
    await delete.wait_for()
    await ui.shot("17-calendar-delete", "Delete event: the confirmation")
    await delete.click()
    await wait_grant(demo, grant_id, lambda g: g is None, "deleted")
    await event_in_month(ui, MOVED_GUEST).wait_for(state="detached")
    await demo.api.wait_state(demo.entities[SENSOR_ISSUED], "1")
    await ui.scan("the Calendar panel after deleting the stay")
    demo.run.step("deleted in the panel: the grant is gone, one backup code in use")
