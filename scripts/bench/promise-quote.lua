-- wrk script: POST /api/v1/promises/quote, a different cart on every request (see scripts/bench-promise).
--
-- Environment: BENCH_API_KEY (required), BENCH_SKUS (catalog size, SKUs BENCH-001…), BENCH_POSTAL_CODE
-- (the destination's KR postal code, default 06236), BENCH_DELAY_MS (think time, see common.lua).
--
-- Each request asks for two distinct random SKUs with quantities 1–3, to a KR address, for two carrier
-- services (cj and kpost, standard). Quotes write nothing, so requests need no unique ids.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

setup = common.setup
response = common.response
done = common.done
delay = common.delay_function()

local key = common.require_env("BENCH_API_KEY")
local sku_count = tonumber(os.getenv("BENCH_SKUS") or "200")
local postal_code = os.getenv("BENCH_POSTAL_CODE") or "06236"
local headers = {}

function init(_)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
   local a = math.random(sku_count)
   local b = math.random(sku_count - 1)
   if b >= a then b = b + 1 end
   local body = string.format(
      '{"destination":{"country":"KR","postal_code":"%s"},'
         .. '"items":[{"sku":"BENCH-%03d","quantity":%d},{"sku":"BENCH-%03d","quantity":%d}],'
         .. '"options":[{"carrier":"cj"},{"carrier":"kpost"}]}',
      postal_code, a, math.random(3), b, math.random(3))
   headers["Authorization"] = "Bearer " .. key
   headers["Content-Type"] = "application/json"
   return wrk.format("POST", "/api/v1/promises/quote", headers, body)
end
