"""Voucher drafts (review before posting) and attachments linked to vouchers."""

from __future__ import annotations

import base64

import httpx2

from payjournal.emulator import Emulator
from tests.emulator.conftest import Login, error_code, voucher

PDF = base64.b64encode(b"%PDF-1.4 payroll journal").decode()


def test_draft_then_convert(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    auth = login()
    draft = http.post("/v2/voucherdrafts", json=voucher(), headers=auth)
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["Id"]
    listed = http.get("/v2/voucherdrafts", headers=auth).json()["Data"]
    assert [d["Id"] for d in listed] == [draft_id]
    assert http.get(f"/v2/voucherdrafts/{draft_id}", headers=auth).json()["VoucherText"] == (
        "Payroll 2026-11 run 1"
    )
    converted = http.post(f"/v2/voucherdrafts/{draft_id}/convert", headers=auth)
    assert converted.status_code == 201, converted.text
    assert converted.json()["NumberAndNumberSeries"] == "A3"
    assert http.get(f"/v2/voucherdrafts/{draft_id}", headers=auth).status_code == 404
    again = http.post(f"/v2/voucherdrafts/{draft_id}/convert", headers=auth)
    assert error_code(again) == 3000


def test_unbalanced_draft_is_kept_but_cannot_be_converted(
    http: httpx2.Client, login: Login
) -> None:
    auth = login()
    body = voucher(rows=[{"AccountNumber": 4000, "DebitAmount": 10, "CreditAmount": 0}])
    draft_id = http.post("/v2/voucherdrafts", json=body, headers=auth).json()["Id"]
    refused = http.post(f"/v2/voucherdrafts/{draft_id}/convert", headers=auth)
    assert error_code(refused) == 2000
    assert http.get(f"/v2/voucherdrafts/{draft_id}", headers=auth).status_code == 200


def test_draft_rows_allow_only_50_characters_of_text(http: httpx2.Client, login: Login) -> None:
    body = voucher()
    body["Rows"][0]["TransactionText"] = "x" * 51
    assert error_code(http.post("/v2/voucherdrafts", json=body, headers=login())) == 2000


def test_draft_needs_a_date(http: httpx2.Client, login: Login) -> None:
    answer = http.post("/v2/voucherdrafts", json={"VoucherText": "x"}, headers=login())
    assert error_code(answer) == 2000


def test_upload_link_and_download(http: httpx2.Client, login: Login) -> None:
    auth = login()
    upload = http.post(
        "/v2/attachments",
        json={"ContentType": "application/pdf", "FileName": "journal.pdf", "Data": PDF},
        headers=auth,
    )
    assert upload.status_code == 201, upload.text
    attachment = upload.json()
    assert (attachment["AttachmentStatus"], attachment["UploadedBy"]) == (
        1,
        "anna@bakkerij.example",
    )
    content = http.get(attachment["TemporaryUrl"])
    assert content.content == b"%PDF-1.4 payroll journal"
    created = http.post("/v2/vouchers", json=voucher(), headers=auth).json()
    link = http.post(
        "/v2/attachmentlinks",
        json={"DocumentId": created["Id"], "DocumentType": 3, "AttachmentIds": [attachment["Id"]]},
        headers=auth,
    )
    assert link.status_code == 200, link.text
    linked = http.get(f"/v2/attachments/{attachment['Id']}", headers=auth).json()
    assert (linked["AttachmentStatus"], linked["DocumentId"]) == (0, created["Id"])
    fy = http.get("/v2/fiscalyears", headers=auth).json()["Data"][1]["Id"]
    again = http.get(f"/v2/vouchers/{fy}/{created['Id']}", headers=auth).json()
    assert again["Attachments"]["AttachmentIds"] == [attachment["Id"]]
    unmatched = http.get("/v2/attachments", headers=auth, params={"includeMatched": "false"})
    assert unmatched.json()["Data"] == []


def test_voucher_can_carry_attachments_on_post(http: httpx2.Client, login: Login) -> None:
    auth = login()
    attachment = http.post(
        "/v2/attachments",
        json={"ContentType": "image/png", "FileName": "a.png", "Data": PDF},
        headers=auth,
    ).json()
    body = voucher() | {"Attachments": {"DocumentType": 3, "AttachmentIds": [attachment["Id"]]}}
    created = http.post("/v2/vouchers", json=body, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["Attachments"]["AttachmentIds"] == [attachment["Id"]]
    unknown = voucher() | {
        "Attachments": {"DocumentType": 3, "AttachmentIds": [created.json()["Id"]]}
    }
    assert error_code(http.post("/v2/vouchers", json=unknown, headers=auth)) == 3000


def test_attachment_rules(http: httpx2.Client, login: Login) -> None:
    auth = login()
    bad = http.post(
        "/v2/attachments", json={"ContentType": "text/plain", "Data": "%%%"}, headers=auth
    )
    assert {e["Field"] for e in bad.json()["Errors"]} == {"ContentType", "FileName", "Data"}
    upload = http.post(
        "/v2/attachments",
        json={"ContentType": "application/pdf", "FileName": "j.pdf", "Data": PDF},
        headers=auth,
    ).json()
    wrong_type = http.post(
        "/v2/attachmentlinks",
        json={"DocumentId": upload["Id"], "DocumentType": 1, "AttachmentIds": [upload["Id"]]},
        headers=auth,
    )
    assert error_code(wrong_type) == 2000
    no_voucher = http.post(
        "/v2/attachmentlinks",
        json={"DocumentId": upload["Id"], "DocumentType": 3, "AttachmentIds": [upload["Id"]]},
        headers=auth,
    )
    assert error_code(no_voucher) == 3000
