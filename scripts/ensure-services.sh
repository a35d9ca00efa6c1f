#!/usr/bin/env bash
# Make sure the services the test suite talks to are up: PostgreSQL at 127.0.0.1:5432.
# Idempotent; safe to run on a machine where everything is already running.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "ensure-services: starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "ensure-services: PostgreSQL is not running and pg_ctlcluster is missing" >&2
    exit 1
  fi
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432 -q
fi

# Debian packages the tests need, installed when missing (as root, with apt-get).
install_debian() {  # package, what needs it
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-services: installing $1 for $2"
    apt-get install -y -q "$1" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "$1" >/dev/null; }
  else
    echo "ensure-services: $1 is missing for $2; install it (apt-get install $1)" >&2
    exit 1
  fi
}

# The browser test drives Debian's chromium (never `playwright install`).
[ -x /usr/bin/chromium ] || install_debian chromium "the browser tests"

# The message-catalog test runs makemessages: GNU gettext (xgettext, msgmerge, msgfmt).
command -v xgettext >/dev/null 2>&1 && command -v msgmerge >/dev/null 2>&1 \
  || install_debian gettext "the message-catalog test"
