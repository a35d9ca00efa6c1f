"""Sign-in, throttle, CSRF (forms and htmx), security headers, admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.fixtures.tenants import PASSWORD, Tenant

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str) -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


def test_passwords_are_hashed_with_argon2(tenant: Tenant) -> None:
    assert tenant.admin.user.password.startswith("argon2$")


def test_sign_in_lands_every_role_on_today(tenant: Tenant) -> None:
    """The home page says what needs the person (tests/web/test_home.py has what it lists)."""
    for username in ("a-admin", "a-payroll", "a-viewer"):
        client = Client()
        assert login(client, username, PASSWORD) == 302
        response = client.get("/", follow=True)
        assert response.redirect_chain == [] and response.status_code == 200, username
        page = response.content.decode()
        assert "What needs you today" in page and "a Payroll" in page, username


def test_pages_need_a_signed_in_user(tenant: Tenant) -> None:
    for url in (
        "/",
        "/companies/",
        "/integrations/visma/accounts/",
        f"/companies/{tenant.bakkerij.pk}/",
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_wrong_passwords_lock_the_user_out_even_for_the_right_one(tenant: Tenant) -> None:
    client = Client()
    for _ in range(5):
        assert login(client, "a-admin", "wrong") == 200
    response = client.post("/login/", {"username": "a-admin", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_look_alike_user_names_share_the_lockout(tenant: Tenant) -> None:
    """Django signs ``ｔhr872c9b`` (fullwidth t) in as ``thr872c9b`` (NFKC): the lockout
    of one is the lockout of the other, and so of every case or width variant."""
    from payjournal.tenancy.models import Role
    from payjournal.tenancy.users import create_user

    create_user("thr872c9b", PASSWORD, master_name="a Payroll", role=Role.VIEWER)
    client = Client()
    for _ in range(5):
        assert login(client, "thr872c9b", "wrong") == 200
    for variant in ("\uff54hr872c9b", "THR872C9B", "\uff34\uff28\uff32872c9b"):
        response = client.post("/login/", {"username": variant, "password": PASSWORD})
        assert "Too many failed sign-ins" in response.content.decode(), variant
        assert "_auth_user_id" not in client.session


def test_look_alike_failures_count_towards_one_user(tenant: Tenant) -> None:
    client = Client()
    for variant in ("a-admin", "\uff41-admin", "a-\uff41dmin", "A-ADMIN", "a-adm\uff49n"):
        assert login(client, variant, "wrong") == 200
    assert (
        "Too many failed sign-ins"
        in client.post("/login/", {"username": "a-admin", "password": PASSWORD}).content.decode()
    )


def test_a_blank_password_does_not_clear_the_failures(tenant: Tenant) -> None:
    client = Client()
    for _ in range(3):
        login(client, "a-admin", "wrong")
    assert login(client, "a-admin", "") == 200  # no password checked: nothing to clear
    for _ in range(2):
        login(client, "a-admin", "wrong")
    response = client.post("/login/", {"username": "a-admin", "password": PASSWORD})
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_speaks_the_browser_s_language(tenant: Tenant) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    for _ in range(5):
        login(client, "a-admin", "wrong")
    response = client.post("/login/", {"username": "a-admin", "password": PASSWORD})
    assert "Te veel mislukte aanmeldpogingen. Wacht 15 minuten" in response.content.decode()


def test_a_successful_sign_in_clears_earlier_failures(tenant: Tenant) -> None:
    client = Client()
    for _ in range(4):
        login(client, "a-admin", "wrong")
    assert login(client, "a-admin", PASSWORD) == 302
    client.post("/logout/")
    assert login(client, "a-admin", "wrong") == 200
    assert login(client, "a-admin", PASSWORD) == 302


def test_sign_out_is_a_post(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    assert client.post("/logout/").status_code == 302
    assert client.get("/companies/").status_code == 302


def test_forms_need_the_csrf_token_and_htmx_sends_it_in_a_header(tenant: Tenant) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant.admin.user)
    url = "/integrations/visma/accounts/"
    assert client.post(url, {"name": "No token"}).status_code == 403
    page = client.get(url).content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert token is not None
    response = client.post(
        url, {"name": "With header"}, HTTP_X_CSRFTOKEN=token.group(1), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 302


def test_security_headers(tenant: Tenant) -> None:
    response = tenant.client(tenant.admin).get("/integrations/visma/accounts/")
    csp = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_http_only(tenant: Tenant) -> None:
    client = Client()
    login(client, "a-admin", PASSWORD)
    assert client.cookies["payjournal_session"]["httponly"]


def test_the_django_admin_is_for_operators_only(tenant: Tenant) -> None:
    assert tenant.client(tenant.admin).get("/admin/").status_code == 302
    operator = get_user_model().objects.create_superuser("operator", "op@example.com", PASSWORD)
    client = Client()
    client.force_login(operator)
    assert client.get("/admin/integrations/vismaaccount/").status_code == 200
    assert client.get("/companies/").status_code == 403
