"""Where payjournal's mail goes: the ``EMAIL_*`` Django settings for a :class:`Settings`.

Mail carries password-reset links, which give whoever reads them the account, so:

* an SMTP server (``PAYJOURNAL_SMTP_HOST`` …) sends it — production;
* a mail directory (``PAYJOURNAL_MAIL_DIR``, the demo's ``<data_dir>/mail``) keeps each mail as
  a file inside the private data directory — a local way to try a reset;
* neither: nothing is sent (Django's dummy backend) and password reset by e-mail is off; the
  reset page says so and whom to ask (``PAYJOURNAL_SUPPORT_CONTACT``).

Never the console backend: it writes every link to the server's log.
"""

from __future__ import annotations

from dataclasses import dataclass

from payjournal.config import Settings

__all__ = ["MailSettings", "mail_settings"]

SMTP = "django.core.mail.backends.smtp.EmailBackend"
FILES = "django.core.mail.backends.filebased.EmailBackend"
NOTHING = "django.core.mail.backends.dummy.EmailBackend"


@dataclass(frozen=True)
class MailSettings:
    """The mail part of Django's settings, and whether password reset by e-mail is offered."""

    backend: str
    host: str = "localhost"
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout_s: int | None = None
    file_path: str | None = None
    can_reset_by_mail: bool = False

    def django_settings(self) -> dict[str, object]:
        """The ``EMAIL_*`` settings by their Django names."""
        return {
            "EMAIL_BACKEND": self.backend,
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": self.username,
            "EMAIL_HOST_PASSWORD": self.password,
            "EMAIL_USE_TLS": self.use_tls,
            "EMAIL_USE_SSL": self.use_ssl,
            "EMAIL_TIMEOUT": self.timeout_s,
            "EMAIL_FILE_PATH": self.file_path,
        }


def mail_settings(settings: Settings) -> MailSettings:
    """SMTP when a host is set, else files in the mail directory, else nothing at all."""
    if settings.smtp_host:
        return MailSettings(
            SMTP,
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            use_tls=settings.smtp_security == "starttls",
            use_ssl=settings.smtp_security == "ssl",
            timeout_s=settings.smtp_timeout_s,
            can_reset_by_mail=True,
        )
    if settings.mail_dir is not None:
        return MailSettings(FILES, file_path=str(settings.mail_dir), can_reset_by_mail=True)
    return MailSettings(NOTHING)
