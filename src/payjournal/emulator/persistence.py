"""``--state FILE``: load the world at start, save it atomically when it changed and at exit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from payjournal.emulator.codec import decode, encode
from payjournal.emulator.runtime import Emulator
from payjournal.emulator.state import EmulatorState

FORMAT_VERSION = 1


def load_state(path: Path) -> EmulatorState:
    """Read a saved world."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") != FORMAT_VERSION:
        raise ValueError(f"{path}: unsupported state format {document.get('format')!r}")
    state: EmulatorState = decode(EmulatorState, document["state"])
    return state


def save_state(state: EmulatorState, path: Path) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over ``path``."""
    text = json.dumps({"format": FORMAT_VERSION, "state": encode(state)}, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class AutoSaver:
    """Marks the state dirty on every change and saves it at most every ``interval`` seconds."""

    def __init__(self, emulator: Emulator, path: Path, interval: float) -> None:
        self.emulator = emulator
        self.path = path
        self.interval = interval
        self.dirty = False
        emulator.on_change = self.mark

    def mark(self) -> None:
        """Something changed."""
        self.dirty = True

    def flush(self) -> None:
        """Save now if dirty."""
        if self.dirty:
            self.dirty = False
            save_state(self.emulator.state, self.path)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Save periodically while the app runs, and once more at shutdown."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(self.interval)
                self.flush()

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.dirty = True
            self.flush()
