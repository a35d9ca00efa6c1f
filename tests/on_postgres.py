"""Tests again on PostgreSQL from the default (SQLite) session: a pytest subprocess with
:mod:`tests.pg_settings`.

A test that asks is marked ``postgres_again`` with what it runs again (test files or
packages) and calls :func:`assert_passes_on_postgresql`; the subprocess leaves out every such
test. In a session without xdist, the first test that asks runs the targets of every asking
test the session selected, in one subprocess (one start, one test database, each file once
however many targets name it), and each asking test then holds only the outcomes of its own
targets. That subprocess starts as soon as the session has collected and runs on the other
core beside the SQLite tests; the asking tests run last, and the first of them waits for it.
Under xdist each asking test runs its own targets, so the workers share them out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

from tests.waiting import SUITE_PATIENCE_S

ROOT = Path(__file__).resolve().parents[1]
MARKER = "postgres_again"


@dataclass(frozen=True)
class Asking:
    """A test that runs ``targets`` again on PostgreSQL (its node id leaves it out there)."""

    nodeid: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """One test of the PostgreSQL pass: its module (dotted), name, and what went wrong."""

    module: str
    name: str
    passed: bool
    problem: str


@dataclass(frozen=True)
class Pass:
    """A PostgreSQL pass: the outcomes of its tests, and its exit status and output."""

    outcomes: tuple[Outcome, ...]
    returncode: int
    output: str


@dataclass
class Running:
    """A PostgreSQL pass under way: its process, and the folder of its report and output."""

    process: subprocess.Popen[bytes]
    folder: tempfile.TemporaryDirectory[str]
    _done: Pass | None = field(default=None, init=False)

    @property
    def report(self) -> Path:
        return Path(self.folder.name) / "junit.xml"

    @property
    def output(self) -> Path:
        return Path(self.folder.name) / "output.txt"

    def wait(self) -> Pass:
        """The pass, once its process has ended (bounded by the suite's patience)."""
        if self._done is None:
            try:
                returncode = self.process.wait(timeout=SUITE_PATIENCE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                returncode = self.process.wait()
            outcomes = read_junit(self.report) if self.report.exists() else ()
            output = self.output.read_text(errors="replace")
            self._done = Pass(outcomes, returncode, output)
            self.folder.cleanup()
        return self._done

    def stop(self) -> None:
        """End the pass if it still runs (the session ended before anyone asked for it)."""
        if self._done is None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._done is None:
            self.folder.cleanup()


ASKING = pytest.StashKey[tuple[Asking, ...]]()
#: The serial session's shared pass, once started (``config.stash``).
SHARED = pytest.StashKey[Running]()


def relative(target: str) -> str:
    """``target`` (a path, maybe absolute as ``__file__`` gives it) relative to the root."""
    path = Path(target)
    return (path.relative_to(ROOT) if path.is_absolute() else path).as_posix()


def asking(item: pytest.Item) -> Asking | None:
    """The item as a test that asks for a PostgreSQL pass, or None."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    return Asking(item.nodeid, tuple(relative(str(t)) for t in marker.args))


def waiting_last(items: list[pytest.Item]) -> None:
    """Outside xdist, move the asking tests to the end of ``items`` (in their order)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    asking_items = [item for item in items if item.get_closest_marker(MARKER) is not None]
    if asking_items:
        items[:] = [item for item in items if item.get_closest_marker(MARKER) is None]
        items.extend(asking_items)


def collected(session: pytest.Session) -> None:
    """Note the asking tests the session selected (``pytest_collection_finish``); outside
    xdist, start their shared pass now, beside the tests that follow."""
    config = session.config
    found = (asking(item) for item in session.items)
    everyone = tuple(a for a in found if a is not None)
    config.stash[ASKING] = everyone
    if everyone and not os.environ.get("PYTEST_XDIST_WORKER") and not config.option.collectonly:
        targets = [t for a in everyone for t in a.targets]
        config.stash[SHARED] = start_on_postgresql(targets, [a.nodeid for a in everyone])


def finished(stash: pytest.Stash) -> None:
    """A shared pass nobody waited for (``-x``, Ctrl-C) ends with the session whose
    ``config.stash`` holds it (``pytest_unconfigure``)."""
    running = stash.get(SHARED, None)
    if running is not None:
        running.stop()


def assert_passes_on_postgresql(request: pytest.FixtureRequest) -> None:
    """The targets of the asking test ``request`` pass on PostgreSQL; else fail with what
    failed (or the pass's output when it did not get as far as its tests)."""
    me = asking(request.node)
    assert me is not None, f"mark the test {MARKER}(<targets>)"
    config = request.config
    if os.environ.get("PYTEST_XDIST_WORKER"):
        done = run_on_postgresql(list(me.targets), [me.nodeid])
    else:
        if SHARED not in config.stash:
            config.stash[SHARED] = start_on_postgresql(list(me.targets), [me.nodeid])
        done = config.stash[SHARED].wait()
    mine = [o for o in done.outcomes if any(within(o.module, t) for t in me.targets)]
    failed = [o for o in mine if o.problem]
    assert done.returncode in (0, 1) and not failed, (
        "\n\n".join(f"{o.module}::{o.name}\n{o.problem[-3000:]}" for o in failed)
        or done.output[-6000:]
    )
    assert any(o.passed for o in mine), f"no test of {me.targets} passed:\n{done.output[-4000:]}"


def within(module: str, target: str) -> bool:
    """Whether the test module ``module`` (dotted, as JUnit names it) is ``target`` (a file)
    or lies under it (a package)."""
    dotted = ".".join(PurePosixPath(target.removesuffix(".py")).parts)
    return module == dotted or module.startswith(dotted + ".")


def distinct(targets: list[str]) -> list[str]:
    """``targets`` without repeats and without those inside another one."""
    paths = sorted(set(targets))
    return [
        t for t in paths if not any(t != o and PurePosixPath(t).is_relative_to(o) for o in paths)
    ]


def run_on_postgresql(targets: list[str], leave_out: list[str]) -> Pass:
    """One pytest subprocess on PostgreSQL over ``targets``, without the tests ``leave_out``."""
    return start_on_postgresql(targets, leave_out).wait()


def start_on_postgresql(targets: list[str], leave_out: list[str]) -> Running:
    """Start the pytest subprocess of :func:`run_on_postgresql`; :meth:`Running.wait` ends it."""
    folder = tempfile.TemporaryDirectory(prefix="on-postgres-")
    report = Path(folder.name) / "junit.xml"
    deselected = [arg for nodeid in leave_out for arg in ("--deselect", nodeid)]
    with (Path(folder.name) / "output.txt").open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "pytest", *distinct(targets), "--ds", "tests.pg_settings",
                "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *deselected,
            ],
            cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    return Running(process, folder)


def read_junit(report: Path) -> tuple[Outcome, ...]:
    """The outcome of each test case of a JUnit report (a test class is part of the module
    name there; :func:`within` matches the module or anything under it)."""
    outcomes = []
    for case in ET.parse(report).getroot().iter("testcase"):
        problems = [case.find(kind) for kind in ("failure", "error")]
        problem = "\n".join(
            f"{p.get('message', '')}\n{p.text or ''}" for p in problems if p is not None
        )
        skipped = case.find("skipped") is not None
        passed = not problem and not skipped
        outcomes.append(Outcome(case.get("classname", ""), case.get("name", ""), passed, problem))
    return tuple(outcomes)
