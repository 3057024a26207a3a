"""The measuring patches on Home Assistant's internals that feed ``PROBE``, and the log.

Counted: completed writes of Store files (with the integration's content while
``PROBE.capture_store``), the time the integration's data takes to serialise, state writes of
the integration's entities, lock evaluations, timers armed from the integration's code (while
``PROBE.track_timers``), garbage-collector pauses and the integration's log warnings.
"""

import asyncio
from collections.abc import Callable
import functools
import gc
import logging
import logging.handlers
from pathlib import Path
import queue
import sys
import time
from types import FrameType
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import event as event_helper, json as json_helper
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.storage import Store
import homeassistant.util as ha_util

from .clock import CLOCK
from .const import DOMAIN, INTEGRATION, PKG_PATHS, code_paths
from .probe import PROBE, StoreWrite

# Modules that only pass a timer on (asyncio, Home Assistant's time and storage helpers, the
# core): the first frame outside them decides whose timer it is.
_PLUMBING = tuple(
    prefix
    for path in (
        asyncio.__file__.rsplit("/", 1)[0],
        event_helper.__file__,
        sys.modules[Store.__module__].__file__ or "",
        sys.modules[HomeAssistant.__module__].__file__ or "",
        sys.modules[ha_util.__name__ + ".async_"].__file__ or "",
    )
    for prefix in code_paths(path)
)


@functools.cache
def install() -> None:
    """Install the clock and every patch, once per process, on the running loop."""
    loop = asyncio.get_running_loop()
    CLOCK.install(loop)
    _count_store_writes()
    _time_serialisation()
    _count_state_writes()
    _count_evaluations()
    _track_timers(loop)
    gc.callbacks.append(_gc_callback())


def _count_store_writes() -> None:
    original_write = Store._write_prepared_data

    def write_prepared_data(
        self: Store[Any], mode: str, json_data: str | bytes
    ) -> None:
        original_write(self, mode, json_data)
        content = None
        if self.key == DOMAIN and PROBE.capture_store:
            content = json_data if isinstance(json_data, str) else json_data.decode()
        PROBE.store_writes.append(
            StoreWrite(self.key, CLOCK.loop_time(), len(json_data), content)
        )

    Store._write_prepared_data = write_prepared_data  # type: ignore[method-assign]


def _time_serialisation() -> None:
    original_async_write = Store._async_write_data

    async def async_write_data(self: Store[Any], data: dict[str, Any]) -> None:
        if self.key == DOMAIN and callable(data.get("data_func")):
            data_func = data["data_func"]

            def timed() -> Any:
                started = time.perf_counter()
                try:
                    return data_func()
                finally:
                    PROBE.serialize_s.append(time.perf_counter() - started)

            data["data_func"] = timed
        await original_async_write(self, data)

    Store._async_write_data = async_write_data  # type: ignore[method-assign]

    original_prepare = json_helper.prepare_save_json

    def prepare_save_json(data: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and data.get("key") == DOMAIN:
            started = time.perf_counter()
            try:
                return original_prepare(data, *args, **kwargs)
            finally:
                PROBE.serialize_s.append(time.perf_counter() - started)
        return original_prepare(data, *args, **kwargs)

    json_helper.prepare_save_json = prepare_save_json


def _count_state_writes() -> None:
    original_write_state = Entity.async_write_ha_state

    @callback
    def async_write_ha_state(self: Entity) -> None:
        if self.platform is not None and self.platform.platform_name == DOMAIN:
            PROBE.state_writes += 1
        original_write_state(self)

    Entity.async_write_ha_state = async_write_ha_state  # type: ignore[method-assign,misc]


def _count_evaluations() -> None:
    coordinator_cls = getattr(
        sys.modules.get(f"{INTEGRATION}.coordinator"), "LockCoordinator", None
    )
    if coordinator_cls is None or not hasattr(coordinator_cls, "async_update"):
        return
    original_update = coordinator_cls.async_update

    @callback
    def async_update(self: Any, *args: Any, **kwargs: Any) -> Any:
        PROBE.updates += 1
        return original_update(self, *args, **kwargs)

    coordinator_cls.async_update = async_update


def _owner_of_call() -> str | None:
    """Name the lock (or 'shared') if the integration's code is arming this timer."""
    frame_: FrameType | None = sys._getframe(2)
    depth = 0
    while frame_ is not None and frame_.f_code.co_filename.startswith(_PLUMBING):
        frame_ = frame_.f_back
    if frame_ is None or not frame_.f_code.co_filename.startswith(PKG_PATHS):
        return None
    while frame_ is not None and depth < 40:
        if frame_.f_code.co_filename.startswith(PKG_PATHS):
            lock = getattr(frame_.f_locals.get("self"), "lock_entity_id", None)
            if isinstance(lock, str):
                return lock
        frame_ = frame_.f_back
        depth += 1
    return "shared"


def _track_timers(loop: asyncio.AbstractEventLoop) -> None:
    original_call_at = loop.call_at

    def call_at(when: float, callback_: Any, *args: Any, context: Any = None) -> Any:
        if not PROBE.track_timers or (owner := _owner_of_call()) is None:
            return original_call_at(when, callback_, *args, context=context)
        fired = [False]

        def fire(*fire_args: Any) -> Any:
            fired[0] = True
            PROBE.timer_fires += 1
            PROBE.fires_by_owner[owner] += 1
            return callback_(*fire_args)

        handle = original_call_at(when, fire, *args, context=context)
        PROBE.handles.append((handle, owner, fired))
        return handle

    loop.call_at = call_at  # type: ignore[method-assign,assignment]


def _gc_callback() -> Callable[[str, dict[str, Any]], None]:
    started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            PROBE.gc_pauses.append(
                (
                    CLOCK.loop_time(),
                    time.perf_counter() - started[0],
                    int(info.get("generation", -1)),
                )
            )

    return on_gc


class _CountWarnings(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        PROBE.log_warnings += 1


def setup_logging(log_file: Path) -> logging.handlers.QueueListener:
    """Log to a file through a queue (as Home Assistant does), count our warnings."""
    file_handler = logging.FileHandler(log_file)
    file_handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    log_queue: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    root.addHandler(logging.handlers.QueueHandler(log_queue))
    root.setLevel(logging.WARNING)
    counter = _CountWarnings(logging.WARNING)
    logging.getLogger(INTEGRATION).addHandler(counter)
    listener = logging.handlers.QueueListener(log_queue, file_handler)
    listener.start()
    return listener
