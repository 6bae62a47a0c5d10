#!/usr/bin/env bash
# PgBouncer in transaction pooling in front of the PostgreSQL on 127.0.0.1:5432, for CI and the
# tests that run the site as it runs behind a pooler (README, Connections, queues and beat).
#
#   scripts/pgbouncer.sh start <dir> <port>   write <dir>/pgbouncer.ini and start PgBouncer on
#                                              127.0.0.1:<port>; returns once it accepts
#                                              connections
#   scripts/pgbouncer.sh stop <dir>            stop the PgBouncer started with <dir>
#
# Every database of the server is reachable under its own name (`* = host=127.0.0.1
# port=5432`), as user postgres without a password (auth_type=trust: loopback only). The
# admin console is the database `pgbouncer` (SHOW POOLS, SHOW SERVERS…), for user postgres.
# Environment: PGBOUNCER_UPSTREAM_PORT (5432), PGBOUNCER_POOL_SIZE (20) per database and user.
# PgBouncer refuses to run as root: as root, it runs as user postgres, which then owns <dir>.
set -euo pipefail

usage() {
  echo "usage: $0 start <dir> <port> | stop <dir>" >&2
  exit 2
}

as_runner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir port upstream pool_size
  dir="$(mkdir -p "$1" && cd "$1" && pwd)"
  port="$2"
  upstream="${PGBOUNCER_UPSTREAM_PORT:-5432}"
  pool_size="${PGBOUNCER_POOL_SIZE:-20}"
  if [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then
    echo "PgBouncer already runs from $dir (pid $(cat "$dir/pgbouncer.pid"))" >&2
    exit 1
  fi
  echo '"postgres" ""' >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$upstream

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
; No socket of its own: two of them on one machine would otherwise share /tmp's.
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
; Nothing to reset between clients: the site keeps no session state (transaction pooling).
server_reset_query =
; psycopg sends these at connect; PgBouncer cannot pass them on per transaction.
ignore_startup_parameters = extra_float_digits,options
max_client_conn = 500
default_pool_size = $pool_size
; Server connections idle this long are closed, so that a dropped database is soon free.
server_idle_timeout = 10
server_lifetime = 600
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
log_connections = 0
log_disconnections = 0
INI
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$dir"
  fi
  as_runner /usr/sbin/pgbouncer -d "$dir/pgbouncer.ini"
  for _ in $(seq 1 50); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
      return 0
    fi
    sleep 0.1
  done
  echo "PgBouncer did not start on 127.0.0.1:$port; its log:" >&2
  cat "$dir/pgbouncer.log" >&2 || true
  exit 1
}

stop() {
  local dir pid
  dir="$1"
  [ -f "$dir/pgbouncer.pid" ] || return 0
  pid="$(cat "$dir/pgbouncer.pid")"
  # SIGINT: a safe shutdown that does not wait for the clients to leave.
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
