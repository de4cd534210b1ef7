-- bench/pg_get.lua: wrk script of bench/bench_pg.sh, the same load as
-- bench_service.sh's get.lua: an authenticated GET /api/v1/subpoenas/{id}
-- of a random responded subpoena (a durably audited read of personal
-- data). Environment: BENCH_IDS, a file of ids one a line; BENCH_COOKIE,
-- the session cookie (name=value).
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
function init(args) math.randomseed(os.time() * 100 + tid) end
function request()
  return wrk.format("GET", "/api/v1/subpoenas/" .. ids[math.random(#ids)])
end
