"""Every resource against the emulator (mounted in-process), including paging."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from payjournal.emulator import stable_id
from payjournal.visma import (
    AttachmentLink,
    DocumentType,
    InMemoryTokenStore,
    NewAttachment,
    NewVoucher,
    VismaClient,
)
from tests.fixtures.visma_client import World
from tests.visma.vouchers import PROD, salary_voucher

FY_2026 = stable_id("se-nordisk", "fiscalyear", "2026")


def requests_to(world: World, endpoint: str) -> int:
    log = world.control.get("/_emulator/requests", params={"endpoint": endpoint}).json()
    entries = log["requests"] if isinstance(log, dict) else log
    return len(entries)


def test_company_settings(nordisk: VismaClient) -> None:
    settings = nordisk.get_company_settings()
    assert (settings.name, settings.currency_code, settings.country_code) == (
        "Nordisk Trä AB",
        "SEK",
        "SE",
    )
    assert settings.company_identifier == str(stable_id("company", "se-nordisk"))
    assert settings.accounting_locked_to == date(2026, 10, 31)
    assert "api_standard" in settings.activated_modules


def test_fiscal_years_list_get_find_and_create(nordisk: VismaClient) -> None:
    years = list(nordisk.list_fiscal_years())
    assert [y.start_date.year for y in years] == [2025, 2026, 2027]
    assert nordisk.get_fiscal_year(FY_2026).end_date == date(2026, 12, 31)
    found = nordisk.fiscal_year_for(date(2026, 6, 1))
    assert found is not None and found.id == FY_2026
    assert nordisk.fiscal_year_for(date(2030, 1, 1)) is None
    created = nordisk.create_fiscal_year(date(2028, 1, 1), date(2028, 12, 31))
    assert created.start_date == date(2028, 1, 1)
    assert nordisk.fiscal_year_for(date(2028, 7, 1)) == created


def test_accounts_page_through_every_page(world: World, nordisk: VismaClient) -> None:
    everything = list(nordisk.list_accounts(FY_2026))
    assert len(everything) > 10
    assert all(isinstance(a.number, str) and a.fiscal_year_id == FY_2026 for a in everything)
    before = requests_to(world, "GET /v2/accounts/{fiscalyearId}")
    nordisk.page_size = 4
    paged = list(nordisk.list_accounts(FY_2026))
    pages = requests_to(world, "GET /v2/accounts/{fiscalyearId}") - before
    assert paged == everything
    assert pages == -(-len(everything) // 4) >= 3
    account = nordisk.get_account(FY_2026, 7010)
    assert account.number == "7010" and account.is_cost_center_allowed


def test_cost_centers_items_and_projects(nordisk: VismaClient) -> None:
    centers = list(nordisk.list_cost_centers())
    assert [(c.number, c.name) for c in centers] == [(1, "Avdelning"), (2, "Ort")]
    assert {i.short_name for i in centers[0].items} == {"PROD", "SALJ", "ADM"}
    item = nordisk.get_cost_center_item(PROD)
    assert item.short_name == "PROD" and item.cost_center_id == centers[0].id
    projects = list(nordisk.list_projects())
    assert projects and nordisk.get_project(projects[0].id) == projects[0]


def test_create_get_and_list_vouchers(nordisk: VismaClient) -> None:
    sent = salary_voucher("pj:run-1:v1")
    voucher = nordisk.create_voucher(sent)
    assert voucher.number_and_number_series and voucher.number_and_number_series.startswith("A")
    assert voucher.voucher_type == 2
    assert [(r.account_number, r.debit_amount, r.credit_amount) for r in voucher.rows] == [
        (7010, Decimal("50000.00"), Decimal("0.00")),
        (2710, Decimal("0.00"), Decimal("15000.00")),
        (1930, Decimal("0.00"), Decimal("35000.00")),
    ]
    assert voucher.rows[0].cost_center_item_id1 == PROD
    assert nordisk.get_voucher(FY_2026, voucher.id) == voucher
    assert voucher in list(nordisk.list_vouchers(FY_2026))
    assert voucher in list(nordisk.list_vouchers())
    november = list(
        nordisk.list_vouchers(FY_2026, start_date=date(2026, 11, 1), end_date=date(2026, 11, 30))
    )
    assert november == [voucher]


def test_a_chosen_number_series_is_sent_with_use_default_series_false(nordisk: VismaClient) -> None:
    sent = salary_voucher("pj:series")
    voucher = nordisk.create_voucher(
        NewVoucher(sent.voucher_date, sent.voucher_text, sent.rows, "L")
    )
    assert voucher.number_and_number_series == "L1"


def test_find_vouchers_pages_and_matches_the_marker(nordisk: VismaClient) -> None:
    for n in range(11):
        nordisk.create_voucher(salary_voucher(f"pj:run-{n}", amount=f"{1000 + n}.10"))
    nordisk.page_size = 3
    found = nordisk.find_vouchers(date(2026, 11, 1), date(2026, 11, 30), "pj:run-7")
    assert [v.debit_total for v in found] == [Decimal("1007.10")]
    everything = nordisk.find_vouchers(date(2026, 11, 1), date(2026, 11, 30))
    assert len(everything) == 11
    assert nordisk.find_vouchers(date(2026, 12, 1), date(2026, 12, 31), "pj:run-7") == []


def test_voucher_drafts_create_get_list_and_convert(nordisk: VismaClient) -> None:
    draft = nordisk.create_voucher_draft(salary_voucher("pj:draft"))
    assert nordisk.get_voucher_draft(draft.id) == draft
    assert draft in list(nordisk.list_voucher_drafts())
    voucher = nordisk.convert_voucher_draft(draft.id)
    assert voucher.voucher_text == draft.voucher_text
    assert voucher.debit_total == Decimal("50000.00")


def test_attachments_upload_and_link_to_a_voucher(world: World, nordisk: VismaClient) -> None:
    pdf = b"%PDF-1.4 payroll journal"
    attachment = nordisk.upload_attachment(NewAttachment("journal.pdf", "application/pdf", pdf))
    assert attachment.file_name == "journal.pdf"
    voucher = nordisk.create_voucher(salary_voucher("pj:attached"))
    link = nordisk.link_attachments(
        AttachmentLink(voucher.id, (attachment.id,), DocumentType.VOUCHER)
    )
    assert link.attachment_ids == (attachment.id,) and link.document_id == voucher.id
    content = world.control.get(f"/_emulator/attachments/{attachment.id}/content")
    assert content.content == pdf


def test_a_voucher_can_carry_attachments_from_the_start(nordisk: VismaClient) -> None:
    attachment = nordisk.upload_attachment(NewAttachment("a.png", "image/png", b"\x89PNG"))
    sent = salary_voucher("pj:with-att")
    voucher = nordisk.create_voucher(
        NewVoucher(sent.voucher_date, sent.voucher_text, sent.rows, attachment_ids=(attachment.id,))
    )
    assert isinstance(voucher.id, UUID)


def test_one_client_per_company(world: World) -> None:
    bakkerij = world.client(
        InMemoryTokenStore(world.connect("anna@bakkerij.example", "nl-bakkerij"))
    )
    nordisk = world.client(InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk")))
    assert bakkerij.get_company_settings().currency_code == "EUR"
    assert nordisk.get_company_settings().currency_code == "SEK"
