"""The device a lock without one gets, and the lock's link to it."""

from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.backup_access_codes.const import DOMAIN, EVENT_ISSUED
from custom_components.backup_access_codes.lock_device import device_model
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .conftest import LOCK, add_entry, create_grant, make_entry

PORCH = "lock.porch"


def own_device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry | None:
    """The device the integration made for the entry's lock."""
    return dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )


def device_of(hass: HomeAssistant, entity_id: str) -> str | None:
    """The device an entity is linked to in the registry."""
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    return entity.device_id


def our_devices(hass: HomeAssistant, entry: MockConfigEntry) -> set[str | None]:
    """The devices the entry's entities sit on."""
    return {
        e.device_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }


async def template_lock(hass: HomeAssistant, **options: Any) -> MockConfigEntry:
    """A template lock made in the UI (a Template helper), as a host makes one."""
    helper = MockConfigEntry(
        domain="template",
        title="Porch",
        options={
            "template_type": "lock",
            "name": "Porch",
            "state": "locked",
            "lock": [],
            "unlock": [],
            **options,
        },
    )
    helper.add_to_hass(hass)
    assert await hass.config_entries.async_setup(helper.entry_id)
    await hass.async_block_till_done()
    return helper


def helper_lock(hass: HomeAssistant, helper: MockConfigEntry) -> str:
    """The entity id of a Template helper's lock (prefixed by a device it starts on)."""
    (entity,) = er.async_entries_for_config_entry(er.async_get(hass), helper.entry_id)
    return entity.entity_id


def hardware(hass: HomeAssistant) -> dr.DeviceEntry:
    """A device of another integration that a host may link the lock to."""
    owner = MockConfigEntry(domain="test")
    owner.add_to_hass(hass)
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=owner.entry_id,
        identifiers={("test", "porch-lock")},
        name="Porch lock",
        manufacturer="Acme",
    )


async def test_lock_without_device_gets_honest_device(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A template lock has no device: one named after it, saying what it is, holds it all."""
    device = own_device(hass, entry)
    assert device is not None
    assert (device.name, device.manufacturer, device.model) == (
        "Front door",
        "Backup Access Codes",
        "Template lock, codes set by scripts",
    )
    # The lock itself is on that device, with the integration's entities.
    assert device_of(hass, LOCK) == device.id
    assert our_devices(hass, entry) == {device.id}
    issued = async_capture_events(hass, EVENT_ISSUED)
    await create_grant(hass, starts_in=timedelta(minutes=5))
    assert issued[0].data["device_id"] == device.id


async def test_link_survives_the_lock_integration_reloading(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """The template integration registers the lock again without a device: relinked."""
    helper = await template_lock(hass)
    ours = await add_entry(hass, make_entry(PORCH))
    coordinator = ours.runtime_data
    device = own_device(hass, ours)
    assert device is not None
    assert device_of(hass, PORCH) == device.id
    assert device.model == "Template lock, codes set by scripts"

    updates = async_capture_events(hass, er.EVENT_ENTITY_REGISTRY_UPDATED)
    assert await hass.config_entries.async_reload(helper.entry_id)
    await hass.async_block_till_done()
    changes = [
        e.data["changes"].get("device_id", "-")
        for e in updates
        if e.data["entity_id"] == PORCH and e.data["action"] == "update"
    ]
    # Unlinked by the template integration (the old value was ours), then linked again.
    assert changes[:2] == [device.id, None]
    assert device_of(hass, PORCH) == device.id
    # Without setting the lock's entry up again.
    assert ours.runtime_data is coordinator
    assert ours.state is ConfigEntryState.LOADED


async def test_host_links_the_lock_to_a_device(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """A device the host gives the lock takes over; unlinking it brings ours back."""
    helper = await template_lock(hass)
    ours = await add_entry(hass, make_entry(PORCH))
    made = own_device(hass, ours)
    assert made is not None
    device = hardware(hass)
    hass.config_entries.async_update_entry(
        helper, options={**helper.options, "device_id": device.id}
    )
    assert await hass.config_entries.async_reload(helper.entry_id)
    await hass.async_block_till_done()
    assert device_of(hass, PORCH) == device.id
    assert ours.state is ConfigEntryState.LOADED
    assert our_devices(hass, ours) == {device.id}
    assert own_device(hass, ours) is None
    assert (
        len(er.async_entries_for_config_entry(er.async_get(hass), ours.entry_id)) == 6
    )
    assert hass.states.get(PORCH) is not None
    # The lock's own device is left as it is.
    assert dr.async_get(hass).async_get(device.id) == device

    options = {k: v for k, v in helper.options.items() if k != "device_id"}
    hass.config_entries.async_update_entry(helper, options=options)
    assert await hass.config_entries.async_reload(helper.entry_id)
    await hass.async_block_till_done()
    again = own_device(hass, ours)
    assert again is not None
    assert device_of(hass, PORCH) == again.id
    assert our_devices(hass, ours) == {again.id}


async def test_removal_unlinks_the_lock(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Removing the entry takes the lock off the device (which goes), even a disabled one."""
    device = own_device(hass, entry)
    assert device is not None
    # The host disabled the device, and so the lock on it.
    dr.async_get(hass).async_update_device(
        device.id, disabled_by=dr.DeviceEntryDisabler.USER
    )
    await hass.async_block_till_done()
    lock = er.async_get(hass).async_get(LOCK)
    assert lock is not None
    assert lock.disabled_by is er.RegistryEntryDisabler.DEVICE
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    lock = er.async_get(hass).async_get(LOCK)
    assert lock is not None
    assert (lock.device_id, lock.disabled_by) == (None, None)
    assert dr.async_get(hass).async_get(device.id) is None


async def test_lock_on_its_own_device_stays_there(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """A lock that has a device keeps it; no device is made and removal leaves it."""
    device = hardware(hass)
    helper = await template_lock(hass, device_id=device.id)
    lock = helper_lock(hass, helper)
    ours = await add_entry(hass, make_entry(lock))
    assert own_device(hass, ours) is None
    assert our_devices(hass, ours) == {device.id}
    assert await hass.config_entries.async_remove(ours.entry_id)
    await hass.async_block_till_done()
    assert device_of(hass, lock) == device.id
    assert helper.state is ConfigEntryState.LOADED


async def test_lock_without_registry_entry(
    hass: HomeAssistant, writes: list[Event]
) -> None:
    """A lock entity without a unique id cannot be linked: the device holds the rest."""
    hass.states.async_set("lock.shed", "locked", {"friendly_name": "Shed"})
    ours = await add_entry(hass, make_entry("lock.shed"))
    device = own_device(hass, ours)
    assert device is not None
    assert (device.name, device.model) == ("Shed", "Lock, codes set by scripts")
    assert our_devices(hass, ours) == {device.id}


@pytest.mark.parametrize(
    ("platform", "provider", "model"),
    [
        ("template", "script", "Template lock, codes set by scripts"),
        ("template", "zha", "Template lock, codes set through ZHA"),
        ("nowhere", "zwave_js", "nowhere lock, codes set through Z-Wave JS"),
    ],
)
async def test_device_model_names_lock_and_provider(
    hass: HomeAssistant, locks: None, platform: str, provider: str, model: str
) -> None:
    """The model says which integration the lock is of and how codes reach it."""
    lock = er.async_get(hass).async_get_or_create("lock", platform, f"{platform}-1")
    assert device_model(hass, lock, provider) == model


async def test_disabled_entry_leaves_the_lock_enabled(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Disabling the entry disables its device and entities, never the lock on it."""
    assert await hass.config_entries.async_set_disabled_by(
        entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    lock = er.async_get(hass).async_get(LOCK)
    assert lock is not None
    assert lock.disabled_by is None
    assert hass.states.get(LOCK) is not None
    assert all(
        e.disabled_by is er.RegistryEntryDisabler.CONFIG_ENTRY
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    )
