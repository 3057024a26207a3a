"""Property-based tests of the pure domain: random lives of one lock, invariants each step."""

from datetime import datetime, timedelta
import json
import os

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
)

from custom_components.backup_access_codes.codes import generate_code, is_weak
from custom_components.backup_access_codes.coverage import no_code_cause
from custom_components.backup_access_codes.engine import LockEngine
from custom_components.backup_access_codes.grants import (
    Grant,
    GrantBook,
    GrantLock,
    GrantStatus,
    Timing,
)
from custom_components.backup_access_codes.lock_state import Layout, LockState
from custom_components.backup_access_codes.outcomes import CodeIssued, IssueFailed
from custom_components.backup_access_codes.pool import PoolStatus
from custom_components.backup_access_codes.slots import SlotWrite

LOCK_ID = "lock"
T0 = datetime(2026, 12, 1, 12, 0).astimezone()


class LockLife(RuleBasedStateMachine):
    """A lock going on and off line while guests come and go and writes fail."""

    grants = Bundle("grants")
    # A lock that keeps codes on time itself (see LockLifeWithWindows).
    keeps_windows = False

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.online = True
        self.all_grants = GrantBook()
        self.engine = LockEngine(
            LOCK_ID,
            LockState(),
            self.all_grants,
            Layout(pool_size=3, first_slot=10, slot_count=6, code_length=4),
            Timing(backup_lead=timedelta(hours=36), program_lead=timedelta(hours=1)),
        )
        self.counter = 0
        self.issued: dict[str, list[CodeIssued]] = {}
        # Grants whose guest the host was told has no working code (issue_failed), until
        # the guest holds one again: the open episodes.
        self.announced: set[str] = set()
        self.told_codes: dict[str, set[str]] = {}  # code -> grants told it
        self.engine.keeps_windows = self.keeps_windows

    @initialize(reuse=st.booleans())
    def choose_reuse(self, reuse: bool) -> None:
        # The host's option: a previous guest's code when no fresh one is left, or none.
        self.engine.pool.reuse_used = reuse

    def _evaluate(self) -> None:
        self._record(self.engine.evaluate(self.now, self.online))
        for grant in self.all_grants.values():
            gl = grant.locks.get(LOCK_ID)
            if gl is None:
                continue
            if self._works(grant, gl) or self.now < grant.issue_at(self.engine.timing):
                # Served, or moved before its issue point: the episode is over.
                self.announced.discard(grant.grant_id)

    def _record(self, outcomes: list[CodeIssued | IssueFailed]) -> None:
        for outcome in outcomes:
            if isinstance(outcome, CodeIssued):
                self.issued.setdefault(outcome.grant_id, []).append(outcome)
                # Said to be used before exactly when another guest was told it.
                others = self.told_codes.get(outcome.code, set()) - {outcome.grant_id}
                assert outcome.previously_used == bool(others)
                assert self.engine.pool.reuse_used or not outcome.previously_used
                self.told_codes.setdefault(outcome.code, set()).add(outcome.grant_id)
            else:
                assert isinstance(outcome, IssueFailed)
                # Once per episode: never again while the host already knows.
                assert outcome.grant_id not in self.announced
                self.announced.add(outcome.grant_id)

    def _works(self, grant: Grant, gl: GrantLock) -> bool:
        """Whether the guest holds a code that opens the door (or will, when due)."""
        on_lock = self.engine.state.on_lock
        if gl.told is None:
            return False
        if gl.told.is_backup:
            # A backup code is one the lock holds.
            return gl.backup_slot is not None and on_lock.get(gl.backup_slot) == (
                gl.told.code
            )
        if gl.rejected:
            return False  # refused for good on this lock
        if not grant.in_window(self.engine.timing, self.now):
            return True  # programmed at its program point
        if gl.slot is None:
            return False  # no guest slot free
        if on_lock.get(gl.slot) == grant.code:
            # A lock-kept window must be the stay's own: an old one (a move not written
            # yet) keeps the guest out when due.
            window = self.engine.state.windows.get(gl.slot)
            if window in (None, grant.code_window(self.engine.timing)):
                return True
            return self.online and not gl.program_failed
        # Not on the lock yet: only an online lock whose attempt has not failed gets it.
        return self.online and not gl.program_failed

    def _offerable(self) -> set[str]:
        return {
            p.code
            for p in self.engine.state.pool
            if p.status is PoolStatus.PROGRAMMED
            or (
                p.status is PoolStatus.ROTATING
                and self.engine.state.on_lock.get(p.slot) == p.code
                and (self.engine.pool.reuse_used or p.code not in self.told_codes)
            )
        }

    @rule(online=st.booleans())
    def set_online(self, online: bool) -> None:
        if online and not self.online:
            self.engine.came_online()
        self.online = online
        self._evaluate()

    @rule(
        target=grants,
        starts_in=st.integers(min_value=-60, max_value=4 * 24 * 60),
        minutes=st.integers(min_value=30, max_value=3 * 24 * 60),
    )
    def create(self, starts_in: int, minutes: int) -> str:
        self.counter += 1
        grant_id = f"g{self.counter}"
        starts_at = self.now + timedelta(minutes=starts_in)
        self.all_grants[grant_id] = Grant(
            grant_id=grant_id,
            name=grant_id,
            starts_at=starts_at,
            ends_at=max(starts_at, self.now) + timedelta(minutes=minutes),
            code=generate_code(4, self.engine.held_codes()),
            locks={LOCK_ID: GrantLock()},
        )
        self._evaluate()
        return grant_id

    @rule(grant_id=grants, shift=st.integers(min_value=-24 * 60, max_value=3 * 24 * 60))
    def move(self, grant_id: str, shift: int) -> None:
        grant = self.all_grants.get(grant_id)
        if grant is None:
            return
        starts_at = grant.starts_at + timedelta(minutes=shift)
        ends_at = grant.ends_at + timedelta(minutes=shift)
        if ends_at <= self.now:
            return  # the service refuses this
        grant.starts_at, grant.ends_at = starts_at, ends_at
        self._evaluate()

    @rule(grant_id=consumes(grants))
    def delete(self, grant_id: str) -> None:
        if (grant := self.all_grants.get(grant_id)) is not None:
            self.engine.remove_grant(grant)
        self._evaluate()

    @rule(grant_id=grants)
    def manual_pull(self, grant_id: str) -> None:
        if (grant := self.all_grants.get(grant_id)) is not None:
            self._record(self.engine.issue_backup(grant, self.now))
        self._evaluate()

    @rule()
    def restart(self) -> None:
        # Home Assistant restarts: everything comes back from the store, nothing else.
        engine = self.engine
        self.all_grants = GrantBook(
            (grant_id, Grant.from_dict(json.loads(json.dumps(grant.to_dict()))))
            for grant_id, grant in self.all_grants.items()
        )
        self.engine = LockEngine(
            LOCK_ID,
            LockState.from_dict(json.loads(json.dumps(engine.state.to_dict()))),
            self.all_grants,
            engine.layout,
            engine.timing,
            reuse_used_codes=engine.pool.reuse_used,
        )
        self._evaluate()  # an open episode is not announced again

    @rule()
    def rotate(self) -> None:
        self.engine.rotate_idle()
        self._evaluate()

    @rule(minutes=st.integers(min_value=1, max_value=2 * 24 * 60))
    def wait(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        self._evaluate()

    @rule(
        results=st.lists(
            st.sampled_from(("ok", "fail", "refused")), min_size=1, max_size=12
        )
    )
    def sync(self, results: list[str]) -> None:
        """Perform writes as the coordinator does, each succeeding or failing.

        ``refused``: a lock that will not be trusted with a code's window (its clock);
        any other write fails as usual.
        """
        for result in results:
            if not self.online:
                break
            if (write := self.engine.next_write(self.now)) is None:
                break
            self._check_write(write)
            self.engine.write_started(write, self.now)
            if result == "ok":
                self.engine.write_succeeded(write, self.now)
            else:
                self.engine.write_failed(
                    write, self.now, window_refused=result == "refused"
                )
            self._evaluate()

    def _check_write(self, write: SlotWrite) -> None:
        """What goes onto the lock, when: the program point rule and lock-kept windows."""
        timing = self.engine.timing
        for grant in self.all_grants.values():
            if grant.code != write.code or LOCK_ID not in grant.locks:
                continue
            if write.window is None:
                # A code without a lock-kept window is never put on before its program
                # point: it would let this guest in during the previous stay.
                assert self.now >= grant.program_at(timing)
            else:
                # A code put on early carries exactly its window, and only on a lock that
                # keeps windows, from the issue point on.
                assert self.engine.keeps_windows
                assert write.window == grant.code_window(timing)
                assert self.now >= grant.issue_at(timing)
        if write.code is not None and write.window is not None:
            assert write.slot in self.engine.layout.grant_slots

    # ----- invariants

    @invariant()
    def state_survives_the_store(self) -> None:
        # What a restart reads back is exactly what was there.
        state = self.engine.state
        assert LockState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
        for grant in self.all_grants.values():
            assert Grant.from_dict(json.loads(json.dumps(grant.to_dict()))) == grant

    @invariant()
    def no_code_held_by_two_grants(self) -> None:
        told = [
            gl.told.code
            for grant in self.all_grants.values()
            if (gl := grant.locks.get(LOCK_ID)) is not None and gl.told is not None
        ]
        assert len(told) == len(set(told))
        slots = [
            gl.slot
            for grant in self.all_grants.values()
            if (gl := grant.locks.get(LOCK_ID)) is not None and gl.slot is not None
        ]
        assert len(slots) == len(set(slots))
        assert all(slot in self.engine.layout.grant_slots for slot in slots)

    @invariant()
    def backups_match_pool(self) -> None:
        holders = {
            grant.grant_id: gl.backup_slot
            for grant in self.all_grants.values()
            if (gl := grant.locks.get(LOCK_ID)) is not None
            and gl.backup_slot is not None
        }
        issued = {
            p.grant_id: p.slot
            for p in self.engine.state.pool
            if p.status is PoolStatus.ISSUED
        }
        assert holders == issued

    @invariant()
    def codes_are_distinct_and_strong(self) -> None:
        codes = [c for p in self.engine.state.pool for c in p.codes()]
        codes += [g.code for g in self.all_grants.values()]
        assert len(codes) == len(set(codes))
        assert not any(is_weak(c) for c in codes)
        desired = [c for c in self.engine.desired(self.now).values() if c is not None]
        assert len(desired) == len(set(desired))
        assert all(slot in range(10, 16) for slot in self.engine.desired(self.now))

    @invariant()
    def health_matches_definitions(self) -> None:
        pool = self.engine.state.pool
        health = self.engine.health()
        assert health.size == len(pool) == 3
        failed = sum(
            1
            for p in pool
            if p.status is PoolStatus.FAILED
            or (p.status is PoolStatus.ROTATING and p.attempt_failed)
        )
        assert health.failed == failed
        assert health.empty == (failed == 3)
        assert health.partial == (0 < failed < 3)
        in_use = sum(1 for p in pool if p.status is PoolStatus.ISSUED)
        assert health.many_active == (in_use * 4 > 3 * 3)
        assert health.ready == sum(1 for p in pool if p.status is PoolStatus.PROGRAMMED)

    @invariant()
    def offline_pool_counts_as_failed(self) -> None:
        # An offline lock gets no calls: after every evaluation, each pool code that is not
        # on the lock as it should be counts as failed (also one a check-out just freed).
        if self.online:
            return
        for pool_code in self.engine.state.pool:
            assert pool_code.status is not PoolStatus.PENDING
            assert pool_code.status is not PoolStatus.ROTATING or (
                pool_code.attempt_failed
            )

    @invariant()
    def no_guest_without_a_working_code_unnoticed(self) -> None:
        # A guest at or after the issue point holds a working code, or is in an
        # issue_failed episode that was announced: status and repair say so.
        for grant in self.all_grants.values():
            gl = grant.locks.get(LOCK_ID)
            if gl is None:
                continue
            status = self.engine.status(grant, gl)
            if self.now < grant.issue_at(self.engine.timing):
                assert gl.no_code is None
                assert grant.grant_id not in self.announced
                continue
            if self._works(grant, gl):
                assert gl.no_code is None
                assert status is not GrantStatus.ISSUE_FAILED
                continue
            assert grant.grant_id in self.announced
            assert status is GrantStatus.ISSUE_FAILED
            assert gl.no_code is no_code_cause(
                grant, gl, self.engine.timing, self.now, self.online
            )
            # Only with nothing left to give: no fresh code, none awaiting rotation.
            assert not self._offerable()

    @invariant()
    def early_codes_only_with_their_window(self) -> None:
        # What the engine wants on the lock: a guest's code without a window only in its
        # program window; with one only on a lock that keeps windows, from the issue point.
        timing = self.engine.timing
        wanted = self.engine.slots.wanted(self.now)
        for grant in self.all_grants.values():
            gl = grant.locks.get(LOCK_ID)
            if gl is None or gl.slot is None or gl.slot not in wanted:
                continue
            write = wanted[gl.slot]
            if write.code != grant.code:
                continue
            if write.window is None:
                assert grant.in_window(timing, self.now)
            else:
                assert self.engine.keeps_windows and not gl.window_failed
                assert write.window == grant.code_window(timing)
                assert grant.preloads(timing, self.now)
        # A window is only kept with a code known to be on the lock.
        state = self.engine.state
        assert all(state.on_lock.get(slot) is not None for slot in state.windows)

    @invariant()
    def events_are_consistent(self) -> None:
        for outcomes in self.issued.values():
            assert not outcomes[0].reissued
            assert all(o.reissued for o in outcomes[1:])
            assert (
                sum(o.is_backup for o in outcomes) <= 2
            )  # a manual pull after release


LockLife.TestCase.settings = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "200")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLockLife = LockLife.TestCase


class LockLifeWithWindows(LockLife):
    """The same lives on a lock that keeps codes on time itself, whose clock may go wrong."""

    keeps_windows = True

    @rule(keeps=st.booleans())
    def windows_usable(self, keeps: bool) -> None:
        # The lock was asked again: its clock is trusted, or not any more.
        self.engine.keeps_windows = keeps
        self._evaluate()


LockLifeWithWindows.TestCase.settings = LockLife.TestCase.settings
TestLockLifeWithWindows = LockLifeWithWindows.TestCase


def test_weak_codes() -> None:
    """One digit repeated and straight runs are weak; others are not."""
    for code in (
        "0000",
        "999999",
        "1234",
        "123456",
        "654321",
        "8901",
        "3210",
        "98765432",
    ):
        assert is_weak(code), code
    for code in ("1243", "482917", "1212", "0101", "13579"):
        assert not is_weak(code), code


def test_generate_code_avoids_held() -> None:
    """Generated codes avoid every held code, even when few are left."""
    all_codes = {f"{i:04d}" for i in range(10_000)}
    free = {"4829", "5173"}
    for _ in range(20):
        assert generate_code(4, all_codes - free) in free


def test_first_use_is_recorded_once() -> None:
    """A keypad unlock with a grant's backup code records its first use, once."""
    grants = GrantBook()
    engine = LockEngine(
        LOCK_ID,
        LockState(),
        grants,
        Layout(pool_size=2, first_slot=1, slot_count=4, code_length=6),
        Timing(backup_lead=timedelta(hours=36), program_lead=timedelta(hours=1)),
    )
    for pool_code in engine.state.pool:
        engine.write_succeeded(SlotWrite(pool_code.slot, pool_code.code), T0)
    grants["g"] = Grant(
        "g", "Guest", T0, T0 + timedelta(days=1), "482917", {LOCK_ID: GrantLock()}
    )
    engine.evaluate(T0, online=False)
    assert grants["g"].locks[LOCK_ID].backup_slot == 1
    assert engine.code_used(2, T0) is None  # an idle pool code: nobody's
    assert engine.code_used(1, T0) is grants["g"]
    assert engine.code_used(1, T0 + timedelta(hours=1)) is None
    assert grants["g"].locks[LOCK_ID].first_used_at == T0
