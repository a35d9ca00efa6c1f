"""The catalog itself: complete, translated, and reachable from every kind of subject."""

from __future__ import annotations

import pytest

from payjournal import catalog
from payjournal.catalog.model import LinkKind, Who
from payjournal.domain.problems import Problem, ProblemCode
from payjournal.visma import FieldError, ValidationFailedError, VismaError, errors


def _client_error_classes() -> list[type[VismaError]]:
    found: list[type[VismaError]] = []
    todo: list[type[VismaError]] = [VismaError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__ == errors.__name__]


@pytest.mark.parametrize("cls", _client_error_classes(), ids=lambda c: c.__name__)
def test_every_client_error_class_has_an_entry(cls: type[VismaError]) -> None:
    code = catalog.ALIASES.get(cls.code, cls.code)
    assert code in catalog.ENTRIES or cls is VismaError


@pytest.mark.parametrize("code", list(ProblemCode))
def test_every_domain_problem_has_an_entry(code: ProblemCode) -> None:
    assert catalog.explain(code).code == code.value


@pytest.mark.parametrize("code", list(catalog.ENTRIES))
def test_every_entry_is_translated_into_dutch_and_swedish(code: str) -> None:
    english = catalog.explain(code, "en")
    assert english.message and english.cause and english.solution
    for language in ("nl", "sv"):
        other = catalog.explain(code, language)
        assert other.language == language
        for field in ("message", "cause", "solution", "who_label"):
            assert getattr(other, field) != getattr(english, field), (language, field)
        if english.link.kind == LinkKind.VISMA.value:
            assert other.link.label != english.link.label


def test_the_issue_s_entries_are_there_with_visma_s_words() -> None:
    expected = {
        "fiscal_year_missing": (3001, "Resource not found: fiscalYearId"),
        "module_not_activated": (4002, "No access to module: api_standard"),
        "account_not_found": (3002, ""),
        "period_locked": (4026, ""),
        "no_company_access": (4011, ""),
        "startup_guide_not_completed": (4003, ""),
        "rate_limited": (4010, ""),
    }
    for code, (number, words) in expected.items():
        entry = catalog.ENTRIES[code]
        assert entry.visma_error_code == number and words in entry.original
    for code in (
        "cost_center_not_allowed",
        "invalid_grant",
        "wrong_company",
        "network_error",
        "server_error",
    ):
        assert code in catalog.ENTRIES
    assert catalog.ENTRIES["unmapped_component"].original == "'Ledger' cannot be empty"
    assert catalog.ENTRIES["rate_limited"].who is Who.NOBODY


@pytest.mark.parametrize(
    ("subject", "code"),
    [
        ("3001", "fiscal_year_missing"),
        ("4002", "module_not_activated"),
        ("Resource not found: fiscalYearId. No fiscal year exists", "fiscal_year_missing"),
        ("De API module is nog niet geactiveerd.", "module_not_activated"),
        ("'Ledger' cannot be empty", "unmapped_component"),
        ("ledger_account_missing", "unmapped_component"),
        ("default_company", "module_not_activated"),
        ("authorization_denied", "access_denied"),
        ("unreachable", "network_error"),
        ("wrong_company", "wrong_company"),
        ("not_authorized", "not_authorized"),
        ("not_connected", "not_authorized"),
        ("cost_center_not_found", "cost_center_item_missing"),
        (ProblemCode.UNMAPPED_DIMENSION, "unmapped_dimension"),
        (
            Problem(ProblemCode.UNMAPPED_COMPONENT, "Component 'BONUS' has no account"),
            "unmapped_component",
        ),
        (RuntimeError("boom"), "internal_error"),
    ],
)
def test_subjects_resolve_to_their_entry(subject: catalog.registry.Subject, code: str) -> None:
    assert catalog.explain(subject).code == code


def test_a_domain_problem_keeps_its_own_sentence_as_the_original() -> None:
    problem = Problem(ProblemCode.UNMAPPED_COMPONENT, "Component 'BONUS' has no account")
    assert catalog.explain(problem, "nl").original == "Component 'BONUS' has no account"


def test_validation_field_messages_pick_the_precise_entry() -> None:
    error = ValidationFailedError(
        "DataModelValidationError",
        field_errors=(FieldError("Rows[0].AccountNumber", "account 7690 is inactive"),),
    )
    explained = catalog.explain(error, "nl")
    assert explained.code == "account_inactive"
    assert explained.details == ("Rows[0].AccountNumber: account 7690 is inactive",)
    assert explained.message == "Een grootboekrekening van de journaalpost is inactief in Visma."


def test_an_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(catalog.UnknownErrorCodeError):
        catalog.explain("no_such_code")


def test_the_api_form_has_stable_keys_and_resolves_payjournal_links() -> None:
    data = catalog.explain("invalid_grant", "nl").as_dict()
    assert set(data) == {
        "code",
        "language",
        "message",
        "cause",
        "solution",
        "who",
        "who_label",
        "link",
        "original",
        "visma_error_code",
        "details",
    }
    assert data["who"] == "master_admin"
    assert data["link"]["url"] == "/integrations/visma/accounts/"


def test_where_links_to_our_page_that_needs_ids_once_they_are_known() -> None:
    scheme = catalog.explain("account_not_found")  # the ledger scheme of which company?
    assert scheme.link.kind == "payjournal" and scheme.link.url is None
    known = catalog.explain("account_not_found", ids={"company_id": 7, "run_pk": 9})
    assert known.link.url == "/companies/7/scheme/"
    run = catalog.explain("validation_failed", ids={"company_id": 7, "run_pk": 9})
    assert run.link.url == "/companies/7/runs/9/"


def test_where_never_links_to_the_page_the_user_is_on() -> None:
    here = catalog.explain("invalid_grant", here="/integrations/visma/accounts/")
    assert here.link.url is None and here.link.label  # the place is still named
    elsewhere = catalog.explain("wrong_company", here="/integrations/visma/accounts/")
    assert elsewhere.link.url == "/integrations/visma/administrations/"
    on_the_run = catalog.explain(
        "validation_failed", ids={"company_id": 7, "run_pk": 9}, here="/companies/7/runs/9/"
    )
    assert on_the_run.link.url is None


def test_a_place_in_visma_is_a_path_never_a_link() -> None:
    for code in ("fiscal_year_missing", "fiscal_year_locked", "module_not_activated"):
        explained = catalog.explain(code, ids={"company_id": 7, "run_pk": 9})
        assert explained.link.kind == "visma" and explained.link.url is None
        assert "→" in explained.link.label
