"""How large a run the JSON API takes: body size, time and the server's peak memory.

    .venv/bin/python scripts/api_push_figures.py [--employees 10000] [--components 40]
        [--repeat 3] [--port 18810] [--formats json,csv]

For each format, writes one run of employees × components lines (the ``bench build`` run:
departments, every tenth employee split over two cost centers, amounts up to 5,000.00), then
`repeat` times: a fresh data directory and company, a fresh ``payjournal serve`` on loopback,
one ``POST /api/v1/companies/nl-bench/runs`` of the whole file, and the server's peak resident
memory (VmHWM) before and after. Prints each push and the median, min and max; the figures of
docs/deploy.md ("The largest run the API takes") come from here. A measurement, not a test.
"""

# ruff: noqa: T201, S603 - a command-line measurement: it prints, and starts payjournal itself

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[1]
DEPARTMENTS = ("PROD", "SALES", "ADM", "IT", "LOG")
COMPANY = "nl-bench"
HEADER = {
    "company": COMPANY,
    "run_id": "BENCH-1",
    "kind": "regular",
    "period": {"year": 2026, "number": 11, "start": "2026-11-01", "end": "2026-11-30"},
    "payment_date": "2026-11-25",
    "currency": "EUR",
}
CSV_COLUMNS = (
    "company;run_id;kind;period_year;period_number;period_start;period_end;payment_date;"
    "currency;employee_id;employee_name;department;cost_center;component;amount"
)


def run_lines(employees: int, components: int) -> list[dict[str, str]]:
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    lines = []
    for employee in range(1, employees + 1):
        department = DEPARTMENTS[employee % len(DEPARTMENTS)]
        split = "PROD:60|SALES:40" if employee % 10 == 0 else ""
        for component in range(components):
            cents = rng.randint(1_00, 5_000_00)
            lines.append(
                {
                    "employee_id": f"E{employee:05d}",
                    "employee_name": f"Employee {employee}",
                    "department": department,
                    "cost_center": split,
                    "component": f"C{component:02d}",
                    "amount": f"{cents // 100}.{cents % 100:02d}",
                }
            )
    return lines


def as_json(lines: list[dict[str, str]]) -> bytes:
    def line(item: dict[str, str]) -> dict[str, object]:
        out: dict[str, object] = {k: v for k, v in item.items() if k != "cost_center"}
        if item["cost_center"]:
            out["allocation"] = [
                {"cost_center": code, "percentage": int(share)}
                for code, share in (part.split(":") for part in item["cost_center"].split("|"))
            ]
        return out

    return json.dumps({**HEADER, "lines": [line(item) for item in lines]}).encode()


def as_csv(lines: list[dict[str, str]]) -> bytes:
    period = HEADER["period"]
    assert isinstance(period, dict)
    head = ";".join(
        [
            COMPANY, "BENCH-1", "regular", "2026", "11", period["start"], period["end"],
            "2026-11-25", "EUR",
        ]
    )  # fmt: skip
    rows = [CSV_COLUMNS] + [
        f"{head};{x['employee_id']};{x['employee_name']};{x['department']};{x['cost_center']};"
        f"{x['component']};{x['amount'].replace('.', ',')}"
        for x in lines
    ]
    return ("\n".join(rows) + "\n").encode()


def scheme(components: int) -> bytes:
    return json.dumps(
        {
            "name": "bench",
            "currency": "EUR",
            "rounding_account": "9990",
            "dimensions": {d: d for d in DEPARTMENTS},
            "components": [
                {
                    "component": f"C{c:02d}",
                    "debit_account": str(4000 + c),
                    "credit_account": str(1600 + c % 10),
                    "cost_center_side": "debit" if c % 2 == 0 else "none",
                    "description": f"Component {c}",
                }
                for c in range(components)
            ],
        }
    ).encode()


def setup(data_dir: str, scheme_file: str) -> None:
    """In a process of its own (Django is configured once per process): a master, the
    company and a token; prints the token."""
    from payjournal.config import Settings
    from payjournal.site.bootstrap import start_django

    start_django(Settings(data_dir=Path(data_dir)), migrate=True)
    from payjournal.api.models import Scope
    from payjournal.api.tokens import create_token
    from payjournal.payroll.services import create_company
    from payjournal.tenancy.models import Master

    master = Master.objects.create(name="Bench")
    create_company(master, "Bench", COMPANY, Path(scheme_file).read_bytes(), "scheme.json")
    print(create_token(master, "bench", [Scope.RUNS_WRITE])[1])


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("payjournal serve stopped")
        try:
            httpx2.get(f"{url}/api/openapi.json", timeout=2)
            return
        except httpx2.TransportError:
            time.sleep(0.2)
    raise RuntimeError("payjournal serve did not start")


def push_once(body: bytes, scheme_file: Path, port: int, limit: int) -> tuple[float, float, float]:
    """One push to a fresh server: (seconds, peak MB before, peak MB after)."""
    with tempfile.TemporaryDirectory(prefix="pj-api-figures-") as data_dir:
        env = {
            **os.environ,
            "PAYJOURNAL_DATA_DIR": data_dir,
            "PAYJOURNAL_MAX_UPLOAD_BYTES": str(limit),
        }
        token = subprocess.run(
            [sys.executable, __file__, "setup", data_dir, str(scheme_file)],
            env=env, capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, "-m", "payjournal", "serve", "--port", str(port), "--no-migrate"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, server)
            before = peak_mb(server.pid)
            started = time.perf_counter()
            answer = httpx2.post(
                f"{url}/api/v1/companies/{COMPANY}/runs",
                content=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                timeout=600,
            )
            seconds = time.perf_counter() - started
            if answer.status_code != 201:
                raise RuntimeError(f"push answered {answer.status_code}: {answer.text[:500]}")
            return seconds, before, peak_mb(server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--components", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=18810)
    parser.add_argument("--formats", default="json,csv")
    args = parser.parse_args()
    lines = run_lines(args.employees, args.components)
    with tempfile.TemporaryDirectory(prefix="pj-api-figures-") as work:
        scheme_file = Path(work) / "scheme.json"
        scheme_file.write_bytes(scheme(args.components))
        for fmt in args.formats.split(","):
            body = as_json(lines) if fmt == "json" else as_csv(lines)
            print(f"{fmt}: {len(lines):,} lines, {len(body):,} bytes ({len(body) / 2**20:.1f} MiB)")
            runs = [push_once(body, scheme_file, args.port, len(body)) for _ in range(args.repeat)]
            for seconds, before, after in runs:
                print(f"  push {seconds:6.1f} s   server peak {before:5.0f} MB → {after:5.0f} MB")
            for label, values in (
                ("seconds", [r[0] for r in runs]),
                ("peak MB", [r[2] for r in runs]),
            ):
                print(
                    f"  {label}: median {statistics.median(values):.1f}, "
                    f"min {min(values):.1f}, max {max(values):.1f}"
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    else:
        main()
