"""``PAYJOURNAL_CPU_AFFINITY`` (:mod:`payjournal.site.affinity`): ``auto``, ``all`` or the
cores parsed from the setting; every thread of the process held to the cores (those alive and
those started later); with ``auto``, the threads moved off a core that another program takes;
and a wrong value refused at start with the setting named, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from payjournal.config import Settings
from payjournal.emulator.loopback import free_port
from payjournal.site.affinity import CoresError, hold_threads, keep_threads_on

ROOT = Path(__file__).resolve().parents[2]
CORES = sorted(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("text", "cores"),
    [
        ("", "auto"),
        ("auto", "auto"),
        (" All ", "all"),
        ("1", {1}),
        ("0,2-3", {0, 2, 3}),
        (" 3 , 1-2 ", {1, 2, 3}),
        ("4-4", {4}),
    ],
)
def test_the_setting_says_auto_all_or_cores_and_ranges(
    tmp_path: Path, text: str, cores: str | set[int]
) -> None:
    assert Settings(data_dir=tmp_path, cpu_affinity=text).cpu_affinity == cores


def test_one_core_watched_is_the_default(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).cpu_affinity == "auto"


@pytest.mark.parametrize("text", ["x", "1-", "3-1", "-1", "1.5", "0;1", "one"])
def test_a_setting_that_names_no_cores_is_refused_with_its_part(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValidationError, match="not a core number or a range of cores"):
        Settings(data_dir=tmp_path, cpu_affinity=text)


def test_no_cores_asked_for_changes_nothing() -> None:
    keep_threads_on(frozenset())
    assert hold_threads("all") is None
    assert sorted(os.sched_getaffinity(0)) == CORES


def test_a_core_this_process_may_not_use_is_refused() -> None:
    with pytest.raises(CoresError, match=f"core {max(CORES) + 1} is not one"):
        keep_threads_on(frozenset({max(CORES) + 1}))
    assert sorted(os.sched_getaffinity(0)) == CORES


PROBE = """
import json, os, threading
from payjournal.site.affinity import keep_threads_on

started, stop = threading.Event(), threading.Event()
def idle():
    started.set()
    stop.wait()
before = threading.Thread(target=idle)
before.start()
started.wait()
keep_threads_on(frozenset({core}))
seen = {}
def report():
    seen["later"] = sorted(os.sched_getaffinity(0))
later = threading.Thread(target=report)
later.start()
later.join()
seen["main"] = sorted(os.sched_getaffinity(0))
seen["before"] = sorted(os.sched_getaffinity(before.native_id))
stop.set()
print(json.dumps(seen))
"""


def test_every_thread_is_held_to_the_cores_those_alive_and_those_started_later() -> None:
    """In a process of its own: the test's process keeps its cores."""
    core = CORES[-1]
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("{core}", f"{{{core}}}")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "later": [core],
        "main": [core],
        "before": [core],
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x", "PAYJOURNAL_CPU_AFFINITY: Value error, 'x' is not a core number"),
        (str(max(CORES) + 1), f"PAYJOURNAL_CPU_AFFINITY: core {max(CORES) + 1} is not one"),
    ],
)
def test_a_worker_with_a_wrong_value_stops_at_start_naming_the_setting(
    tmp_path: Path, value: str, message: str
) -> None:
    environment = {
        **os.environ,
        "PAYJOURNAL_DATA_DIR": str(tmp_path),
        "PAYJOURNAL_CPU_AFFINITY": value,
    }
    done = subprocess.run(
        [sys.executable, "-m", "payjournal", "worker", "--executor-id", "w"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


WATCHED = """
import json, os, sys, threading
from pathlib import Path
from payjournal.site.affinity import CoreWatch
from payjournal.site.core_choice import SETTLE_CHECKS, Placement

core = int(sys.argv[1])
moved = threading.Event()
seen = {}
def on_move(placement, sample):
    seen.setdefault("moved to", sorted(placement.cores))
    seen.setdefault("busy", {str(c): round(b, 2) for c, b in sample.busy.items()})
    moved.set()
idle = threading.Thread(target=threading.Event().wait, daemon=True)
idle.start()
watch = CoreWatch(
    frozenset(os.sched_getaffinity(0)),
    placement=Placement(frozenset({core}), SETTLE_CHECKS),
    interval_s=0.2,
    on_move=on_move,
)
watch.start()
print("held", flush=True)
sys.stdin.readline()  # the test has started a program that keeps this core busy
seen["in time"] = moved.wait(timeout=90)
seen["now"] = sorted(watch.placement.cores)
seen["threads"] = sorted(
    {",".join(map(str, sorted(os.sched_getaffinity(int(t.name))))) for t in Path("/proc/self/task").iterdir()}
)
watch.stop()
seen["after stop"] = sorted(os.sched_getaffinity(0))
print(json.dumps(seen), flush=True)
"""

SPIN_ON = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"


@pytest.mark.skipif(len(CORES) < 2, reason="needs two cores this process may use")
def test_auto_moves_every_thread_off_a_core_another_program_takes() -> None:
    """Held on a core, the watch sees another program take it, and moves every thread of the
    process away: to the other core, or spread over all when every core is taken (a machine
    busy with other tests). Never left on the crowded core alone."""
    core = CORES[-1]
    watched = subprocess.Popen(
        [sys.executable, "-c", WATCHED, str(core)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    spinner = None
    try:
        assert watched.stdin is not None and watched.stdout is not None
        assert watched.stdout.readline().strip() == "held"
        assert os.sched_getaffinity(watched.pid) == {core}
        spinner = subprocess.Popen([sys.executable, "-c", SPIN_ON, str(core)])
        watched.stdin.write("go\n")
        watched.stdin.flush()
        seen = json.loads(watched.stdout.readline())
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait(timeout=30)
        watched.kill()
        watched.wait(timeout=30)
    assert seen["in time"], seen
    assert seen["moved to"] != [core], seen
    assert seen["threads"] == [",".join(map(str, seen["now"]))], seen
    assert seen["after stop"] == CORES, seen  # the watch ended: every core again


@pytest.mark.skipif(len(CORES) < 2, reason="needs two cores this process may use")
def test_the_embedded_server_takes_one_core_by_default(tmp_path: Path) -> None:
    """``payjournal serve`` with no setting: its core watch starts with the executor and its
    first check holds every thread on one core (logged); Ctrl-C stops it cleanly."""
    environment = {**os.environ, "PAYJOURNAL_DATA_DIR": str(tmp_path / "data")}
    environment.pop("PAYJOURNAL_CPU_AFFINITY", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "payjournal", "serve", "--port", str(free_port())],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        moved = ""
        deadline = time.monotonic() + 120  # a generous bound: the first check comes in 2-4 s
        while not moved and time.monotonic() < deadline and server.poll() is None:
            moved = next(
                (line for line in log.read_text().splitlines() if "threads moved to cores" in line),
                "",
            )
            time.sleep(0.2)
        assert "event=site.cores_moved" in moved, log.read_text()[-2000:]
        assert moved.split("threads moved to cores ")[1].split(" ")[0].isdigit(), moved  # one
        held = {
            frozenset(os.sched_getaffinity(int(task.name)))
            for task in Path(f"/proc/{server.pid}/task").iterdir()
        }
        assert len(held) == 1, held  # every thread on the same cores
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert "Traceback" not in log.read_text(), log.read_text()[-2000:]


def test_a_worker_leaves_its_threads_to_the_os_unless_told_which_cores() -> None:
    """Workers share the cores with each other and PostgreSQL: ``auto`` starts no watch."""
    assert hold_threads("auto", worker=True) is None
    assert sorted(os.sched_getaffinity(0)) == CORES
