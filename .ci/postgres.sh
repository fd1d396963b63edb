#!/usr/bin/env bash
# A throwaway PostgreSQL for tests, on 127.0.0.1:5432 with trust authentication.
#
#   .ci/postgres.sh            start one unless a server already answers there; create
#                              database vigil_test; print its URL (the only stdout line):
#                              postgres://postgres@127.0.0.1:5432/vigil_test
#   .ci/postgres.sh stop DIR   stop the server this script started in data directory DIR
#
# If VIGIL_PG_STARTED_FILE names a file, the data directory of a server started by this
# run is written to it, so the caller can stop exactly that server (and not one that was
# already running). Trust authentication: for local tests only, never for real data.
# Installs Debian's postgresql package when no /usr/lib/postgresql/*/bin/initdb exists.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
DB=vigil_test
URL="postgres://postgres@${HOST}:${PORT}/${DB}"

log() { printf '%s\n' "postgres.sh: $*" >&2; }

find_bin_dir() {
  # The newest installed major version.
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n $dir && -x $dir/initdb ]]; then printf '%s\n' "$dir"; fi
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

install_postgres() {
  log "PostgreSQL is not installed; installing Debian's postgresql package"
  # Debian's package would create and start its own cluster "main" on port 5432, with
  # peer/password authentication; this script runs its own cluster instead.
  as_root mkdir -p /etc/postgresql-common
  if ! grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' | as_root tee -a /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql
}

# Runs a command as the OS user that owns the cluster: `postgres` when we are root
# (initdb and postgres refuse to run as root), else ourselves.
as_owner() {
  # From /, which every user may enter (postgres cannot enter the caller's directory).
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

ready() { "$BIN/pg_isready" -q -h "$HOST" -p "$PORT" -t 2; }

stop_server() {
  local dir=$1
  BIN=$(find_bin_dir)
  if [[ -z $BIN ]]; then log "no PostgreSQL installed; nothing to stop"; return 0; fi
  if [[ ! -f $dir/postmaster.pid ]]; then log "no server runs in $dir"; return 0; fi
  as_owner "$BIN/pg_ctl" -D "$dir" -m fast -w stop >&2
  rm -rf -- "$dir"
  log "stopped the server in $dir and removed it"
}

if [[ ${1:-} == stop ]]; then
  [[ -n ${2:-} ]] || { log "usage: $0 stop DATA_DIR"; exit 2; }
  stop_server "$2"
  exit 0
fi

BIN=$(find_bin_dir)
if [[ -z $BIN ]]; then
  install_postgres
  BIN=$(find_bin_dir)
  [[ -n $BIN ]] || { log "installing postgresql gave no /usr/lib/postgresql/*/bin/initdb"; exit 1; }
fi
log "using $BIN"

if ready; then
  log "a server already answers on $HOST:$PORT; using it"
else
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    log "creating the OS user postgres (initdb refuses to run as root)"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  DATA=$(mktemp -d "${TMPDIR:-/tmp}/vigil-postgres.XXXXXX")
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$DATA"; fi
  chmod 700 "$DATA"
  log "creating a cluster in $DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$DATA.initdb.log" 2>&1 || { cat "$DATA.initdb.log" >&2; exit 1; }
  rm -f "$DATA.initdb.log"
  # Durability settings are off: this cluster is thrown away after the tests.
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start -o \
    "-c listen_addresses=$HOST -p $PORT -c unix_socket_directories=$DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >&2 || { cat "$DATA/server.log" >&2; exit 1; }
  if [[ -n ${VIGIL_PG_STARTED_FILE:-} ]]; then printf '%s\n' "$DATA" >"$VIGIL_PG_STARTED_FILE"; fi
  log "started; stop it with: $0 stop $DATA"
fi

for _ in $(seq 1 60); do
  ready && break
  sleep 0.5
done
ready || { log "no server answers on $HOST:$PORT after 30 s"; exit 1; }

exists=$("$BIN/psql" -h "$HOST" -p "$PORT" -U postgres -d postgres -tAc \
  "select 1 from pg_database where datname = '$DB'")
if [[ $exists != 1 ]]; then
  "$BIN/createdb" -h "$HOST" -p "$PORT" -U postgres "$DB"
  log "created database $DB"
fi
printf '%s\n' "$URL"
