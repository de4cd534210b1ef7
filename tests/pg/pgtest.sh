#!/usr/bin/env bash
# tests/pg/pgtest.sh: a throwaway PostgreSQL 15 cluster for the tests.
#
#   pgtest.sh run CMD [ARG...]   start a cluster, run CMD with every
#                                argument "@URL@" replaced by the cluster's
#                                URL (also exported as COMPEL_PG_URL), then
#                                stop the cluster and remove it; exits with
#                                CMD's status
#   pgtest.sh start DIR          start a cluster in the new directory DIR
#                                and print its URL on standard output
#   pgtest.sh stop DIR           stop the cluster in DIR and remove DIR
#   pgtest.sh down DIR           stop the cluster's server, keeping its data
#   pgtest.sh up DIR             start it again (same port and options)
#
# `run` also exports COMPEL_PG_DIR, the cluster's directory, for down/up.
#
# The cluster: initdb into a temporary directory (C collation, UTF-8,
# data checksums), listening on 127.0.0.1 only, on a free port chosen at
# random, no Unix socket outside its directory, fsync on, password
# (SCRAM) authentication for a superuser "compel" with a random password,
# and a database "compel". PostgreSQL refuses to run as root: as root the
# cluster runs as the user "nobody" (COMPEL_PG_USER overrides), owning the
# temporary directory. The server binaries come from PG_BIN, else
# /usr/lib/postgresql/15/bin (Debian 12's postgresql-15, installed by
# scripts/deps; the Debian cluster service is not used). COMPEL_PG_OPTIONS
# adds server options after these ("-c name=value ..."; later ones win).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() {
    echo "pgtest: $*" >&2
    exit 1
}

# Run a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "${COMPEL_PG_USER:-nobody}" -- "$@"
    else
        "$@"
    fi
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# start DIR: make and start a cluster in DIR (which must not exist); the
# URL is written to DIR/url and printed.
start() {
    local dir=$1 pw port tries=0
    [ -x "$PG_BIN/initdb" ] ||
        die "no PostgreSQL 15 server binaries in $PG_BIN (run scripts/deps)"
    [ ! -e "$dir" ] || die "$dir exists already"
    mkdir -m 0700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown "${COMPEL_PG_USER:-nobody}" "$dir"
    fi
    pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    printf '%s\n' "$pw" >"$dir/pw"
    chmod 0600 "$dir/pw"
    if [ "$(id -u)" -eq 0 ]; then
        chown "${COMPEL_PG_USER:-nobody}" "$dir/pw"
    fi
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U compel --pwfile="$dir/pw" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C --data-checksums --no-sync \
        >"$dir/initdb.log" 2>&1 ||
        die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
    rm -f "$dir/pw"
    while :; do
        port=$(free_port)
        # Another process may take the port between free_port and the
        # server's bind: then try another one.
        printf '%s\n' "-c listen_addresses=127.0.0.1 -c port=$port \
-c unix_socket_directories=$dir -c fsync=on -c max_connections=100 \
${COMPEL_PG_OPTIONS:-}" >"$dir/options"
        if up "$dir"; then
            break
        fi
        tries=$((tries + 1))
        [ "$tries" -lt 5 ] ||
            die "the server did not start: $(tail -n 5 "$dir/server.log")"
    done
    printf 'postgresql://compel:%s@127.0.0.1:%s/compel\n' "$pw" "$port" \
        >"$dir/url"
    PGPASSWORD=$pw "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U compel \
        -d postgres -v ON_ERROR_STOP=1 -c 'CREATE DATABASE compel' \
        >/dev/null || die "cannot create the database compel"
    cat "$dir/url"
}

# up DIR: start the server of the cluster in DIR with its saved options
# (same port); down DIR: stop it (fast shutdown), keeping its data.
up() {
    as_owner "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
        -o "$(cat "$1/options")" start >/dev/null 2>&1
}
down() {
    as_owner "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w -t 60 stop \
        >/dev/null 2>&1
}

# stop DIR: stop the cluster in DIR (fast shutdown) and remove DIR.
stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop \
            >/dev/null 2>&1 || echo "pgtest: pg_ctl stop failed" >&2
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start)
    [ $# -eq 2 ] || die "usage: pgtest.sh start DIR"
    start "$2"
    ;;
stop)
    [ $# -eq 2 ] || die "usage: pgtest.sh stop DIR"
    stop "$2"
    ;;
run)
    shift
    [ $# -ge 1 ] || die "usage: pgtest.sh run CMD [ARG...]"
    base=$(mktemp -d "${TMPDIR:-/tmp}/compel-pg-XXXXXX")
    chmod 0755 "$base"
    trap 'stop "$base/cluster"; rmdir "$base" 2>/dev/null || true' EXIT
    trap 'exit 130' INT TERM
    url=$(start "$base/cluster")
    export COMPEL_PG_URL=$url COMPEL_PG_DIR=$base/cluster
    args=()
    for a in "$@"; do
        args+=("${a//@URL@/$url}")
    done
    status=0
    "${args[@]}" || status=$?
    exit "$status"
    ;;
up | down)
    [ $# -eq 2 ] || die "usage: pgtest.sh $1 DIR"
    [ -f "$2/options" ] || die "$2 is not a cluster of pgtest.sh"
    "$1" "$2" || die "pg_ctl $1 failed: $(tail -n 5 "$2/server.log")"
    ;;
*)
    die "usage: pgtest.sh run CMD [ARG...] | start DIR | stop DIR | up DIR | down DIR"
    ;;
esac
