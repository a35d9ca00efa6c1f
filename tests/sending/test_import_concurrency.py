"""Concurrent pushes of one run id (issue 13, item 5): twelve threads importing other content
get twelve consecutive versions, identical content gets one version — never an error. Runs on
SQLite here and on PostgreSQL through ``test_postgres.py``, where the version constraint used
to answer the losers of the race with an IntegrityError."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection

from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import ImportResult, create_company
from payjournal.sending.services import import_run
from payjournal.tenancy.models import Master

PUSHES = 12


def variant(cents: int) -> bytes:
    data = json.loads((samples_dir() / "nl-bakkerij" / "run-2026-09.json").read_bytes())
    data["lines"][0]["amount"] = str(Decimal(data["lines"][0]["amount"]) + Decimal(cents) / 100)
    return json.dumps(data).encode()


def push_all(company: PayrollCompany, files: list[bytes]) -> list[ImportResult | BaseException]:
    start = threading.Barrier(len(files))
    results: list[ImportResult | BaseException] = [RuntimeError("not run")] * len(files)

    def push(index: int) -> None:
        try:
            start.wait()
            results[index] = import_run(company, files[index], f"push-{index}.json")
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=push, args=(i,)) for i in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def bakkerij() -> PayrollCompany:
    folder = samples_dir() / "nl-bakkerij"
    scheme = folder / "scheme.json"
    master = Master.objects.create(name="Race Co")
    return create_company(master, "Bakkerij", "nl-bakkerij", scheme.read_bytes(), scheme.name)


@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_of_other_content_get_consecutive_versions(
    bakkerij: PayrollCompany,
) -> None:
    results = push_all(bakkerij, [variant(cents) for cents in range(1, PUSHES + 1)])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    versions = sorted(PayrollRun.objects.filter(company=bakkerij).values_list("version", flat=True))
    assert versions == list(range(1, PUSHES + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_of_the_same_content_get_one_version(bakkerij: PayrollCompany) -> None:
    results = push_all(bakkerij, [variant(7)] * PUSHES)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert PayrollRun.objects.filter(company=bakkerij).count() == 1
    assert sum(1 for r in results if isinstance(r, ImportResult) and r.created) == 1
