"""The identity server's plain HTML pages (stdlib ``string.Template`` + ``html.escape``).

Forms post back to the page's own URL, so a person can click through and a test can script
it: fields ``email``/``password``, ``company_id``, and buttons named ``allow``/``deny``.
"""

from __future__ import annotations

from html import escape
from string import Template

from starlette.responses import HTMLResponse

_LAYOUT = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$title · Visma eAccounting (emulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;color:#222}
h1{font-size:1.3rem}.note{color:#666;font-size:.85rem}.error{color:#b00020}
label{display:block;margin:.6rem 0}input[type=email],input[type=password]{width:100%;padding:.4rem}
button{margin:.8rem .4rem 0 0;padding:.4rem 1rem}</style></head>
<body><p class="note">Visma eAccounting identity server — local emulator</p>
<h1>$title</h1>$body</body></html>""")


def page(title: str, body_html: str, status: int = 200) -> HTMLResponse:
    """A complete page; ``body_html`` must already be escaped."""
    return HTMLResponse(_LAYOUT.substitute(title=escape(title), body=body_html), status)


def login_form(action: str, client_name: str, email: str = "", error: str = "") -> HTMLResponse:
    """Ask for e-mail and password."""
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = Template("""$problem<p>Sign in to continue to <b>$client</b>.</p>
<form method="post" action="$action">
<label>E-mail <input type="email" name="email" value="$email" required autofocus></label>
<label>Password <input type="password" name="password" required></label>
<button type="submit">Log in</button></form>""").substitute(
        problem=problem, client=escape(client_name), action=escape(action), email=escape(email)
    )
    return page("Log in", body)


def company_form(action: str, companies: list[tuple[str, str]], error: str = "") -> HTMLResponse:
    """Pick one company (``company_id``)."""
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    options = "\n".join(
        f'<label><input type="radio" name="company_id" value="{escape(cid)}"{" checked" if i == 0 else ""}> '
        f"{escape(name)}</label>"
        for i, (cid, name) in enumerate(companies)
    )
    body = (
        f"{problem}<p>Choose the company this connection will use.</p>"
        f'<form method="post" action="{escape(action)}">{options}'
        '<button type="submit">Continue</button></form>'
    )
    return page("Choose company", body, 400 if error else 200)


def consent_form(
    action: str, client_name: str, user: str, company: str, scopes: list[str]
) -> HTMLResponse:
    """Allow or deny the client access to one company."""
    items = "".join(f"<li><code>{escape(s)}</code></li>" for s in scopes)
    body = (
        f"<p><b>{escape(client_name)}</b> asks for access to <b>{escape(company)}</b> "
        f"as {escape(user)}:</p><ul>{items}</ul>"
        f'<form method="post" action="{escape(action)}">'
        '<button type="submit" name="allow" value="yes">Allow</button>'
        '<button type="submit" name="deny" value="yes">Deny</button></form>'
    )
    return page("Allow access", body)


def error_page(message: str, status: int = 400) -> HTMLResponse:
    """An error that must not be redirected (unknown client, bad redirect URI ...)."""
    return page("Error", f'<p class="error" role="alert">{escape(message)}</p>', status)
