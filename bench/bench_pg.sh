#!/usr/bin/env bash
# bench/bench_pg.sh: compel on PostgreSQL under load, one server and three
# behind nginx, beside pgbench in the same run (bench/README.md gives the
# figures and how to read them).
#
#   bench/bench_pg.sh [--smoke] [BUILD_DIR]      (default build/release)
#
# On a throwaway PostgreSQL 15 cluster (tests/pg/pgtest.sh, with
# pg_stat_statements preloaded), 64 connections, the same duration each:
# 1. the references: pgbench with 64 clients running a primary-key SELECT
#    (bench/pg_select.sql) and a single-row durable INSERT (pg_insert.sql)
#    on a subpoena-shaped table (pg_schema.sql) of as many rows;
# 2. compel with ONE server: wrk doing the audited GET of a random
#    responded subpoena (pg_get.lua) and the POST create with two items
#    (pg_post.lua), the loads of bench/bench_service.sh;
# 3. the same loads through nginx to that one server, then to THREE
#    servers (round robin, upstream keep-alive) on the same database.
# For every load: requests/s, p99, and the CPU time per request of the
# client, nginx, the compel servers and PostgreSQL. Then the ratios
# compel/pgbench and three/one, the statements that took PostgreSQL's
# time during the compel loads (pg_stat_statements), what the busy
# backends waited on and, when perf is installed, a profile of one server
# (separate short loads, not in the rates), and a few lines reading them.
#
# COMPEL_BENCH_SECONDS sets each load's duration (default 10),
# COMPEL_BENCH_PG_SUBPOENAS the subpoenas generated (default 20,000: the
# generator writes them through the store at a few hundred a second).
# --smoke: 300 subpoenas, 1-second loads; checks that every part works
# (ctest bench.pg_smoke). Exits non-zero when a request failed, a read was
# not audited or a create not stored. Everything it starts and every file
# it makes are removed on exit, failure included.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
smoke=0
build=build/release
while [ $# -gt 0 ]; do
    case $1 in
    --smoke) smoke=1 ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    -*) echo "bench_pg: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
compel=$build/compel
bench_store=$build/bench/bench_store

if [ "$smoke" = 1 ]; then
    n_subpoenas=300 seconds=1 prof_seconds=1
else
    n_subpoenas=20000 seconds=10 prof_seconds=5
fi
n_subpoenas=${COMPEL_BENCH_PG_SUBPOENAS:-$n_subpoenas}
seconds=${COMPEL_BENCH_SECONDS:-$seconds}
conns=64
threads=2 # client threads (wrk -t, pgbench -j): one per core

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
pgbench=$PG_BIN/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench || true)
psql=$PG_BIN/psql
[ -x "$psql" ] || psql=$(command -v psql || true)
nginx=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
for tool in "$compel" "$bench_store"; do
    [ -x "$tool" ] || { echo "bench_pg: $tool is not built" >&2; exit 2; }
done
for tool in wrk curl "$pgbench" "$psql" "$nginx"; do
    [ -n "$tool" ] && command -v "$tool" >/dev/null ||
        { echo "bench_pg: wrk, curl, pgbench, psql or nginx is missing" \
            "(scripts/deps, scripts/deps-bench)" >&2; exit 2; }
done
perf=$(command -v perf || true)

tmp=$(mktemp -d /tmp/compel-bench-pg-XXXXXX)
chmod 0755 "$tmp" # the cluster runs as nobody when we are root
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    bash "$here/../tests/pg/pgtest.sh" stop "$tmp/pg" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench_pg: $(date +%T) $*" >&2; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---- CPU accounting --------------------------------------------------------
# Clock ticks (user + system) of a process and its children: its own, its
# reaped children's and its live children's (postgres and nginx fork their
# workers; a compel server is one process).
clk=$(getconf CLK_TCK)
tree_ticks() {
    # (a process may end between the glob and cat: not an error here)
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
        { pid = $1; sub(/^.*\) /, "")   # fields from the state on
          if (pid == root) t += $12 + $13 + $14 + $15
          else if ($2 == root) t += $12 + $13 }
        END { print t + 0 }'
}
# cpu_snap FILE: the ticks of every group so far, on one line: client
# (the finished children of this shell: wrk, pgbench), nginx, the compel
# servers, PostgreSQL. Not in a subshell: `times` must see this shell.
cpu_snap() {
    local c=0 n=0 p
    times >"$tmp/times"
    for p in "${servers[@]}"; do c=$((c + $(tree_ticks "$p"))); done
    if [ -n "$nginx_pid" ]; then n=$(tree_ticks "$nginx_pid"); fi
    awk -v clk="$clk" -v rest="$n $c $(tree_ticks "$pg_pid")" 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%.0f %s\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * clk, rest
        }' "$tmp/times" >"$1"
}
# cpu_per_req NAME REQUESTS: ms of CPU per request of each group between
# $tmp/NAME.before and $tmp/NAME.after, into $tmp/NAME.cpu.
cpu_per_req() {
    paste -d ' ' "$tmp/$1.before" "$tmp/$1.after" | awk -v n="$2" -v clk="$clk" '{
        for (i = 1; i <= 4; i++)
            printf "%.3f%s", ($(i + 4) - $i) * 1000 / clk / (n > 0 ? n : 1), i < 4 ? " " : "\n"
        }' >"$tmp/$1.cpu"
}

# ---- the cluster -----------------------------------------------------------
log "starting a PostgreSQL 15 cluster"
url=$(COMPEL_PG_OPTIONS="-c max_connections=400 \
-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=1000 \
${COMPEL_PG_OPTIONS:-}" bash "$here/../tests/pg/pgtest.sh" start "$tmp/pg")
pg_pid=$(head -n 1 "$tmp/pg/data/postmaster.pid")
refdb=${url%/compel}/pgbench_ref
q() { "$psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q "$url" -c 'CREATE DATABASE pgbench_ref'
q "$refdb" -c 'CREATE EXTENSION pg_stat_statements'

# ---- 1. pgbench ------------------------------------------------------------
log "pgbench table: $n_subpoenas rows"
q "$refdb" -v rows="$n_subpoenas" -f "$here/pg_schema.sql" -c 'CHECKPOINT'
# run_pgbench NAME SCRIPT: 64 clients, one prepared statement each
# transaction, a log of every transaction's latency for the p99. The clients
# first connect (SCRAM and a backend each: seconds on a busy machine, where
# compel's servers keep their connections), so pgbench runs longer than the
# load by the connection time of a first probe run; its rate counts from
# the moment all are connected.
run_pgbench() {
    cpu_snap "$tmp/$1.before"
    (cd "$tmp" && "$pgbench" -n -c "$conns" -j "$threads" -T "$((seconds + connect_s))" \
        -M prepared -D rows="$n_subpoenas" -f "$2" --log --log-prefix="$1.log" \
        "$refdb" >"$1.out" 2>"$1.err") ||
        { log "pgbench $1 failed: $(tail -n 3 "$tmp/$1.err")"; exit 1; }
    cpu_snap "$tmp/$1.after"
    awk '/^tps = / {printf "%.0f", $3}' "$tmp/$1.out" >"$tmp/$1.rps"
    cat "$tmp/$1".log.* | awk '{print $3}' | sort -n |
        awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1
            printf "%.2f", v[i] / 1000}' >"$tmp/$1.p99"
    awk '/number of failed transactions:/ {print $5; f = 1}
        END {if (!f) print 0}' "$tmp/$1.out" >"$tmp/$1.bad"
    awk '/number of transactions actually processed:/ {print $6}' \
        "$tmp/$1.out" >"$tmp/$1.total"
    [ "$(cat "$tmp/$1.total")" -gt 0 ] ||
        { log "pgbench $1 ran no transaction: $(cat "$tmp/$1.out")"; exit 1; }
    cpu_per_req "$1" "$(cat "$tmp/$1.total")"
}
servers=()
nginx_pid=
"$pgbench" -n -c "$conns" -j "$threads" -t 1 -M prepared -D rows="$n_subpoenas" \
    -f "$here/pg_select.sql" "$refdb" >"$tmp/probe.out" 2>&1 ||
    { log "pgbench failed: $(tail -n 3 "$tmp/probe.out")"; exit 1; }
connect_s=$(awk '/^initial connection time/ {printf "%d", $5 / 1000 + 2}' "$tmp/probe.out")
log "pgbench clients connect in $(awk '/^initial connection time/ {print $5}' \
    "$tmp/probe.out") ms: pgbench runs ${connect_s}s longer"
log "pgbench primary-key SELECT, ${seconds}s"
run_pgbench pgb_select "$here/pg_select.sql"
log "pgbench single-row INSERT, ${seconds}s"
run_pgbench pgb_insert "$here/pg_insert.sql"

# ---- the database and three servers ---------------------------------------
password='correct horse battery staple'
printf '%s\n' "$password" >"$tmp/pw"
"$compel" init --db "$url" --key-file "$tmp/compel.key" \
    --admin-email admin@agency.test --admin-password-file "$tmp/pw" \
    --timezone America/Denver >/dev/null
log "generating $n_subpoenas subpoenas through the store"
t0=$(date +%s)
recipient=$("$bench_store" --generate "$url" "$tmp/compel.key" "$tmp/pw" \
    "$n_subpoenas" "$tmp/ids" 2>/dev/null | awk '$1 == "recipient_org_id" {print $2}')
gen_s=$(($(date +%s) - t0))
[ -n "$recipient" ] && [ -s "$tmp/ids" ] || { log "the generator failed"; exit 1; }
# No checkpoint or autovacuum of the generated rows in the loads.
q "$url" -c 'VACUUM ANALYZE' -c 'CHECKPOINT'

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ports=()
for i in 0 1 2; do
    port=$(free_port)
    "$compel" serve --db "$url" --key-file "$tmp/compel.key" \
        --listen "127.0.0.1:$port" --log-level warn --trusted-proxy 127.0.0.1 \
        --max-connections 2048 --max-connections-per-ip 2048 \
        >"$tmp/serve$i.out" 2>"$tmp/serve$i.err" &
    servers+=($!)
    pids+=($!)
    ports+=("$port")
done
for i in 0 1 2; do
    for _ in $(seq 100); do
        grep -q 'serving on' "$tmp/serve$i.out" 2>/dev/null && break
        kill -0 "${servers[$i]}" 2>/dev/null || break
        sleep 0.1
    done
    grep -q 'serving on' "$tmp/serve$i.out" ||
        { log "server $i did not start: $(cat "$tmp/serve$i.err")"; exit 1; }
done

# nginx: port lb1 to the first server alone, port lb3 to all three (round
# robin), keep-alive connections to the servers, the client address passed
# on (each server trusts it from 127.0.0.1 only), as tests/cluster/lb.mjs.
# nginx must drop an idle upstream connection before compel does (its
# --connection-timeout, 30 s): with nginx's default of 60 s, a POST sent
# on a connection the server is closing just then fails with a 502
# ("upstream prematurely closed connection"), seen here once a run.
lb1=$(free_port)
lb3=$(free_port)
mkdir -p "$tmp/nginx/logs"
{
    echo "daemon off;"
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    cat <<EOF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    keepalive_requests 1000000;
    upstream one {
        server 127.0.0.1:${ports[0]};
        keepalive 128;
        keepalive_requests 1000000;
        keepalive_timeout 10s;
    }
    upstream three {
        server 127.0.0.1:${ports[0]};
        server 127.0.0.1:${ports[1]};
        server 127.0.0.1:${ports[2]};
        keepalive 128;
        keepalive_requests 1000000;
        keepalive_timeout 10s;
    }
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$remote_addr;
    proxy_next_upstream error;
    proxy_connect_timeout 2s;
    proxy_read_timeout 30s;
    server {
        listen 127.0.0.1:$lb1;
        location / { proxy_pass http://one; }
    }
    server {
        listen 127.0.0.1:$lb3;
        location / { proxy_pass http://three; }
    }
}
EOF
} >"$tmp/nginx/nginx.conf"
"$nginx" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/logs/stderr" &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$lb3/healthz" && break
    sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$lb3/healthz" ||
    { log "nginx did not start: $(cat "$tmp/nginx/logs/stderr")"; exit 1; }

direct="http://127.0.0.1:${ports[0]}"
curl -sf -D "$tmp/login.h" -o "$tmp/login.json" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-officer@agency.test\",\"password\":\"$password\"}" \
    "$direct/api/v1/session"
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(compel_session=[^;]*\).*/\1/p' "$tmp/login.h")
csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' "$tmp/login.json")
[ -n "$cookie" ] && [ -n "$csrf" ] || { log "login failed"; exit 1; }
# The session is in the database: every server and the balancer know it.
one_id=$(head -n 1 "$tmp/ids")
for b in "$direct" "http://127.0.0.1:${ports[2]}" "http://127.0.0.1:$lb3"; do
    curl -sf -H "Cookie: $cookie" -o /dev/null "$b/api/v1/subpoenas/$one_id" ||
        { log "GET through $b failed"; exit 1; }
done
export BENCH_IDS=$tmp/ids BENCH_COOKIE=$cookie BENCH_CSRF=$csrf \
    BENCH_RECIPIENT=$recipient

# ---- 2, 3. compel ----------------------------------------------------------
# run_wrk NAME URL LUA [SECONDS]: a bounded load, its output in
# $tmp/NAME.wrk and its CPU per request in $tmp/NAME.cpu.
run_wrk() {
    cpu_snap "$tmp/$1.before"
    BENCH_RUN="$1-$$" wrk -t"$threads" -c"$conns" -d"${4:-$seconds}s" \
        --timeout 10s --latency -s "$3" "$2" >"$tmp/$1.wrk"
    cpu_snap "$tmp/$1.after"
    cpu_per_req "$1" "$(wrk_total "$1")"
    wrk_rps "$1" >"$tmp/$1.rps"
    wrk_p99 "$1" >"$tmp/$1.p99"
    wrk_bad "$1" >"$tmp/$1.bad"
    if [ "$(cat "$tmp/$1.bad")" != 0 ]; then # say why, from both sides
        log "$1: $(grep -E 'Non-2xx|Socket errors' "$tmp/$1.wrk" | tr -s ' ' | tr '\n' ' ')"
        tail -n 3 "$tmp"/serve*.err "$tmp/nginx/logs/error.log" 2>/dev/null | sed 's/^/    /' >&2
    fi
}
wrk_rps() { awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$tmp/$1.wrk"; }
wrk_p99() {
    awk '$1 == "99%" {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
        else if (u == "m") v *= 60000;
        printf "%.2f", v }' "$tmp/$1.wrk"
}
wrk_bad() {
    awk '/Non-2xx or 3xx responses:/ {n = $5} /Socket errors:/ {
        for (i = 3; i <= NF; i += 2) n += $(i + 1) }
        END {print n + 0}' "$tmp/$1.wrk"
}
wrk_total() { awk '/requests in/ {print $1}' "$tmp/$1.wrk"; }

audit_reads() {
    q "$url" -c "SELECT count(*) FROM audit WHERE action = 'subpoena.response.read'"
}
count_subpoenas() { q "$url" -c 'SELECT count(*) FROM subpoenas'; }
# top_statements NAME REQUESTS: the compel database's statements by total
# execution time since the last reset, into $tmp/NAME.stmts.
stmts_reset() { q "$refdb" -c 'SELECT pg_stat_statements_reset()' >/dev/null; }
top_statements() {
    q "$refdb" -F "$(printf '\t')" -c "
        WITH s AS (SELECT calls, total_exec_time AS t,
                          regexp_replace(query, '\s+', ' ', 'g') AS query
                   FROM pg_stat_statements
                   WHERE dbid = (SELECT oid FROM pg_database
                                 WHERE datname = 'compel')
                     AND query NOT LIKE 'SELECT count(*) FROM %')
        SELECT round(t::numeric / 1000, 2),
               round((100 * t / nullif(sum(t) OVER (), 0))::numeric, 1),
               round(calls::numeric / $2, 2),
               round((t / calls)::numeric, 3), left(query, 72)
        FROM s ORDER BY t DESC LIMIT 10" >"$tmp/$1.stmts"
    # Transactions: COMMIT statements per request (the commit itself, and
    # its WAL flush, run after the statement: not in its time).
    q "$refdb" -c "SELECT coalesce(round(sum(calls)::numeric / $2, 2), 0)
        FROM pg_stat_statements WHERE query = 'COMMIT' AND dbid =
            (SELECT oid FROM pg_database WHERE datname = 'compel')" >"$tmp/$1.commits"
}

# Warm-up, in no figure: each server opens its PostgreSQL connections (one
# per worker thread that serves a request, a pool for writes) on first use.
log "warm-up: GET on the first server, then on all three"
run_wrk warm1 "$direct" "$here/pg_get.lua" "$prof_seconds"
run_wrk warm3 "http://127.0.0.1:$lb3" "$here/pg_get.lua" "$prof_seconds"

reads_before=$(audit_reads)
stmts_reset
log "compel GET, one server, ${seconds}s"
run_wrk get1 "$direct" "$here/pg_get.lua"
log "compel GET, one server behind nginx, ${seconds}s"
run_wrk get1lb "http://127.0.0.1:$lb1" "$here/pg_get.lua"
log "compel GET, three servers behind nginx, ${seconds}s"
run_wrk get3 "http://127.0.0.1:$lb3" "$here/pg_get.lua"
gets=$(($(wrk_total get1) + $(wrk_total get1lb) + $(wrk_total get3)))
# Requests still in flight when wrk stops are answered and audited too: the
# records count the GETs served.
reads_audited=$(($(audit_reads) - reads_before))
top_statements reads "$reads_audited"

rows_before=$(count_subpoenas)
stmts_reset
log "compel POST, one server, ${seconds}s"
run_wrk post1 "$direct/api/v1/subpoenas" "$here/pg_post.lua"
log "compel POST, one server behind nginx, ${seconds}s"
run_wrk post1lb "http://127.0.0.1:$lb1/api/v1/subpoenas" "$here/pg_post.lua"
log "compel POST, three servers behind nginx, ${seconds}s"
run_wrk post3 "http://127.0.0.1:$lb3/api/v1/subpoenas" "$here/pg_post.lua"
posts=$(($(wrk_total post1) + $(wrk_total post1lb) + $(wrk_total post3)))
rows_created=$(($(count_subpoenas) - rows_before))
top_statements creates "$rows_created"

# ---- profile (short loads, not in the rates) ------------------------------
# What the active backends of the compel database wait on, sampled every
# 0.1 s during a load, and perf on the first server when perf exists.
profile() { # NAME URL LUA
    local sampler ppid=
    printf '%s\n' "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU')
        FROM pg_stat_activity WHERE datname = 'compel' AND state = 'active'
        AND pid <> pg_backend_pid() \\watch 0.1" |
        "$psql" -X -q -At "$refdb" >"$tmp/$1.waits" 2>/dev/null &
    sampler=$!
    pids+=("$sampler")
    if [ -n "$perf" ]; then
        "$perf" record -F 499 -o "$tmp/$1.perf" -p "${servers[0]}" \
            >/dev/null 2>&1 &
        ppid=$!
        pids+=("$ppid")
    fi
    run_wrk "$1" "$2" "$3" "$prof_seconds"
    [ -n "$ppid" ] && { kill -INT "$ppid" 2>/dev/null || true; wait "$ppid" || true; }
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
}
log "profile: GET and POST on one server, ${prof_seconds}s each"
profile prof_get "$direct" "$here/pg_get.lua"
profile prof_post "$direct/api/v1/subpoenas" "$here/pg_post.lua"
# waits NAME: the share of samples of each wait, most frequent first.
waits() {
    grep -v '^$' "$tmp/$1.waits" | sort | uniq -c | sort -rn |
        awk '{n[NR] = $1; w[NR] = $2; t += $1}
        END {for (i = 1; i <= NR && i <= 6; i++)
            printf "%s %.0f%%%s", w[i], 100 * n[i] / t, (i < NR && i < 6) ? ", " : ""
            if (!t) printf "no sample"; print ""}'
}
# perf_top NAME: the shared objects taking most samples, then the
# user-space functions (the kernel's own, under a hypervisor, are mostly
# its interrupt and clock paravirtualization).
perf_top() {
    [ -s "$tmp/$1.perf" ] || { echo "    (no samples)"; return; }
    "$perf" report -i "$tmp/$1.perf" --stdio --sort dso 2>/dev/null |
        awk '/^ *[0-9.]+%/ && ++n <= 7 {printf "%s %s", sep, $2 " " $1; sep = ","}
            END {print ""}' | fold -s -w 76 | sed 's/^/    /'
    "$perf" report -i "$tmp/$1.perf" --stdio --sort dso,sym 2>/dev/null |
        awk '/^ *[0-9.]+%/ && $3 == "[.]" && ++n <= 8 {
            printf "    %7s  %-22s %s\n", $1, $2, $4}'
}

# ---- the table -------------------------------------------------------------
ratio() {
    [ -n "$1" ] && [ -n "$2" ] && [ "$1" != - ] && [ "$2" != 0 ] &&
        echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./' || echo "-"
}
r() { cat "$tmp/$1.$2"; }
row() { # LABEL NAME
    printf '%-40s %8s %8s %6s %7s %7s %7s %7s\n' "$1" "$(r "$2" rps)" \
        "$(r "$2" p99)" "$(r "$2" bad)" $(r "$2" cpu)
}
echo
echo "bench_pg: PostgreSQL 15, $n_subpoenas subpoenas (generated in ${gen_s}s)," \
    "$conns connections, ${seconds}s loads, $(nproc) cores," \
    "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %8s %8s %6s %31s\n' "" "" "" "" "CPU ms per request"
printf '%-40s %8s %8s %6s %7s %7s %7s %7s\n' "load" "req/s" "p99 ms" "errors" \
    "client" "nginx" "compel" "pg"
row "pgbench primary-key SELECT" pgb_select
row "compel GET subpoena, one server" get1
row "compel GET, one server behind nginx" get1lb
row "compel GET, three servers behind nginx" get3
row "pgbench single-row INSERT" pgb_insert
row "compel POST subpoena, one server" post1
row "compel POST, one server behind nginx" post1lb
row "compel POST, three servers behind nginx" post3
echo
printf '%-52s %8s\n' "reads: compel GET / pgbench SELECT (one server)" \
    "$(ratio "$(r get1 rps)" "$(r pgb_select rps)")"
printf '%-52s %8s\n' "reads: compel GET / pgbench SELECT (three servers)" \
    "$(ratio "$(r get3 rps)" "$(r pgb_select rps)")"
printf '%-52s %8s\n' "creates: compel POST / pgbench INSERT (one server)" \
    "$(ratio "$(r post1 rps)" "$(r pgb_insert rps)")"
printf '%-52s %8s\n' "creates: compel POST / pgbench INSERT (three servers)" \
    "$(ratio "$(r post3 rps)" "$(r pgb_insert rps)")"
printf '%-52s %8s\n' "reads: three servers / one server" \
    "$(ratio "$(r get3 rps)" "$(r get1 rps)")"
printf '%-52s %8s\n' "creates: three servers / one server" \
    "$(ratio "$(r post3 rps)" "$(r post1 rps)")"
printf '%-52s %8s\n' "reads: three servers / one server, both behind nginx" \
    "$(ratio "$(r get3 rps)" "$(r get1lb rps)")"
printf '%-52s %8s\n' "creates: three servers / one server, both behind nginx" \
    "$(ratio "$(r post3 rps)" "$(r post1lb rps)")"
printf '%-52s %8s\n' "GETs answered / audit records appended" "$gets / $reads_audited"
printf '%-52s %8s\n' "POSTs answered / subpoenas stored" "$posts / $rows_created"

stmt_table() { # NAME TITLE
    echo
    echo "pg_stat_statements, $2: total s, % of the time, calls per request, mean ms, statement"
    awk -F '\t' '{printf "  %7s %5s%% %6s %8s  %s\n", $1, $2, $3, $4, $5}' "$tmp/$1.stmts"
    echo "  transactions (COMMIT statements) a request: $(cat "$tmp/$1.commits");" \
        "their WAL flushes are in no statement's time (see the waits below)"
}
stmt_table reads "the three GET loads"
stmt_table creates "the three POST loads"
echo
echo "active backends of the compel database, sampled every 0.1 s (one server):"
echo "  GET:  $(waits prof_get)"
echo "  POST: $(waits prof_post)"
echo
if [ -n "$perf" ]; then
    echo "perf, the first server during a ${prof_seconds}s GET load" \
        "($(r prof_get rps) req/s): shared objects, then functions"
    perf_top prof_get
    echo "perf, the first server during a ${prof_seconds}s POST load" \
        "($(r prof_post rps) req/s)"
    perf_top prof_post
else
    echo "perf is not installed: no profile of the server (the CPU columns" \
        "above and pg_stat_statements still say where the time goes)"
fi

# ---- reading it ------------------------------------------------------------
# cpu_sum NAME: CPU ms per request of all four groups together.
cpu_sum() { awk '{printf "%.2f", $1 + $2 + $3 + $4}' "$tmp/$1.cpu"; }
col() { awk -v i="$2" '{print $i}' "$tmp/$1.cpu"; }
cores_busy() { # NAME: the cores the load kept busy (CPU per request x rate)
    awk -v rps="$(r "$1" rps)" '{printf "%.2f", ($1 + $2 + $3 + $4) * rps / 1000}' \
        "$tmp/$1.cpu"
}
# stmt NAME PATTERN FIELD: a field of the first statement matching PATTERN
# (2: % of the time, 4: mean ms), "0" when none does.
stmt() {
    awk -F '\t' -v pat="$2" -v f="$3" 'index($5, pat) {print $f; found = 1; exit}
        END {if (!found) print 0}' "$tmp/$1.stmts"
}
echo
echo "reading it ($(nproc) cores shared by wrk, nginx, the servers and PostgreSQL):"
echo "- reads: an audited GET is a write. Its server's writer takes the audit" \
    "chain's lock (pg_advisory_xact_lock), reads the head, inserts the record"
echo "  and commits before the answer, holding the lock across the commit's WAL" \
    "flush: the writers queue there ($(stmt reads pg_advisory_xact_lock 2)% of" \
    "PostgreSQL's statement time)."
echo "  A GET costs $(cpu_sum get1) ms of CPU in all ($(col get1 3) compel," \
    "$(col get1 4) PostgreSQL), pgbench's SELECT $(cpu_sum pgb_select) ms; the" \
    "loads kept $(cores_busy get1) and $(cores_busy pgb_select) cores busy."
echo "- creates: every POST bumps the year's case counter row (INSERT ... ON" \
    "CONFLICT DO UPDATE), locked until its commit, so creates run one after"
echo "  another with a WAL flush each: $(stmt creates case_counters 2)% of the" \
    "statement time waits on that row ($(stmt creates case_counters 4) ms a" \
    "create). pgbench's inserts are independent and share flushes."
echo "  A POST costs $(cpu_sum post1) ms of CPU, pgbench's INSERT" \
    "$(cpu_sum pgb_insert) ms; the loads kept $(cores_busy post1) and" \
    "$(cores_busy pgb_insert) cores busy."
echo "- three servers add processes, not cores, and queue on the same lock and" \
    "row: behind nginx they reach $(ratio "$(r get3 rps)" "$(r get1lb rps)")x"
echo "  (reads) and $(ratio "$(r post3 rps)" "$(r post1lb rps)")x (creates) of" \
    "one server, while nginx costs $(col get3 2) ms of CPU a request. More" \
    "servers (or cores) pay off only where"
echo "  the time is the servers' own CPU ($(col get1 3) ms a GET); the waits" \
    "above are in PostgreSQL and move with the commit latency, not the servers."

# The run is valid only if every request was answered as it should be.
status=0
for n in pgb_select pgb_insert get1 get1lb get3 post1 post1lb post3; do
    if [ "$(r "$n" bad)" != 0 ] || [ -z "$(r "$n" rps)" ] || [ "$(r "$n" rps)" = 0 ]; then
        log "the load $n failed or had errors"
        status=1
    fi
done
if [ "$reads_audited" -lt "$gets" ]; then
    log "fewer audit records ($reads_audited) than GETs ($gets)"
    status=1
fi
if [ "$rows_created" -lt "$posts" ]; then
    log "fewer subpoenas stored ($rows_created) than POSTs ($posts)"
    status=1
fi
exit $status
