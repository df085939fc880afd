-- wrk script: GET /api/v1/orders/{number} for uniformly random numbers in [BENCH_MIN_NUMBER,
-- BENCH_MAX_NUMBER] (orders the create phase made; see scripts/bench-orders).
--
-- Environment: BENCH_API_KEY (required), BENCH_MIN_NUMBER (default 1001), BENCH_MAX_NUMBER (required),
-- BENCH_DELAY_MS (think time, see common.lua).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

setup = common.setup
response = common.response
done = common.done
delay = common.delay_function()

local key = common.require_env("BENCH_API_KEY")
local low = tonumber(os.getenv("BENCH_MIN_NUMBER") or "1001")
local high = tonumber(common.require_env("BENCH_MAX_NUMBER"))
local headers = {}

function init(_)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
   headers["Authorization"] = "Bearer " .. key
   headers["Accept"] = "application/json"
   return wrk.format("GET", "/api/v1/orders/" .. math.random(low, high), headers, nil)
end
