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

# The browser test drives Debian's chromium (never `playwright install`).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-services: installing chromium for the browser test"
    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
  else
    echo "ensure-services: /usr/bin/chromium is missing; install it (apt-get install chromium)" >&2
    exit 1
  fi
fi

# The message-catalog test runs makemessages: GNU gettext (xgettext, msgmerge, msgfmt).
if ! command -v xgettext >/dev/null 2>&1 || ! command -v msgmerge >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-services: installing gettext for the message-catalog test"
    apt-get install -y -q gettext >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q gettext >/dev/null; }
  else
    echo "ensure-services: GNU gettext is missing; install it (apt-get install gettext)" >&2
    exit 1
  fi
fi
