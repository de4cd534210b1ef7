-- bench/pg_post.lua: wrk script of bench/bench_pg.sh, the same load as
-- bench_service.sh's post.lua: POST /api/v1/subpoenas with two items, each
-- request with its own Idempotency-Key. Environment: BENCH_COOKIE,
-- BENCH_CSRF, BENCH_RECIPIENT (the recipient organization's id) and
-- BENCH_RUN (a tag that keeps the keys of two loads apart).
wrk.method = "POST"
wrk.body = '{"recipient_org_id":"' .. os.getenv("BENCH_RECIPIENT") ..
  '","purpose":"records of a released person","items":' ..
  '[{"category":"home_address"},{"category":"employer"}]}'
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("BENCH_CSRF")
wrk.headers["Content-Type"] = "application/json"
local run = os.getenv("BENCH_RUN")
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local count = 0
function request()
  count = count + 1
  wrk.headers["Idempotency-Key"] = "bench-" .. run .. "-" .. tid .. "-" .. count
  return wrk.format()
end
