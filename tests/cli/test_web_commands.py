"""The web-app commands, run as a user runs them: createuser, runs import, rotate-keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.integrations.crypto import TokenDecryptionError, decrypt_tokens, encrypt_tokens
from payjournal.integrations.models import VismaAccount
from payjournal.integrations.services import create_account
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.tenancy.models import Membership, Role
from payjournal.visma import TokenSet
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db(transaction=True)
TOKENS = TokenSet(
    "access-secret", "refresh-secret", datetime(2026, 11, 23, 10, tzinfo=UTC), "ea:api"
)


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def test_createuser_makes_the_first_administrator(cli: CliRunner) -> None:
    password = "a long enough passphrase"
    result = cli.invoke(
        app, ["createuser", "boss", "--master", "Acme Payroll"], input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0, result.output
    member = Membership.objects.get(user__username="boss")
    assert member.role == Role.MASTER_ADMIN and member.master.name == "Acme Payroll"
    assert member.user.check_password(password)


def test_createuser_refuses_a_weak_password_and_a_taken_name(
    cli: CliRunner, tenant: Tenant
) -> None:
    weak = cli.invoke(app, ["createuser", "x", "--master", "M"], input="123\n123\n")
    assert weak.exit_code == 1 and "Password refused" in weak.output
    taken = cli.invoke(
        app, ["createuser", "a-admin", "--master", "M", "--password", "another long passphrase"]
    )
    assert taken.exit_code == 1 and "already exists" in taken.output


def test_createuser_and_invite_refuse_a_look_alike_of_a_taken_name(
    cli: CliRunner, tenant: Tenant
) -> None:
    """Django stores ``ａ-admin`` (fullwidth a) as ``a-admin`` (NFKC): a clear refusal, not an
    IntegrityError; a case variant is refused too, as Django's own user-creation form does."""
    for name in ("\uff41-admin", "A-Admin"):
        taken = cli.invoke(
            app, ["createuser", name, "--master", "M", "--password", "another long passphrase"]
        )
        assert taken.exit_code == 1 and "already exists" in taken.output, taken.output
        invited = cli.invoke(app, ["invite", name, "--master", "M"])
        assert invited.exit_code == 1 and "already exists" in invited.output, invited.output


def test_runs_import_reports_each_file(cli: CliRunner, tenant: Tenant) -> None:
    runs = sorted(str(p) for p in (samples_dir() / "se-nordisk").glob("run-*"))
    result = cli.invoke(app, ["runs", "import", *runs, "--company", str(tenant.nordisk.pk)])
    assert result.exit_code == 0, result.output
    assert PayrollRun.objects.filter(company=tenant.nordisk).count() == len(runs)
    wrong = cli.invoke(app, ["runs", "import", runs[0], "--company", str(tenant.bakkerij.pk)])
    assert wrong.exit_code == 1 and "not imported" in wrong.output


def test_tokens_are_bound_to_their_account(tenant: Tenant) -> None:
    one, two = create_account(tenant.master, "One"), create_account(tenant.master, "Two")
    ciphertext = encrypt_tokens(one.pk, TOKENS)
    assert b"refresh-secret" not in ciphertext
    assert decrypt_tokens(one.pk, ciphertext) == TOKENS
    with pytest.raises(TokenDecryptionError):
        decrypt_tokens(two.pk, ciphertext)


def test_rotate_keys_re_encrypts_under_the_newest_key(
    cli: CliRunner, tenant: Tenant, settings: object
) -> None:
    from payjournal.notifications.webhooks import add_endpoint, endpoint_secret

    account = create_account(tenant.master, "One")
    DatabaseTokenStore(account.pk).save(TOKENS)
    endpoint, secret = add_endpoint(tenant.master, "https://hooks.example/", ["journal.sent"])
    old = settings.PAYJOURNAL_TOKEN_KEYS  # type: ignore[attr-defined]
    new = Fernet.generate_key().decode()
    settings.PAYJOURNAL_TOKEN_KEYS = [new, *old]  # type: ignore[attr-defined]
    result = cli.invoke(app, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "tokens of 1 account under the newest key" in result.output
    assert "signing secret of 1 webhook endpoint." in result.output
    settings.PAYJOURNAL_TOKEN_KEYS = [new]  # type: ignore[attr-defined]
    assert DatabaseTokenStore(account.pk).load() == TOKENS
    endpoint.refresh_from_db()
    assert endpoint_secret(endpoint) == secret
    settings.PAYJOURNAL_TOKEN_KEYS = old  # type: ignore[attr-defined]
    with pytest.raises(TokenDecryptionError):
        DatabaseTokenStore(account.pk).load()
    assert VismaAccount.objects.get(pk=account.pk).token_version == 1
