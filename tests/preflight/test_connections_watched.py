"""Connections watched, against the emulator over loopback (real HTTP, the real OAuth pages).

Proven here: a grant Visma refuses — revoked by the user, the Visma password changed, the API
module switched off, the user's access to the company taken away — turns the account to
*authorization needed* at the next daily check, also when the day's reads are cached (the
grant is checked with a call of its own), and at once when any call meets the refusal (a
pre-flight, a send's); the Accounts tab then never shows "Authorized", and says why in the
reader's language, with the token's age and Visma's last answer. After re-authorization, the
journal that waited for it is sent by itself, exactly once, also when the account is
authorized again a second time. A module switched on again puts the account back without a
new authorization. The right company, proven: a mapping to a Visma company in another currency
or with another organisation number is refused with the catalog's explanation, and a
pre-flight on such a company shows that one item. Every state change is run on PostgreSQL too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payjournal import catalog, preflight
from payjournal.domain.submission import SubmissionState
from payjournal.emulator import stable_id
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.services import create_account
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import MappingRefusedError, map_company
from payjournal.preflight import CheckKey
from payjournal.preflight.daily import check_every_company
from payjournal.sending.models import Submission
from payjournal.sending.send import process_submission
from payjournal.sending.services import import_run, request_send
from tests import oauth
from tests.fixtures.tenants import Tenant
from tests.on_postgres import assert_passes_on_postgresql
from tests.preflight.test_seed_errors import connect, sample, speak
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db

ANNA = "anna@bakkerij.example"


@dataclass(frozen=True)
class Refusal:
    """A way Visma comes to refuse Anna's grant for the bakery, and the catalog code it gives."""

    name: str
    apply: Callable[[httpx2.Client], httpx2.Response]
    code: str


REFUSALS = [
    Refusal(
        "grant revoked",
        lambda control: control.delete(f"/_emulator/users/{ANNA}/grants"),
        "invalid_grant",
    ),
    Refusal(
        "password changed",
        lambda control: control.put(
            f"/_emulator/users/{ANNA}/password", json={"password": "a-new-secret"}
        ),
        "invalid_grant",
    ),
    Refusal(
        "API module off",
        lambda control: control.put(
            "/_emulator/companies/nl-bakkerij/settings", json={"api_module_enabled": False}
        ),
        "module_not_activated",
    ),
    Refusal(
        "company access taken away",
        lambda control: control.delete(f"/_emulator/users/{ANNA}/companies/nl-bakkerij"),
        "no_company_access",
    ),
]


def account_of(tenant: Tenant) -> VismaAccount:
    return VismaAccount.objects.get(payroll_companies=tenant.bakkerij)


def accounts_list(tenant: Tenant, language: str) -> str:
    response = speak(tenant.admin, language).get("/integrations/visma/accounts/list/")
    assert response.status_code == 200
    return response.content.decode()


def row_of(page: str, account: VismaAccount) -> str:
    return page.split(f'id="account-{account.pk}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.name for r in REFUSALS])
def test_the_daily_check_finds_a_refused_grant_the_days_reads_would_hide(
    tenant: Tenant,
    books_url: str,
    control: httpx2.Client,
    browser_http: httpx2.Client,
    refusal: Refusal,
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, ANNA, "nl-bakkerij")
    assert check_every_company().reauthorize == ()  # the day's reads are cached now
    account = account_of(tenant)
    assert account.status == AccountStatus.AUTHORIZED
    assert account.tokens_issued_at is not None and account.last_call_ok_at is not None
    assert (account.visma_currency, account.visma_registration_number) == ("EUR", "12345678")

    refusal.apply(control).raise_for_status()
    summary = check_every_company()

    assert summary.reauthorize == (account.name,)
    account.refresh_from_db()
    assert (account.status, account.refusal_code) == (
        AccountStatus.AUTHORIZATION_NEEDED,
        refusal.code,
    )
    for language in ("en", "nl", "sv"):
        row = row_of(accounts_list(tenant, language), account)
        assert 'data-status="authorization_needed"' in row
        assert 'data-status="authorized"' not in row  # never red while Visma refuses
        with_language = catalog.explain(refusal.code, language).message
        assert with_language.replace("'", "&#x27;") in row


@pytest.mark.parametrize("refusal", REFUSALS[2:], ids=[r.name for r in REFUSALS[2:]])
def test_a_refusal_met_by_a_pre_flight_turns_the_mark_at_once(
    tenant: Tenant,
    books_url: str,
    control: httpx2.Client,
    browser_http: httpx2.Client,
    refusal: Refusal,
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, ANNA, "nl-bakkerij")
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-10.json"), "run.json").run
    refusal.apply(control).raise_for_status()

    checklist = preflight.check_run(run)

    assert [item.code for item in checklist.failed] == [refusal.code]
    account = account_of(tenant)
    assert (account.status, account.refusal_code) == (
        AccountStatus.AUTHORIZATION_NEEDED,
        refusal.code,
    )


def test_a_refusal_met_by_a_send_turns_the_mark_at_once(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, ANNA, "nl-bakkerij")
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-10.json"), "run.json").run
    submission = request_send(PayrollRun.objects.get(pk=run.pk))  # no executor: stays queued
    control.delete(f"/_emulator/users/{ANNA}/companies/nl-bakkerij").raise_for_status()

    assert process_submission(submission.pk) == SubmissionState.NEEDS_ACTION

    submission.refresh_from_db()
    assert submission.error_code == "no_company_access"
    account = account_of(tenant)
    assert (account.status, account.refusal_code) == (
        AccountStatus.AUTHORIZATION_NEEDED,
        "no_company_access",
    )


def test_a_module_switched_on_again_puts_the_account_back_without_authorizing(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, ANNA, "nl-bakkerij")
    settings = "/_emulator/companies/nl-bakkerij/settings"
    control.put(settings, json={"api_module_enabled": False}).raise_for_status()
    assert check_every_company().reauthorize == (account_of(tenant).name,)

    control.put(settings, json={"api_module_enabled": True}).raise_for_status()
    summary = check_every_company()

    assert (summary.reauthorize, summary.drifted) == ((), 0)
    assert account_of(tenant).status == AccountStatus.AUTHORIZED


def test_a_module_switched_on_again_retries_the_journal_that_waited_for_it(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    """As after a new authorization, nobody clicks Retry: the daily check that finds Visma
    answering again puts the waiting journal back in the queue, once."""
    connect(tenant, browser_http, tenant.bakkerij, ANNA, "nl-bakkerij")
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-10.json"), "run.json").run
    settings = "/_emulator/companies/nl-bakkerij/settings"
    control.put(settings, json={"api_module_enabled": False}).raise_for_status()
    submission = request_send(PayrollRun.objects.get(pk=run.pk))  # no executor: stays queued
    assert process_submission(submission.pk) == SubmissionState.NEEDS_ACTION
    submission.refresh_from_db()
    assert submission.error_code == "module_not_activated"

    control.put(settings, json={"api_module_enabled": True}).raise_for_status()
    check_every_company()
    check_every_company()  # a second answer retries nothing more

    submission.refresh_from_db()
    assert submission.state == SubmissionState.QUEUED.value
    assert submission.attempts.filter(event="retried_by_user").count() == 1
    assert process_submission(submission.pk) == SubmissionState.SENT
    assert sent_vouchers(control, submission.marker) == 1


def test_the_accounts_tab_shows_the_token_age_and_vismas_last_answer(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, ANNA, "nl-bakkerij")
    account = account_of(tenant)
    english = row_of(accounts_list(tenant, "en"), account)
    assert "Token 0\xa0minutes old" in english
    assert "Visma last answered 0\xa0minutes ago" in english
    assert "data-last-call=" in english and "data-token-issued=" in english
    dutch = row_of(accounts_list(tenant, "nl"), account)
    assert "Token 0\xa0minuten oud" in dutch
    assert "Visma antwoordde 0\xa0minuten geleden voor het laatst" in dutch
    swedish = row_of(accounts_list(tenant, "sv"), account)
    assert "Visma svarade senast för 0\xa0minuter sedan" in swedish


def sent_vouchers(control: httpx2.Client, marker: str) -> int:
    vouchers = control.get("/_emulator/companies/nl-bakkerij/vouchers").json()
    return sum(1 for voucher in vouchers if marker in voucher["VoucherText"])


def voucher_posts(control: httpx2.Client) -> int:
    log = control.get("/_emulator/requests", params={"endpoint": "POST /v2/vouchers"}).json()
    return len([entry for entry in log if entry["status"] in (200, 201)])


def finished(submission: Submission, state: SubmissionState) -> Callable[[], Submission | None]:
    def check() -> Submission | None:
        submission.refresh_from_db()
        return submission if submission.state == state.value else None

    return check


@pytest.mark.django_db(transaction=True)
def test_after_reauthorization_the_waiting_journal_is_sent_by_itself_exactly_once(
    tenant: Tenant,
    books_url: str,
    control: httpx2.Client,
    browser_http: httpx2.Client,
    executor: None,
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, ANNA, "nl-bakkerij")
    account = account_of(tenant)
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-10.json"), "run.json").run
    control.delete(f"/_emulator/users/{ANNA}/grants").raise_for_status()

    submission = request_send(PayrollRun.objects.get(pk=run.pk))
    wait_until(finished(submission, SubmissionState.NEEDS_ACTION), "the send to be refused")
    assert submission.error_code == "invalid_grant"
    account.refresh_from_db()
    assert account.status == AccountStatus.AUTHORIZATION_NEEDED

    admin = tenant.client(tenant.admin)
    company = str(stable_id("company", "nl-bakkerij"))
    oauth.connect(admin, browser_http, account.pk, ANNA, company)  # nobody clicks Retry

    wait_until(finished(submission, SubmissionState.SENT), "the waiting journal to be sent")
    assert sent_vouchers(control, submission.marker) == 1
    posts = voucher_posts(control)
    assert posts == 1
    assert submission.attempts.filter(event="retried_by_user").count() == 1

    oauth.connect(admin, browser_http, account.pk, ANNA, company)  # authorized once more
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SENT.value
    assert submission.attempts.filter(event="retried_by_user").count() == 1
    assert voucher_posts(control) == posts


@pytest.mark.postgres_again(__file__)
def test_the_state_changes_hold_on_postgresql(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)


def authorized_account(tenant: Tenant, http: httpx2.Client, email: str, key: str) -> VismaAccount:
    """An account authorized for the emulator company ``key`` through the real OAuth pages,
    not mapped yet."""
    account = create_account(tenant.master, f"{key} account")
    oauth.connect(
        tenant.client(tenant.admin), http, account.pk, email, str(stable_id("company", key))
    )
    account.refresh_from_db()
    return account


def test_a_mapping_to_a_visma_company_in_another_currency_is_refused(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    kronor = authorized_account(tenant, browser_http, "erik@nordisk.example", "se-nordisk")
    assert kronor.visma_currency == "SEK"

    with pytest.raises(MappingRefusedError) as refused:
        map_company(tenant.bakkerij, kronor)  # the bakery pays in euros

    assert refused.value.code == "wrong_currency"
    assert "(SEK vs EUR: “Nordisk Trä AB”)" in str(refused.value)
    tenant.bakkerij.refresh_from_db()
    assert tenant.bakkerij.visma_account is None
    page = speak(tenant.admin, "nl").post(
        f"/companies/{tenant.bakkerij.pk}/mapping/", {"account": kronor.pk}, follow=True
    )
    text = page.content.decode()
    dutch = catalog.explain("wrong_currency", "nl")
    assert dutch.message in text and dutch.solution in text and "SEK vs EUR" in text
    assert PayrollCompany.objects.get(pk=tenant.bakkerij.pk).visma_account is None


def test_a_mapping_to_a_visma_company_with_another_organisation_number_is_refused(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    bakery = authorized_account(tenant, browser_http, ANNA, "nl-bakkerij")
    PayrollCompany.objects.filter(pk=tenant.bakkerij.pk).update(registration_number="87654321")
    tenant.bakkerij.refresh_from_db()

    with pytest.raises(MappingRefusedError) as refused:
        map_company(tenant.bakkerij, bakery)

    assert refused.value.code == "wrong_registration_number"
    assert "12345678 vs 87654321" in str(refused.value)
    tenant.bakkerij.registration_number = "1234 5678"  # the same number, written otherwise
    tenant.bakkerij.save()
    assert map_company(tenant.bakkerij, bakery).visma_account == bakery


def test_a_pre_flight_on_the_wrong_company_shows_one_item_not_one_per_account(
    tenant: Tenant, books_url: str, browser_http: httpx2.Client
) -> None:
    """A mapping made before the check (or the Visma company changed since): the pre-flight
    says "wrong company" once instead of every account the other chart lacks."""
    kronor = authorized_account(tenant, browser_http, "erik@nordisk.example", "se-nordisk")
    PayrollCompany.objects.filter(pk=tenant.bakkerij.pk).update(
        visma_account=kronor, visma_company_id=kronor.visma_company_id
    )
    tenant.bakkerij.refresh_from_db()
    run = import_run(tenant.bakkerij, sample("nl-bakkerij", "run-2026-10.json"), "run.json").run

    checklist = preflight.check_run(run)

    assert [(i.key, i.code, i.subject) for i in checklist.failed] == [
        (CheckKey.CONNECTION, "wrong_currency", "SEK vs EUR")
    ]
    explained = checklist.failed[0].explain("sv")
    assert explained is not None
    assert (
        explained.message
        == "Företaget i Visma bokför i en annan valuta än lönebolaget betalar ut i."
    )


def test_a_new_company_keeps_the_organisation_number_it_is_given(tenant: Tenant) -> None:
    scheme = samples_dir() / "nl-bakkerij" / "scheme.json"
    answer = tenant.client(tenant.admin).post(
        "/companies/",
        {
            "name": "Bakkerij Twee",
            "key": "bakkerij-twee",
            "registration_number": " 12345678 ",
            "scheme": SimpleUploadedFile(scheme.name, scheme.read_bytes()),
        },
    )
    assert answer.status_code == 302
    assert PayrollCompany.objects.get(key="bakkerij-twee").registration_number == "12345678"
