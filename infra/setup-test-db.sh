#!/usr/bin/env bash
# Creates the test databases on running PostgreSQL servers, idempotently (run it as often as you like).
# Default: the test ports of docker-compose.test.yml / the no-Docker test stack:
#   userdb_test on 5434, orderdb_test on 5435, paymentdb_test on 5437.
# One shared server instead:  DB_PORT=5432 bash infra/setup-test-db.sh
# Needs psql. Connection: DB_HOST (localhost), DB_USERNAME / DB_PASSWORD (postgres / postgres).
set -euo pipefail

host=${DB_HOST:-localhost}
user=${DB_USERNAME:-postgres}
export PGPASSWORD=${DB_PASSWORD:-postgres}
export PGCONNECT_TIMEOUT=5

if ! command -v psql > /dev/null; then
  echo "setup-test-db: psql not found (Debian/Ubuntu: apt-get install postgresql-client)" >&2
  exit 1
fi

create_db() {
  local port=$1 name=$2
  # CREATE DATABASE cannot run inside a DO block: ask first, then create.
  local exists
  exists=$(psql -h "$host" -p "$port" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")
  if [ "$exists" = 1 ]; then
    echo "$name on $host:$port: exists"
  else
    psql -h "$host" -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE \"$name\""
    echo "$name on $host:$port: created"
  fi
}

create_db "${DB_PORT:-5434}" userdb_test
create_db "${DB_PORT:-5435}" orderdb_test
create_db "${DB_PORT:-5437}" paymentdb_test
