-- wrk script: POST /api/v1/orders, every request a distinct valid order (see scripts/bench-orders).
--
-- Environment: BENCH_API_KEY (required), BENCH_RUN_TAG (distinguishes runs: [a-z0-9]), BENCH_SKUS
-- (catalog size, SKUs BENCH-001…), BENCH_PRICE (unit price of every SKU, KRW), BENCH_DELAY_MS (think
-- time, see common.lua).
--
-- Each request has its own customer e-mail (so the duplicate-order hold never fires), external_id and
-- Idempotency-Key, built from the run tag, the wrk thread and a counter; two distinct SKUs with
-- quantities 1–3 and the exact total (Σ price × quantity + shipping 3,000).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

setup = common.setup
response = common.response
done = common.done
delay = common.delay_function()

local key = common.require_env("BENCH_API_KEY")
local tag = os.getenv("BENCH_RUN_TAG") or tostring(os.time())
local sku_count = tonumber(os.getenv("BENCH_SKUS") or "200")
local price = tonumber(os.getenv("BENCH_PRICE") or "10000")
local shipping = 3000
local counter = 0
local headers = {}

function init(_)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
   counter = counter + 1
   local id = tag .. "-" .. (tid or 0) .. "-" .. counter
   local a = math.random(sku_count)
   local b = math.random(sku_count - 1)
   if b >= a then b = b + 1 end
   local qa, qb = math.random(3), math.random(3)
   local body = string.format(
      '{"external_id":"%s","source":"bench","currency":"KRW","locale":"ko",'
         .. '"customer":{"name":"김민준","email":"bench-%s@example.kr"},'
         .. '"shipping_address":{"name":"김민준","line1":"테헤란로 152","city":"서울특별시 강남구",'
         .. '"postal_code":"06236","country":"KR"},'
         .. '"line_items":[{"sku":"BENCH-%03d","quantity":%d},{"sku":"BENCH-%03d","quantity":%d}],'
         .. '"shipping_total":%d,"total":%d}',
      id, id, a, qa, b, qb, shipping, price * (qa + qb) + shipping)
   headers["Authorization"] = "Bearer " .. key
   headers["Content-Type"] = "application/json"
   headers["Idempotency-Key"] = "bench-" .. id
   return wrk.format("POST", "/api/v1/orders", headers, body)
end
