"""Planning calendar sync (pure Python): moved out of the window is not cancelled."""

from datetime import datetime, timedelta

from custom_components.backup_access_codes.reservations import Reservation, plan_sync

NOW = datetime(2026, 12, 1, 12, 0).astimezone()
DAY = timedelta(days=1)


def stay(key: str, starts_in: timedelta, name: str = "Guest") -> Reservation:
    """A stay of two days."""
    return Reservation(key, name, NOW + starts_in, NOW + starts_in + 2 * DAY)


def made(*stays: Reservation) -> dict[str, tuple[str, str, datetime, datetime]]:
    """Grants a calendar made for these stays, id = 'g-' + key."""
    return {f"g-{s.key}": (s.key, s.name, s.starts_at, s.ends_at) for s in stays}


def test_moved_beyond_the_window_updates_instead_of_deleting() -> None:
    """Gone from the window but found later: same grant, new times."""
    old, later = stay("a", 2 * DAY), stay("a", 20 * DAY)
    plan = plan_sync(made(old), [], NOW, beyond=[later])
    assert plan.delete == []
    assert plan.create == []
    assert plan.update == [("g-a", later)]
    assert plan.moved_out == ["g-a"]


def test_already_moved_out_changes_nothing() -> None:
    """A grant already holding the far times: nothing to do on the next refresh."""
    later = stay("a", 20 * DAY)
    plan = plan_sync(made(later), [], NOW, beyond=[later])
    assert (plan.create, plan.update, plan.delete, plan.moved_out) == ([], [], [], [])


def test_beyond_the_window_never_creates() -> None:
    """An event far away without a grant gets one only when it enters the window."""
    plan = plan_sync({}, [], NOW, beyond=[stay("b", 30 * DAY)])
    assert plan.create == []


def test_gone_everywhere_is_cancelled() -> None:
    """Neither in the window nor beyond it: deleted; without a look beyond as well."""
    old = stay("a", 2 * DAY)
    assert plan_sync(made(old), [], NOW, beyond=[]).delete == ["g-a"]
    assert plan_sync(made(old), [], NOW).delete == ["g-a"]


def test_window_wins_over_beyond() -> None:
    """An event seen in the window is planned from there, whatever is found later."""
    here, also = stay("a", 3 * DAY, "New name"), stay("a", 40 * DAY)
    plan = plan_sync(made(stay("a", 2 * DAY)), [here], NOW, beyond=[also])
    assert plan.update == [("g-a", here)]
    assert plan.moved_out == []
