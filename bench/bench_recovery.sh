#!/usr/bin/env bash
# bench/bench_recovery.sh: restart to ready after a crash on a 1 GB SQLite
# database (issue 7: "restart to ready <= 1 s on a 1 GB SQLite database"),
# beside a reference measured in the same run.
#
#   bash bench/bench_recovery.sh BUILD_DIR [--smoke | SIZE_MB]
#
# 1. The database (cached in BUILD_DIR/bench-cache between runs, keyed by
#    this script's version, the SQLite migrations and the size): `compel
#    init`, then `compel import` of 20,000 people and 200,000 detainers
#    (audited, through the store), then filler documents (256 KiB random
#    contents, written by sqlite3 straight into `documents`, not audited)
#    until the file holds SIZE_MB (default 1024).
# 2. Five times (--smoke: twice): a writer (sqlite3, WAL, autocheckpoint
#    off) commits WAL_MB (default 64, --smoke 4) of rewritten document
#    pages, starts a second transaction that spills more pages into the WAL
#    and gets SIGKILL mid-write; the page cache of the database and its WAL
#    is dropped (posix_fadvise, so a cold start); then
#    - reference: `sqlite3 DB 'SELECT count(*) FROM schema_migrations'`,
#      exec to exit: SQLite's own WAL recovery, first read and the
#      checkpoint at close (what compel's start does, see below);
#    - the same with `.dbconfig no_ckpt_on_close on`: recovery alone, the
#      floor for any opener of the file;
#    - compel: `compel serve`, exec to the first GET /readyz answering 200
#      (polled every 2 ms).
#    Each on its own fresh crash of the same size.
# 3. Once: `PRAGMA quick_check` on the whole file, for scale: a check that
#    reads every page, which is what a start that verified the file would
#    cost.
# COMPEL_BENCH_WAL_MB sets the WAL's size (compel's own WAL rarely passes
# 4 MB, SQLite's autocheckpoint; one large transaction, an import, can
# leave more). Prints medians and maxima, the ratios, the goal's verdict.
# --smoke (ctest bench.recovery_smoke): a 20 MB database, 2 runs; the
# figures mean nothing there, it proves the harness works end to end.
# Everything it starts is stopped on exit; the cached database is kept.
set -euo pipefail

build=${1:?usage: bench_recovery.sh BUILD_DIR [--smoke | SIZE_MB]}
size_mb=${2:-1024}
runs=5
wal_mb=${COMPEL_BENCH_WAL_MB:-64}
people=20000
detainers=200000
if [ "$size_mb" = --smoke ]; then
    size_mb=20 runs=2 wal_mb=4 people=200 detainers=2000
fi
[[ $size_mb =~ ^[0-9]+$ ]] ||
    { echo "bench_recovery: SIZE_MB must be a number" >&2; exit 2; }
compel=$build/compel
[ -x "$compel" ] || { echo "bench_recovery: $compel is not built" >&2; exit 2; }
for tool in sqlite3 python3; do
    command -v "$tool" >/dev/null ||
        { echo "bench_recovery: $tool is missing" >&2; exit 2; }
done

# The cache key: bump VERSION when the generation changes; the migrations'
# names and contents change it too.
VERSION=1
here=$(cd "$(dirname "$0")" && pwd)
schema=$(cat "$here"/../src/store/sql/sqlite/*.sql | sha256sum | cut -c1-12)
cache=$build/bench-cache/recovery-v$VERSION-$schema-${size_mb}m
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() {
    local g=$cache.tmp t0=$SECONDS
    # An older version's or schema's database of this size is replaced.
    rm -rf "$g" "$build"/bench-cache/recovery-v*-"${size_mb}"m
    mkdir -p "$g"
    echo "generating a ${size_mb} MB database in $cache (cached for later runs)"
    "$compel" init --db "sqlite:$g/c.db" \
        --admin-email admin@bench.test --timezone America/Denver >/dev/null
    python3 - "$g" "$people" "$detainers" <<'PY'
import sys, time
d, people, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{d}/j.csv", "w") as f:
    f.write("name,state,timezone\nBench County,CO,America/Denver\n")
with open(f"{d}/f.csv", "w") as f:
    f.write("jurisdiction,jurisdiction_state,name\n")
    for i in range(10):
        f.write(f"Bench County,CO,Jail {i}\n")
with open(f"{d}/p.csv", "w") as f:
    f.write("external_ref,family_name,given_names,date_of_birth,a_number,"
            "aliases\n")
    for i in range(people):
        f.write(f"P-{i},Family{i},Given{i},1980-01-{1 + i % 28:02d},,\n")
bases = ["final_order", "pending_proceedings", "biometric_match",
         "statements"]
with open(f"{d}/d.csv", "w") as f:
    f.write("external_ref,person_ref,jurisdiction,jurisdiction_state,"
            "facility,basis,state,lodged_at\n")
    for i in range(rows):
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                           time.gmtime(1388534400 + i * 300))
        f.write(f"D-{i},P-{i % people},Bench County,CO,Jail {i % 10},"
                f"{bases[i % 4]},lodged,{ts}\n")
PY
    local db=(--db "sqlite:$g/c.db")
    "$compel" import "${db[@]}" jurisdictions "$g/j.csv" >/dev/null
    "$compel" import "${db[@]}" facilities "$g/f.csv" >/dev/null
    "$compel" import "${db[@]}" --office "Agency Field Office" \
        --as admin@bench.test people "$g/p.csv" >/dev/null
    "$compel" import "${db[@]}" --office "Agency Field Office" \
        --as admin@bench.test detainers "$g/d.csv" >/dev/null
    rm -f "$g"/*.csv
    # Filler documents up to the size: rollback journal for the bulk load
    # (appended pages need no journal), WAL again afterwards.
    local have fill
    have=$(stat -c %s "$g/c.db")
    fill=$(( (size_mb * 1048576 - have) / 266240 ))
    [ "$fill" -lt 1 ] && fill=1
    sqlite3 "$g/c.db" >/dev/null <<SQL
PRAGMA journal_mode = DELETE;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $fill)
INSERT INTO documents (id, created_at, updated_at, kind, filename,
    content_type, sha256, size, uploaded_by, content)
SELECT printf('fill%018d', i), 1767225600, 1767225600, 'attachment',
    printf('filler-%d.pdf', i), 'application/pdf', randomblob(32), 262144,
    (SELECT id FROM users ORDER BY id LIMIT 1), randomblob(262144)
FROM n;
COMMIT;
PRAGMA journal_mode = WAL;
SQL
    mv "$g" "$cache"
    echo "generated in $((SECONDS - t0)) s: $(du -m "$cache/c.db" | cut -f1) MB"
}

[ -f "$cache/c.db" ] || generate
cp "$cache/c.db" "$work/c.db"
cp "$cache/c.db.key" "$work/c.key"
chmod 600 "$work/c.key"

python3 - "$compel" "$work" "$runs" "$wal_mb" "$size_mb" <<'PY'
import http.client, os, signal, statistics, subprocess, sys, time

compel, work, runs, wal_mb, size_mb = sys.argv[1], sys.argv[2], \
    int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
db = f"{work}/c.db"
wal = db + "-wal"
fill = int(subprocess.run(["sqlite3", "-readonly", db,
    "SELECT count(*) FROM documents WHERE id LIKE 'fill%'"],
    check=True, capture_output=True, text=True).stdout)
per_crash = max(1, wal_mb * 4)  # 256 KiB rows: 4 to the MB
cursor = 0


def rows(n):
    """The next n filler ids (wrapping), as an SQL list."""
    global cursor
    ids = []
    for _ in range(n):
        ids.append(f"'fill{cursor % fill + 1:018d}'")
        cursor += 1
    return ",".join(ids)


def crash():
    """Commit wal_mb MB into the WAL, then die by SIGKILL mid-way through a
    second transaction whose pages spilled into the WAL. Returns the WAL's
    size."""
    p = subprocess.Popen(["sqlite3", db], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    p.stdin.write(
        "PRAGMA wal_autocheckpoint = 0;\nPRAGMA cache_size = 64;\n"
        "BEGIN;\nUPDATE documents SET content = randomblob(262144), "
        f"updated_at = updated_at + 1 WHERE id IN ({rows(per_crash)});\n"
        "COMMIT;\nBEGIN;\nUPDATE documents SET content = randomblob(262144) "
        f"WHERE id IN ({rows(max(1, per_crash // 8))});\n"
        "SELECT 'mid-write';\n")
    p.stdin.flush()
    said = []
    while True:  # the pragmas echo their values first
        line = p.stdout.readline()
        if not line:
            sys.exit(f"bench_recovery: the writer stopped: {said}")
        if line.strip() == "mid-write":
            break
        said.append(line.strip())
    p.send_signal(signal.SIGKILL)
    p.wait()
    return os.path.getsize(wal)


def cold():
    """Drop the page cache of the database and its WAL (no root needed)."""
    for path in (db, wal, db + "-shm"):
        if os.path.exists(path):
            fd = os.open(path, os.O_RDONLY)
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)


def reference(checkpoint=True):
    """sqlite3: open, recover, first read, close (checkpointing the WAL into
    the database, as the last connection to close does, unless told not
    to; the WAL is then checkpointed untimed, for the next crash)."""
    args = ["sqlite3", db]
    if not checkpoint:
        args[1:1] = ["-cmd", ".dbconfig no_ckpt_on_close on"]
    t0 = time.monotonic()
    r = subprocess.run(args + ["SELECT count(*) FROM schema_migrations"],
                       capture_output=True, text=True)
    t = time.monotonic() - t0
    if r.returncode != 0 or not r.stdout.strip().split()[-1].isdigit():
        sys.exit(f"bench_recovery: sqlite3 failed: {r.stderr}")
    if not checkpoint:
        subprocess.run(["sqlite3", db, "PRAGMA wal_checkpoint(TRUNCATE)"],
                       check=True, capture_output=True)
    return t


def ready():
    """exec compel serve; seconds until GET /readyz answers 200."""
    t0 = time.monotonic()
    p = subprocess.Popen([compel, "serve", "--db", f"sqlite:{db}",
                          "--key-file", f"{work}/c.key", "--listen",
                          "127.0.0.1:0", "--log-level", "warn"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        line = p.stdout.readline()
        if "serving on http://127.0.0.1:" not in line:
            p.wait(10)
            sys.exit(f"bench_recovery: compel serve did not start: "
                     f"{line}{p.stderr.read()}")
        port = int(line.rsplit(":", 1)[1])
        while True:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            finally:
                c.close()
            if time.monotonic() - t0 > 120:
                sys.exit("bench_recovery: /readyz not 200 within 120 s")
            time.sleep(0.002)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if p.returncode != 0:
            sys.exit(f"bench_recovery: compel serve exited {p.returncode}: "
                     f"{p.stderr.read()}")


ref, recov, ours, wals = [], [], [], []
for i in range(runs):
    wals.append(crash())
    cold()
    ref.append(reference())
    wals.append(crash())
    cold()
    recov.append(reference(checkpoint=False))
    wals.append(crash())
    cold()
    ours.append(ready())
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        left = os.path.getsize(wal)
    else:
        left = 0
    print(f"run {i + 1}/{runs}: WAL {wals[-1] / 1048576:.1f} MB, sqlite3 "
          f"{ref[-1] * 1000:.0f} ms ({recov[-1] * 1000:.0f} ms without the "
          f"checkpoint), compel serve to ready "
          f"{ours[-1] * 1000:.0f} ms (WAL left {left / 1048576:.1f} MB)",
          flush=True)
cold()
t0 = time.monotonic()
qc = subprocess.run(["sqlite3", "-readonly", db, "PRAGMA quick_check"],
                    capture_output=True, text=True).stdout.strip()
tq = time.monotonic() - t0
size = os.path.getsize(db)
med, mx = statistics.median(ours), max(ours)
rmed = statistics.median(ref)
print(f"database {size / 1048576:,.0f} MB, {runs} crashes each, WAL at the "
      f"crash {min(wals) / 1048576:.1f} to {max(wals) / 1048576:.1f} MB, "
      "page cache dropped before each start")
print(f"sqlite3 open + recovery + first read + close : median "
      f"{rmed * 1000:.0f} ms, max {max(ref) * 1000:.0f} ms")
print(f"  the same, no checkpoint at close           : median "
      f"{statistics.median(recov) * 1000:.0f} ms, max "
      f"{max(recov) * 1000:.0f} ms")
print(f"compel serve exec to /readyz 200            : median "
      f"{med * 1000:.0f} ms, max {mx * 1000:.0f} ms")
print(f"PRAGMA quick_check, whole file (scale only)  : {tq * 1000:.0f} ms "
      f"({qc})")
print(f"ratio compel / sqlite3 reference: {med / rmed:.2f} (median); "
      f"compel / quick_check: {med / tq:.3f}")
print(f"ratio to the 1 s goal: median {med:.2f}, max {mx:.2f}: "
      f"{'PASS' if mx <= 1.0 else 'FAIL'}"
      f"{' (smoke size: not the goal)' if size_mb < 1024 else ''}")
PY
