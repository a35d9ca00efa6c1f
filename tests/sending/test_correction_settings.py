"""The correction settings as a master administrator changes them: a company's own mode and date
rule (or "the master default") on its page, the master default on the Integrations →
Corrections tab; bad input answers 400 with a message, never a 500; payroll administrators and
viewers may read the settings but not change them; the send that follows uses the setting."""

from __future__ import annotations

import pytest

from payjournal.domain.booking import CorrectionDate, CorrectionMode
from payjournal.emulator import Emulator
from payjournal.sending.booking import correction_policy, preview
from payjournal.sending.models import CorrectionDefaults, SendingSettings
from payjournal.tenancy.models import Membership, Role
from tests.fixtures.books import Books
from tests.sending.story import RUN, corrected
from tests.sending.test_correction_views import send_v1, upload
from tests.sending.test_views import client_for

MASTER_TAB = "/integrations/visma/corrections/"


def settings_url(books: Books) -> str:
    return f"/companies/{books.bakkerij.pk}/sending/corrections/"


def test_the_company_page_shows_the_master_default_until_the_company_chooses(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    assert 'id="corrections"' in page
    assert "Reverse and rebook: a reversal of the booked voucher" in page
    assert page.count("(the master default)") == 2
    answer = client.post(
        settings_url(books), {"correction_mode": "difference", "correction_date": ""}
    )
    assert answer.status_code == 302
    policy = correction_policy(books.bakkerij)
    assert policy == type(policy)(CorrectionMode.DIFFERENCE, CorrectionDate.ORIGINAL_OR_FIRST_OPEN)
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    assert "Difference: one voucher with the new version minus the booked one" in page
    assert page.count("(the master default)") == 1  # the date still follows the master
    assert 'value="difference" selected' in page


def test_the_setting_decides_what_the_next_correction_posts(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    send_v1(books)
    upload(client, books, corrected())
    assert len(preview(books.bakkerij, RUN).legs) == 2  # reverse and rebook
    client.post(settings_url(books), {"correction_mode": "difference", "correction_date": ""})
    assert len(preview(books.bakkerij, RUN).legs) == 1  # one difference voucher


@pytest.mark.parametrize(
    "data",
    [
        {"correction_mode": "delete_everything", "correction_date": ""},
        {"correction_mode": "", "correction_date": "yesterday"},
        {"correction_mode": ["difference", "reverse_and_rebook"], "correction_date": "x" * 5000},
    ],
)
def test_bad_company_settings_answer_400_with_the_form_and_change_nothing(
    books: Books, visma: Emulator, data: dict[str, object]
) -> None:
    client = client_for(books)
    answer = client.post(settings_url(books), data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "The settings were not saved:" in page
    assert "Select a valid choice." in page
    assert not SendingSettings.objects.filter(company=books.bakkerij).exists()


def test_the_master_default_is_set_on_its_own_tab(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    page = client.get(MASTER_TAB).content.decode()
    assert 'class="active">Corrections</a>' in page
    assert "nl-bakkerij" in page and "se-nordisk" in page
    answer = client.post(
        MASTER_TAB, {"correction_mode": "difference", "correction_date": "new_version"}
    )
    assert answer.status_code == 302
    defaults = CorrectionDefaults.objects.get(master=books.master)
    assert (defaults.correction_mode, defaults.correction_date) == ("difference", "new_version")
    assert correction_policy(books.nordisk).mode is CorrectionMode.DIFFERENCE
    company_page = client.get(f"/companies/{books.nordisk.pk}/").content.decode()
    assert "Always the new version&#x27;s date" in company_page


@pytest.mark.parametrize(
    "data",
    [
        {"correction_mode": "", "correction_date": "new_version"},  # no "default" of the default
        {"correction_mode": "difference"},
        {"correction_mode": "difference", "correction_date": "\x00"},
    ],
)
def test_bad_master_defaults_answer_400_with_a_message(
    books: Books, visma: Emulator, data: dict[str, str]
) -> None:
    answer = client_for(books).post(MASTER_TAB, data)
    assert answer.status_code == 400
    assert "The settings were not saved:" in answer.content.decode()
    assert not CorrectionDefaults.objects.exists()


@pytest.mark.parametrize("role", [Role.PAYROLL_ADMIN, Role.VIEWER])
def test_only_master_administrators_change_correction_settings(
    books: Books, visma: Emulator, role: Role
) -> None:
    client = client_for(books, role)
    books.bakkerij.assignees.add(Membership.objects.get(role=role).user)
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    assert 'id="corrections"' in page and 'id="corrections-form"' not in page  # read only
    data = {"correction_mode": "difference", "correction_date": "new_version"}
    assert client.post(settings_url(books), data).status_code == 403
    assert client.get(MASTER_TAB).status_code == 403
    assert client.post(MASTER_TAB, data).status_code == 403
    assert not SendingSettings.objects.exists() and not CorrectionDefaults.objects.exists()
