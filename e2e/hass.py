"""The Home Assistant process under test, on a throw-away copy of the demo configuration."""

import asyncio
import contextlib
import errno
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import time

import aiohttp

from .common import ROOT, check
from .democonfig import ensure_include_files, link_blueprints, link_integration

START_TIMEOUT = 90.0  # process start until the API answers
STOP_TIMEOUT = 30.0


def port_busy(port: int) -> bool:
    """Tell whether something listens on the port (or it cannot be bound)."""
    for host in ("127.0.0.1", "::1"):
        with (
            contextlib.suppress(OSError),
            socket.create_connection((host, port), timeout=0.5),
        ):
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))  # noqa: S104 - Home Assistant binds all interfaces
        except OSError as err:
            return err.errno == errno.EADDRINUSE
    return False


def prepare_config(config_dir: Path) -> None:
    """Copy the demo configuration; link the integration and blueprints, create the includes."""
    shutil.copy2(
        ROOT / "config" / "configuration.yaml", config_dir / "configuration.yaml"
    )
    problem = link_integration(config_dir)
    check(problem is None, f"cannot link the integration: {problem}")
    ensure_include_files(config_dir)
    link_blueprints(config_dir)


class HomeAssistant:
    """`python -m homeassistant --config DIR --skip-pip` in its own process group."""

    def __init__(self, config_dir: Path, port: int) -> None:
        """Remember where and how to run."""
        self.config_dir = config_dir
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.output = config_dir / "hass.out"

    def start(self) -> None:
        """Start it, detached from our terminal's Ctrl-C (we stop it ourselves).

        A port other than 8123 is given through SETUP_PORT, the port of a new installation,
        not through `http:` in configuration.yaml, which would be a pending setting that Home
        Assistant reverts after five minutes.
        """
        env = dict(os.environ)
        env.pop("SETUP_PORT", None)
        if self.port != 8123:
            env["SETUP_PORT"] = str(self.port)
        with self.output.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "python"),
                    "-m",
                    "homeassistant",
                    "--config",
                    str(self.config_dir),
                    "--skip-pip",
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def exit_code(self) -> int | None:
        """Return the exit code once it has exited."""
        return None if self.proc is None else self.proc.poll()

    def stop(self) -> float:
        """Stop the whole process group: SIGTERM, then SIGKILL. Return how long it took."""
        if self.proc is None:
            return 0.0
        began = time.monotonic()
        pgid = self.proc.pid  # start_new_session: the leader's pid is the group id
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(
                    "e2e: Home Assistant did not stop in time; killing it", flush=True
                )
        # Whatever is left of the group (the leader, or children it left behind).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait()
        return time.monotonic() - began

    async def wait_for_api(self, session: aiohttp.ClientSession, base: str) -> None:
        """Wait until the (unauthenticated) onboarding endpoint answers."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            code = self.exit_code()
            check(
                code is None,
                f"Home Assistant exited with code {code} before its API answered",
            )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(
                    base + "/api/onboarding", timeout=aiohttp.ClientTimeout(total=2)
                ) as resp:
                    if resp.status == 200:
                        return
            check(
                time.monotonic() < deadline,
                f"the API did not answer within {START_TIMEOUT:.0f} s",
            )
            await asyncio.sleep(0.25)
