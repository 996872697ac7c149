#!/usr/bin/env bash
# What the tests need beyond Python packages: promtool, Chromium, and a reachable PostgreSQL
# (find the running one, start the installed one, or install Debian's). Tests that need it read LABINTAKE_TEST_PG_URL
# (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
set -u
# promtool (Debian's prometheus package) checks the alert rules.
if ! command -v promtool >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null) \
    || echo "could not install promtool; the alert rule tests will be skipped with a reason" >&2
fi
# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium; the browser tests will be skipped with a reason" >&2
fi
# A CJK font the accuracy corpus embeds in its Chinese reports (so their scans and photos show
# the characters); without it the generator leaves those image formats out.
if ! fc-list 2>/dev/null | grep -qi "wqy" && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null) \
    || echo "could not install fonts-wqy-microhei; Chinese scans are left out of the corpus" >&2
fi
pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null && pg_ready; then
  exit 0
fi
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing Debian's package" >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || {
      echo "could not install PostgreSQL; PostgreSQL tests will be skipped with a reason" >&2; exit 0; }
  else
    echo "not root: cannot install PostgreSQL; PostgreSQL tests will be skipped with a reason" >&2; exit 0
  fi
fi
version=$(ls /etc/postgresql | sort -V | tail -n1)
conf=/etc/postgresql/$version/main
# Trust on loopback, as on the development machines (tests only).
if ! grep -q "labintake-tests" "$conf/pg_hba.conf" 2>/dev/null; then
  sed -i '1i host all all 127.0.0.1/32 trust # labintake-tests\nlocal all all trust # labintake-tests' "$conf/pg_hba.conf" || true
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
if pg_ready; then
  psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
else
  echo "PostgreSQL did not start; PostgreSQL tests will be skipped with a reason" >&2
fi
exit 0
