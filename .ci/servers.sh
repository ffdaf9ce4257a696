#!/usr/bin/env bash
# Starts (or stops) a loopback Redis and PostgreSQL for running the tests or
# the bench against long-lived servers. Installs nothing: it needs
# redis-server/redis-cli and PostgreSQL's initdb/pg_ctl (Debian: apt-get
# install -y redis-server postgresql). The tests do not need it: they start
# their own servers; with PRESENCE_REDIS_URL / PRESENCE_PG_URL set they use
# these instead (outage tests always start their own).
#
#   eval "$(.ci/servers.sh start)"   # exports PRESENCE_REDIS_URL, PRESENCE_PG_URL
#   .ci/servers.sh stop
#
# Ports: PRESENCE_CI_REDIS_PORT (default 6391), PRESENCE_CI_PG_PORT (default 5441).
# State lives in $PRESENCE_CI_DIR (default /tmp/presence-ci-servers).
set -euo pipefail

dir="${PRESENCE_CI_DIR:-/tmp/presence-ci-servers}"
redis_port="${PRESENCE_CI_REDIS_PORT:-6391}"
pg_port="${PRESENCE_CI_PG_PORT:-5441}"

pg_bin() {
  if [ -n "${PRESENCE_PG_BIN:-}" ]; then echo "$PRESENCE_PG_BIN"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "$1 not installed: $2" >&2; exit 1; }
}

start() {
  need redis-server 'apt-get install -y redis-server'
  need redis-cli 'apt-get install -y redis-server'
  local bin; bin="$(pg_bin)"
  [ -x "$bin/initdb" ] || { echo 'postgresql not installed: apt-get install -y postgresql' >&2; exit 1; }
  mkdir -p "$dir/redis" "$dir/pg"
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >&2
    for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$redis_port" ping >/dev/null
  fi
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/pg"; fi
  if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir/pg/data" -A trust -U postgres -E UTF8 --no-locale --no-sync >&2
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 30 \
      -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >&2
  fi
  echo "export PRESENCE_REDIS_URL=redis://127.0.0.1:$redis_port"
  echo "export PRESENCE_PG_URL=postgres://postgres@127.0.0.1:$pg_port/postgres"
}

stop() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  local bin; bin="$(pg_bin)"
  if [ -d "$dir/pg/data" ] && [ -x "$bin/pg_ctl" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w -t 30 stop >&2 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
