#!/usr/bin/env bash
# Load and fault test of the production server (gunicorn, DJANGO_DEBUG off) on PostgreSQL.
#
#   tests/load/loadtest.sh            # 5,000 synthetic initiatives (generate_data), 30 s at 64 connections, then the faults
#
# Reports requests/s, latency percentiles and errors from wrk; then restarts PostgreSQL
# under load and checks that /healthz fails fast and recovers by itself; then kills an
# import mid-way and checks the database is exactly as before. Needs wrk (apt-get install wrk).
# The server runs with the caller's DJANGO_CONN_MAX_AGE / DJANGO_DB_POOL; to compare those settings
# under load, see tests/load/connections.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
PORT=${PORT:-8011}
DURATION=${DURATION:-30s}
DB=tracker_load
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DJANGO_DEBUG=false DJANGO_SECRET_KEY=load-test-secret-key-not-for-production-0123456789abcdef
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false DJANGO_LOG_LEVEL=WARNING
CLUSTER="$(ls /etc/postgresql) main"

psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py seed -v0
$BIN/python manage.py generate_data --scale "${LOAD_INITIATIVES:-5000}" > /dev/null
$BIN/python manage.py collectstatic --noinput -v0

$BIN/gunicorn config.wsgi --bind 127.0.0.1:$PORT --workers ${WORKERS:-4} --timeout 30 --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "== load: $DURATION, 64 connections, list/search/filter/deep page/detail/CSV/home =="
wrk -t2 -c64 -d"$DURATION" --timeout 10s --latency -s tests/load/urls.lua "http://127.0.0.1:$PORT" | tee /tmp/wrk-load.txt

echo "== fault: PostgreSQL restarted under load =="
wrk -t2 -c64 -d20s --timeout 10s --latency -s tests/load/urls.lua "http://127.0.0.1:$PORT" > /tmp/wrk-fault.txt &
WRK=$!
sleep 5
pg_ctlcluster --skip-systemctl-redirect $CLUSTER stop -m fast
DOWN_STARTED=$(date +%s.%N)
HEALTH_DOWN=$(curl -s -o /dev/null -w "%{http_code} in %{time_total}s" --max-time 10 "http://127.0.0.1:$PORT/healthz")
echo "healthz while PostgreSQL is down: $HEALTH_DOWN"
sleep 3
pg_ctlcluster --skip-systemctl-redirect $CLUSTER start
for _ in $(seq 100); do
    code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 "http://127.0.0.1:$PORT/healthz") && [ "$code" = 200 ] && break
    sleep 0.1
done
echo "healthz back to $code $(python3 -c "import time; print(round(time.time() - $DOWN_STARTED, 1))")s after the stop, without restarting gunicorn"
wait $WRK
cat /tmp/wrk-fault.txt
echo "== after the fault, the same server under load again =="
wrk -t2 -c64 -d10s --timeout 10s --latency -s tests/load/urls.lua "http://127.0.0.1:$PORT" | grep -E "Requests/sec|Non-2xx|Socket errors|  99%" || true

echo "== fault: an import killed mid-way =="
$BIN/python manage.py export_records initiative -o /tmp/load-initiatives.csv
sed -i 's/,Ongoing,/,Completed,/' /tmp/load-initiatives.csv
BEFORE=$(psql -qtA -h 127.0.0.1 -U postgres $DB -c "SELECT md5(string_agg(slug || status || updated::text, ',' ORDER BY slug)) FROM tracker_initiative")
$BIN/python manage.py import_records initiative /tmp/load-initiatives.csv > /dev/null 2>&1 &
IMPORT=$!
sleep ${KILL_AFTER:-8}
kill -9 $IMPORT 2>/dev/null && echo "import process killed after ${KILL_AFTER:-8}s" || echo "import finished before the kill (raise LOAD_INITIATIVES)"
wait $IMPORT 2>/dev/null || true
AFTER=$(psql -qtA -h 127.0.0.1 -U postgres $DB -c "SELECT md5(string_agg(slug || status || updated::text, ',' ORDER BY slug)) FROM tracker_initiative")
[ "$BEFORE" = "$AFTER" ] && echo "database unchanged by the killed import: $AFTER" || { echo "DATABASE CHANGED: $BEFORE -> $AFTER"; exit 1; }
