#!/usr/bin/env bash
# Database connections under load: persistent (the default), a new one per request, and Django's psycopg pool.
#
#   tests/load/connections.sh        # 3 modes x (/healthz, /initiatives/), wrk -t2 -c8 -d15s each, ~2 minutes
#
# Serves the shipped fixtures from gunicorn (DJANGO_DEBUG off, 2 sync workers) on a fresh PostgreSQL
# database tracker_pool, in each mode: DJANGO_CONN_MAX_AGE=60, DJANGO_CONN_MAX_AGE=0, DJANGO_DB_POOL=true.
# Prints requests/s, p50/p99 latency, errors, the server connections open mid-run and the connections
# opened during the run (pg_stat_database.sessions). Then, per mode: /healthz after the server's connections
# are killed (should be 200: reconnects by itself) and while the database refuses connections (should be a
# quick 503). Server errors go to /tmp/connections-server.log. Needs wrk and psycopg[pool]. DURATION (in
# seconds, e.g. 15s), CONNECTIONS, WORKERS and PORT override the defaults. The database stays for inspection:
# psql -h 127.0.0.1 -U postgres -c "DROP DATABASE tracker_pool" removes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
PORT=${PORT:-8012}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-8}
WORKERS=${WORKERS:-2}
DB=tracker_pool
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DJANGO_DEBUG=false DJANGO_SECRET_KEY=load-test-secret-key-not-for-production-0123456789abcdef
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false DJANGO_LOG_LEVEL=WARNING
PSQL="psql -qtA -h 127.0.0.1 -U postgres -d postgres"

$PSQL -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py seed -v0
$BIN/python manage.py collectstatic --noinput -v0

SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; $PSQL -c "ALTER DATABASE $DB ALLOW_CONNECTIONS true" || true' EXIT
sessions() { $PSQL -c "SELECT sessions FROM pg_stat_database WHERE datname = '$DB'"; }
backends() { $PSQL -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB'"; }
kill_backends() {
    $PSQL -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$DB'" >/dev/null
}
healthz() { curl -s -o /dev/null -w "%{http_code}/%{time_total}s" --max-time 30 "http://127.0.0.1:$PORT/healthz"; }

printf "%-22s %-13s %8s %8s %8s %6s %9s %8s\n" mode url "req/s" "p50 ms" "p99 ms" errors "conns-mid" opened
run_mode() {
    local mode=$1
    shift
    env "$@" $BIN/gunicorn config.wsgi --bind 127.0.0.1:$PORT --workers "$WORKERS" --timeout 30 --log-level warning \
        2>>/tmp/connections-server.log &
    SERVER=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
    for url in /healthz /initiatives/; do
        wrk -t2 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT$url" >/dev/null  # warm up every worker
        local before
        before=$(sessions)
        wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s tests/load/summary.lua "http://127.0.0.1:$PORT$url" \
            >/tmp/wrk-connections.txt &
        local wrk=$!
        sleep "$(( ${DURATION%s} / 2 ))"
        local mid
        mid=$(backends)
        wait $wrk
        read -r _ rps p50 p99 errors _ < <(grep ^RESULT /tmp/wrk-connections.txt)
        printf "%-22s %-13s %8s %8s %8s %6s %9s %8s\n" "$mode" "$url" "$rps" "$p50" "$p99" "$errors" "$mid" \
            $(( $(sessions) - before ))
    done
    sleep 1  # requests still queued when wrk stopped
    kill_backends
    local reconnected refused
    reconnected="$(healthz) $(healthz)"
    refused=$($PSQL -c "ALTER DATABASE $DB ALLOW_CONNECTIONS false" && kill_backends && healthz)
    FAULTS+=$(printf "%-22s after killed connections: %s; database refusing: %s" "$mode" "$reconnected" "$refused")$'\n'
    $PSQL -c "ALTER DATABASE $DB ALLOW_CONNECTIONS true"
    kill $SERVER
    wait $SERVER 2>/dev/null || true
    SERVER=
}
FAULTS=
run_mode "persistent (60 s)" DJANGO_DB_POOL=false DJANGO_CONN_MAX_AGE=60
run_mode "per request (0)" DJANGO_DB_POOL=false DJANGO_CONN_MAX_AGE=0
run_mode "pool" DJANGO_DB_POOL=true
echo
echo "== /healthz (HTTP status/time) =="
printf "%s" "$FAULTS"
