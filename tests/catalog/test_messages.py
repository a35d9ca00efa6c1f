"""The message catalogs: complete in Dutch and Swedish, compiled at build time, and the pages
that use them in the reader's language with the reader's numbers and dates.

``makemessages`` runs on a copy of the package (the tree stays clean): every text the code and
the templates mark for translation must have a Dutch and a Swedish translation that is neither
empty nor fuzzy. GNU gettext (``xgettext``, ``msgmerge``) is needed; Debian's ``gettext``.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

import payjournal
from payjournal.catalog import messages
from payjournal.catalog.formats import Reading
from payjournal.domain.money import Money

PACKAGE = Path(payjournal.__file__).parent
LANGUAGES = ("nl", "sv")


def _missing_tools() -> list[str]:
    return [tool for tool in ("xgettext", "msgmerge", "msgfmt") if shutil.which(tool) is None]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``makemessages -l nl -l sv`` over a copy of the package: the merged .po per language."""
    assert not _missing_tools(), f"install GNU gettext: {_missing_tools()} not found"
    copy = tmp_path_factory.mktemp("makemessages") / "payjournal"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    locale = copy / "catalog" / "locale"
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[str(locale)]):
        patch.chdir(copy)
        # the emulator is a stand-in for Visma's own pages: English like the real one's
        call_command(
            "makemessages", locale=list(LANGUAGES), verbosity=0, ignore_patterns=["emulator/*"]
        )
    return {lang: locale / lang / "LC_MESSAGES" / "django.po" for lang in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_text_is_translated_and_none_is_fuzzy(
    extracted: dict[str, Path], language: str
) -> None:
    with extracted[language].open("rb") as source:
        catalog = read_po(source)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(strings):
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
            missing.append(f"{'fuzzy ' if message.fuzzy else ''}{message.id!r} ({where})")
    assert not missing, f"{len(missing)} untranslated in {language}:\n" + "\n".join(missing)
    stale = [message.id for message in catalog.obsolete.values()]
    assert not stale, f"texts no longer used, remove them from the {language} .po: {stale}"
    assert len(catalog) > 500  # the pages' texts are marked too, not only the error catalog


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_catalog_passes_msgfmt_check(language: str) -> None:
    """No duplicate entry, no broken format string (``%(name)s`` kept in every translation)."""
    po = messages.LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_catalogs_are_compiled_by_the_build_not_at_start_up(tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(messages.LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo"))
    assert len(messages.stale_catalogs(locale)) == 2
    from payjournal.catalog.apps import compiled_catalogs

    assert compiled_catalogs() == []  # the test run compiled the package's (conftest)
    assert messages.compile_all(locale) and messages.stale_catalogs(locale) == []
    setup_py = (PACKAGE.parents[1] / "setup.py").read_text()
    assert "compile_catalogs()" in setup_py  # pip install (wheel or editable) compiles them


@pytest.mark.parametrize(
    ("language", "amount", "day", "moment"),
    [
        ("en", "1\u202f234.56", "2026-11-26", "2026-11-26 09:05"),
        ("nl", "1.234,56", "26-11-2026", "26-11-2026 09:05"),
        ("sv", "1\u202f234,56", "2026-11-26", "2026-11-26 09:05"),
    ],
)
def test_amounts_and_dates_are_written_the_way_the_reader_writes_them(
    language: str, amount: str, day: str, moment: str
) -> None:
    money = Money.of(Decimal("1234.56"), "EUR")
    template = Template('{% load money %}{{ m|money }} {{ d|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        reading = Reading()
        assert reading.amount(money) == amount
        assert reading.amount(-Money.of(Decimal("1234567.5"), "SEK")).count(amount[1]) == 2
        assert reading.day(date(2026, 11, 26)) == day
        assert date(2026, 11, 26).strftime(reading.minute.replace("%H:%M", "09:05")) == moment
        assert template.render(Context({"m": money, "d": date(2026, 11, 26)})) == (
            f"{amount} {day}"
        )


def test_money_formats_with_a_decimal_mark_and_stays_plain_without() -> None:
    money = Money.of(Decimal("-1234567.5"), "EUR")
    assert money.formatted() == "-1234567.50"
    assert money.formatted(",") == "-1,234,567.50"
    assert money.formatted(".", ",") == "-1.234.567,50"
    assert Money.of(Decimal("1234"), "ISK").formatted(".", ",") == "1.234"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "words"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.5", ("Inloggen", "Wachtwoord vergeten?", 'lang="nl"')),
        ("sv-SE,sv;q=0.9", ("Logga in", "Glömt lösenordet?", 'lang="sv"')),
        ("en-GB", ("Sign in", "Forgot your password?", 'lang="en"')),
    ],
)
def test_before_any_choice_the_browser_language_decides_also_on_sign_in_and_reset(
    client: Client, accept: str, words: tuple[str, ...]
) -> None:
    login = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert all(word in login for word in words), login
    reset = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE=accept)
    assert reset.headers["Content-Language"] == words[2][6:8]


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_the_screens_are_named_as_the_explanations_name_them(language: str) -> None:
    """An explanation that sends the user to "Koppelingen → Administraties" finds a menu
    "Koppelingen" and a tab "Administraties" on the screen (and likewise in Swedish)."""
    from django.utils.translation import gettext, pgettext

    from payjournal.catalog import links

    with translation.override(language):
        nav = gettext("Integrations → Visma eAccounting")
        root = nav.split(" → ")[0]
        tab = pgettext("tab", "Administrations")
        assert str(links.ACCOUNTS_TAB.label).endswith(nav)
        assert str(links.ADMINISTRATIONS_TAB.label).endswith(f"{root} → {tab}")
        accounts = pgettext("tab", "Accounts")
        told = " ".join(
            gettext(text)
            for text in (
                "Go back to the Accounts tab and click the account's Visma mark again.",
                "Start the authorization again from the Accounts tab and choose “Allow”.",
            )
        )
        assert accounts in told


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Er ging iets mis"), ("sv", "Något gick fel")]
)
def test_the_server_error_page_speaks_the_readers_language(language: str, title: str) -> None:
    from django.test import RequestFactory

    from payjournal.site.errors import server_error

    with translation.override(language):
        page = server_error(RequestFactory().get("/companies/1/")).content.decode()
    assert f'lang="{language}"' in page and f"<h1>{title}</h1>" in page
