"""Runs imported through the UI, their versions and frozen journals, and company mapping."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from payjournal.domain.formats import read_run, read_scheme
from payjournal.domain.posting import build_journal
from payjournal.domain.submission import SubmissionState
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.services import create_account
from payjournal.payroll.models import JournalSnapshot, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import in_voucher_language
from payjournal.sending.models import Submission
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db
RUN = samples_dir() / "nl-bakkerij" / "run-2026-09.json"


def upload(client: Client, company_id: int, name: str, data: bytes) -> object:
    return client.post(
        f"/companies/{company_id}/", {"run": SimpleUploadedFile(name, data)}, follow=True
    )


def test_an_uploaded_run_appears_in_the_dashlet_with_a_grey_mark(tenant: Tenant) -> None:
    client = tenant.client(tenant.payroll)
    page = upload(client, tenant.bakkerij.pk, RUN.name, RUN.read_bytes()).content.decode()  # type: ignore[attr-defined]
    assert "Run 2026-09 imported as version 1." in page
    assert 'id="journal-entries-export"' in page
    assert '<span class="mark grey">Not sent</span>' in page
    run = PayrollRun.objects.get()
    assert run.imported_by == tenant.payroll.user


def test_the_journal_is_frozen_in_integer_cents_and_balances(tenant: Tenant) -> None:
    upload(tenant.client(tenant.admin), tenant.bakkerij.pk, RUN.name, RUN.read_bytes())
    snapshot = JournalSnapshot.objects.get()
    run = read_run(RUN.read_bytes(), RUN.name)
    scheme = read_scheme(tenant.bakkerij.scheme_source.encode(), tenant.bakkerij.scheme_filename)
    # the voucher text says the run's kind in the company's language ("regulier": EUR is Dutch)
    expected = build_journal(
        run, in_voucher_language(scheme, tenant.bakkerij, run.kind, run.currency)
    )
    assert "(regulier)" in snapshot.voucher_text and "run" not in snapshot.voucher_text.split()
    lines = list(snapshot.lines.all())
    assert snapshot.total_minor == expected.debit_total.minor_units()
    assert sum(x.amount_minor for x in lines if x.side == "debit") == snapshot.total_minor
    assert sum(x.amount_minor for x in lines if x.side == "credit") == snapshot.total_minor
    assert all(isinstance(x.amount_minor, int) for x in lines)
    assert snapshot.fingerprint == expected.fingerprint()
    assert not snapshot.submissions.exists()  # not sent: no leg of it in the outbox


def test_the_same_file_again_is_unchanged_and_other_content_is_the_next_version(
    tenant: Tenant,
) -> None:
    client = tenant.client(tenant.admin)
    upload(client, tenant.bakkerij.pk, RUN.name, RUN.read_bytes())
    again = upload(client, tenant.bakkerij.pk, RUN.name, RUN.read_bytes()).content.decode()  # type: ignore[attr-defined]
    assert "unchanged" in again
    changed = json.loads(RUN.read_bytes())
    changed["lines"][0]["employee_name"] = "J. Bakker"  # a corrected file: other content
    page = upload(client, tenant.bakkerij.pk, RUN.name, json.dumps(changed).encode())
    assert "imported as version 2" in page.content.decode()  # type: ignore[attr-defined]
    assert sorted(PayrollRun.objects.values_list("version", flat=True)) == [1, 2]
    assert JournalSnapshot.objects.count() == PayrollRun.objects.count()


def test_a_broken_file_lists_every_problem_and_imports_nothing(tenant: Tenant) -> None:
    page = upload(
        tenant.client(tenant.admin), tenant.bakkerij.pk, "run.json", b'{"company": "nl-bakkerij"}'
    )
    text = page.content.decode()  # type: ignore[attr-defined]
    assert "The run was not imported" in text
    assert not PayrollRun.objects.exists()


def test_a_run_of_another_company_is_refused(tenant: Tenant) -> None:
    nordisk = samples_dir() / "se-nordisk" / "run-2026-09.csv"
    page = upload(
        tenant.client(tenant.admin), tenant.bakkerij.pk, nordisk.name, nordisk.read_bytes()
    )
    assert "is for company &#x27;se-nordisk&#x27;" in page.content.decode()  # type: ignore[attr-defined]


def test_the_journal_preview_shows_every_row(tenant: Tenant) -> None:
    client = tenant.client(tenant.viewer)
    upload(tenant.client(tenant.admin), tenant.bakkerij.pk, RUN.name, RUN.read_bytes())
    run = PayrollRun.objects.get()
    page = client.get(f"/companies/{tenant.bakkerij.pk}/runs/{run.pk}/").content.decode()
    for line in run.journal.lines.all():
        assert f"<td>{line.account}</td>" in page
    assert "Journal of run 2026-09 (version 1)" in page


def test_a_company_is_added_with_its_scheme(tenant: Tenant) -> None:
    scheme = samples_dir() / "se-nordisk" / "scheme.csv"
    client = tenant.client(tenant.admin)
    response = client.post(
        "/companies/",
        {
            "name": "Nordisk 2",
            "key": "se-nordisk-2",
            "scheme": SimpleUploadedFile("scheme.csv", scheme.read_bytes()),
        },
    )
    assert response.status_code == 302
    assert "Nordisk 2" in client.get("/companies/").content.decode()


def authorized(tenant: Tenant, name: str, company_id: str, company_name: str) -> VismaAccount:
    account = create_account(tenant.master, name)
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZED,
        visma_company_id=company_id,
        visma_company_name=company_name,
    )
    account.refresh_from_db()
    return account


def test_mapping_a_company_to_an_authorized_account(tenant: Tenant) -> None:
    account = authorized(tenant, "Erik", "c-1", "Nordisk Trä AB")
    client = tenant.client(tenant.admin)
    page = client.post(
        f"/companies/{tenant.nordisk.pk}/mapping/", {"account": account.pk}, follow=True
    )
    assert "is mapped to Nordisk Trä AB" in page.content.decode()
    assert "One authorization covers exactly one Visma company" in page.content.decode()
    tenant.nordisk.refresh_from_db()
    assert tenant.nordisk.visma_account == account and tenant.nordisk.visma_company_id == "c-1"
    client.post(f"/companies/{tenant.nordisk.pk}/mapping/", {"account": ""})
    tenant.nordisk.refresh_from_db()
    assert tenant.nordisk.visma_account is None


def test_mapping_to_an_unauthorized_account_is_refused(tenant: Tenant) -> None:
    account = create_account(tenant.master, "Grey")
    page = tenant.client(tenant.admin).post(
        f"/companies/{tenant.nordisk.pk}/mapping/", {"account": account.pk}, follow=True
    )
    assert "is not authorized" in page.content.decode()
    tenant.nordisk.refresh_from_db()
    assert tenant.nordisk.visma_account is None


def test_mapping_sent_journals_to_another_visma_company_is_refused(tenant: Tenant) -> None:
    first = authorized(tenant, "Erik", "c-1", "Nordisk Trä AB")
    second = authorized(tenant, "Erik 2", "c-2", "Sundsvall Konsult AB")
    client = tenant.client(tenant.admin)
    client.post(f"/companies/{tenant.bakkerij.pk}/mapping/", {"account": first.pk})
    upload(client, tenant.bakkerij.pk, RUN.name, RUN.read_bytes())
    journal = JournalSnapshot.objects.get()
    Submission.objects.create(  # as a send leaves it: a sent leg ("sent" is derived from it)
        journal=journal,
        company=tenant.bakkerij,
        run_key=journal.run.run_id,
        voucher_date=journal.voucher_date,
        marker="[pj:0000000000000001]",
        state=SubmissionState.SENT,
        voucher_id="v-1",
        voucher_number="A1",
    )
    page = client.post(
        f"/companies/{tenant.bakkerij.pk}/mapping/", {"account": second.pk}, follow=True
    )
    assert "already sent to another Visma company" in page.content.decode()
    tenant.bakkerij.refresh_from_db()
    assert tenant.bakkerij.visma_account == first
    assert (
        '<span class="mark red">Sent</span>'
        in client.get(f"/companies/{tenant.bakkerij.pk}/").content.decode()
    )


def test_a_mapping_whose_account_moved_to_another_company_is_flagged(tenant: Tenant) -> None:
    account = authorized(tenant, "Erik", "c-1", "Nordisk Trä AB")
    client = tenant.client(tenant.admin)
    client.post(f"/companies/{tenant.nordisk.pk}/mapping/", {"account": account.pk})
    VismaAccount.objects.filter(pk=account.pk).update(visma_company_id="c-9")
    assert "Wrong Visma company" in client.get(f"/companies/{tenant.nordisk.pk}/").content.decode()


def test_a_refused_run_adds_at_most_a_hundred_unknown_codes_to_the_coverage(
    tenant: Tenant,
) -> None:
    from payjournal.payroll.models import SeenComponent
    from payjournal.payroll.services import RunRejectedError
    from payjournal.sending.services import import_run

    data = json.loads(RUN.read_bytes())
    junk = dict(data["lines"][0], amount="1.00")
    data["lines"] += [dict(junk, component=f"JUNK{n:05d}") for n in range(20_000)]
    with pytest.raises(RunRejectedError):
        import_run(tenant.bakkerij, json.dumps(data).encode(), "flood.json")
    seen = set(
        SeenComponent.objects.filter(company=tenant.bakkerij).values_list("component", flat=True)
    )
    assert len([code for code in seen if code.startswith("JUNK")]) == 100
    assert "GROSS" in seen  # the mapped codes of the refused run still count
    assert not PayrollRun.objects.exists()


def test_a_stored_scheme_the_reader_now_refuses_gives_a_message_not_a_crash(
    tenant: Tenant,
) -> None:
    from payjournal.payroll.services import RunRejectedError
    from payjournal.sending.services import import_run

    scheme = json.loads(tenant.bakkerij.scheme_source)
    scheme["voucher_text"] = "{run_id:>999999999}"  # accepted before the reader's limits
    tenant.bakkerij.scheme_source = json.dumps(scheme)
    tenant.bakkerij.save()
    with pytest.raises(RunRejectedError, match="can no longer be read"):
        import_run(tenant.bakkerij, RUN.read_bytes(), RUN.name)


def test_a_refused_run_says_why_as_problems_with_codes_lines_and_subjects(tenant: Tenant) -> None:
    """The refusal carries the domain's problems, not sentences: the page, the API and the
    CLI can explain each one by its code and point at its line."""
    from payjournal.domain.problems import ProblemCode
    from payjournal.payroll.services import RunRejectedError, RunUnreadableError
    from payjournal.sending.services import import_run

    data = json.loads(RUN.read_bytes())
    data["lines"][0]["component"] = "NOPE"
    with pytest.raises(RunRejectedError) as unmapped:
        import_run(tenant.bakkerij, json.dumps(data).encode(), "unmapped.json")
    [problem] = unmapped.value.problems
    assert (problem.code, problem.subject) == (ProblemCode.UNMAPPED_COMPONENT, "NOPE")
    assert problem.lines and unmapped.value.messages == [problem.message]

    with pytest.raises(RunRejectedError) as elsewhere:
        import_run(tenant.nordisk, RUN.read_bytes(), RUN.name)
    assert [p.code for p in elsewhere.value.problems] == [ProblemCode.RUN_OF_ANOTHER_COMPANY]

    with pytest.raises(RunUnreadableError) as unreadable:
        import_run(tenant.bakkerij, b"{not json", "broken.json")
    assert {p.code for p in unreadable.value.problems} == {ProblemCode.UNREADABLE_FILE}
    assert not PayrollRun.objects.exists()
