"""Status + ErrorCode + OAuth ``error`` → one class, decided in one function."""

from __future__ import annotations

import json

import pytest

from payjournal.visma import (
    AccountNotFoundError,
    ApiError,
    AuthenticationFailedError,
    AuthorizationDeniedError,
    CompanyNotActiveError,
    ConflictError,
    FiscalYearMissingError,
    InvalidGrantError,
    MissingScopeError,
    ModuleNotActivatedError,
    NoCompanyAccessError,
    NotFoundError,
    OAuthError,
    OutcomeUnknownError,
    PeriodLockedError,
    PermissionDeniedError,
    RateLimitedError,
    RequestInfo,
    ServerError,
    StartupGuideNotCompletedError,
    ValidationFailedError,
    VismaError,
)
from payjournal.visma.error_mapping import error_from_response, parse_retry_after

REQUEST = RequestInfo.of("POST", "https://eaccountingapi.vismaonline.com/v2/vouchers")
MODULE_OFF = "ForbiddenRequestException - No access to module: api_standard"


def visma_error(status: int, code: int | None, message: str = "", **kwargs: object) -> VismaError:
    body = {"ErrorCode": code, "DeveloperErrorMessage": message, "ErrorId": "e-1", "Errors": []}
    return error_from_response(status, json.dumps(body), body, request=REQUEST, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (400, 2000, "DataModelValidationError", ValidationFailedError),
        (404, 3000, "", NotFoundError),
        (400, 3001, "Resource not found: fiscalYearId", FiscalYearMissingError),
        (400, 3002, "", AccountNotFoundError),
        (400, 4000, "", ConflictError),
        (403, 4002, MODULE_OFF, ModuleNotActivatedError),
        (400, 4002, MODULE_OFF, ModuleNotActivatedError),
        (400, 4002, "CanNotBeCreatedOrUpdated", ApiError),
        (403, 4003, "", StartupGuideNotCompletedError),
        (403, 4004, "", CompanyNotActiveError),
        (403, 4006, "", MissingScopeError),
        (429, 4010, "Try again in 55 seconds.", RateLimitedError),
        (403, 4011, "", NoCompanyAccessError),
        (400, 4026, "", PeriodLockedError),
        (401, None, "", AuthenticationFailedError),
        (403, None, "", PermissionDeniedError),
        (404, None, "", NotFoundError),
        (429, None, "", RateLimitedError),
        (500, 2000, "", ServerError),
        (503, None, "", ServerError),
        (418, None, "", ApiError),
    ],
)
def test_each_status_and_code_maps_to_its_class(
    status: int, code: int | None, message: str, expected: type[VismaError]
) -> None:
    error = visma_error(status, code, message)
    assert type(error) is expected
    assert (error.status, error.error_code, error.error_id) == (status, code, "e-1")
    assert error.request == REQUEST
    assert error.body is not None and error.body.startswith("{")


def test_every_class_has_its_own_stable_code() -> None:
    classes = [
        c
        for c in vars(__import__("payjournal.visma", fromlist=["x"])).values()
        if isinstance(c, type) and issubclass(c, VismaError)
    ]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)) >= 22


def test_validation_errors_carry_the_field_errors() -> None:
    body = {
        "ErrorCode": 2000,
        "DeveloperErrorMessage": "DataModelValidationError - Rows: unbalanced",
        "ErrorId": "e-2",
        "Errors": [{"Field": "Rows", "Message": "debit != credit"}],
    }
    error = error_from_response(400, json.dumps(body), body, request=REQUEST)
    assert isinstance(error, ValidationFailedError)
    assert [(f.field, f.message) for f in error.field_errors] == [("Rows", "debit != credit")]


def test_a_server_error_on_a_non_idempotent_request_is_an_unknown_outcome() -> None:
    error = visma_error(502, None, idempotent=False)
    assert isinstance(error, OutcomeUnknownError)
    assert error.status == 502
    assert isinstance(visma_error(400, 2000, idempotent=False), ValidationFailedError)


@pytest.mark.parametrize(
    ("header", "message", "expected"),
    [
        ("7", "", 7.0),
        (
            None,
            "API calls quota exceeded! maximum admitted 600 per Minute. Try again in 55 seconds.",
            55.0,
        ),
        ("Wed, 21 Oct 2026 07:28:00 GMT", "Try again in 3 seconds.", 3.0),
        (None, "", None),
    ],
)
def test_retry_after_comes_from_the_header_else_the_message(
    header: str | None, message: str, expected: float | None
) -> None:
    assert parse_retry_after(header, message) == expected


def test_a_429_without_any_hint_waits_a_minute() -> None:
    error = error_from_response(429, "", None, request=REQUEST)
    assert isinstance(error, RateLimitedError) and error.retry_after == 60.0


@pytest.mark.parametrize(
    ("oauth_error", "expected"),
    [
        ("invalid_grant", InvalidGrantError),
        ("access_denied", AuthorizationDeniedError),
        ("invalid_client", OAuthError),
    ],
)
def test_identity_server_errors_map_on_the_oauth_error_field(
    oauth_error: str, expected: type[VismaError]
) -> None:
    body = {"error": oauth_error, "error_description": "nope"}
    error = error_from_response(400, json.dumps(body), body, request=REQUEST)
    assert type(error) is expected and error.oauth_error == oauth_error


def test_a_body_that_is_not_json_still_maps_on_the_status() -> None:
    error = error_from_response(503, "503 Service Unavailable", None, request=REQUEST)
    assert isinstance(error, ServerError) and error.body == "503 Service Unavailable"


def test_request_info_hides_secrets_in_the_query() -> None:
    info = RequestInfo.of("get", "http://127.0.0.1/cb?code=secret-code&state=s&x=1")
    assert info.method == "GET"
    assert "secret-code" not in info.url and "x=1" in info.url
