"""``PAYJOURNAL_CPU_AFFINITY`` (:mod:`payjournal.site.affinity`): the cores parsed from the
setting, every thread of the process held to them (those alive and those started later), and a
wrong value refused at start with the setting named, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from payjournal.config import Settings
from payjournal.site.affinity import CoresError, keep_threads_on

ROOT = Path(__file__).resolve().parents[2]
CORES = sorted(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("text", "cores"),
    [("", set()), ("1", {1}), ("0,2-3", {0, 2, 3}), (" 3 , 1-2 ", {1, 2, 3}), ("4-4", {4})],
)
def test_the_setting_names_cores_and_ranges(tmp_path: Path, text: str, cores: set[int]) -> None:
    assert Settings(data_dir=tmp_path, cpu_affinity=text).cpu_affinity == cores


@pytest.mark.parametrize("text", ["x", "1-", "3-1", "-1", "1.5", "0;1"])
def test_a_setting_that_names_no_cores_is_refused_with_its_part(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValidationError, match="not a core number or a range of cores"):
        Settings(data_dir=tmp_path, cpu_affinity=text)


def test_no_cores_asked_for_changes_nothing() -> None:
    keep_threads_on(frozenset())
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
