-- wrk script: POST /api/v1/orders, every request a distinct valid order (see scripts/bench-orders).
--
-- Environment: BENCH_API_KEY (required), BENCH_RUN_TAG (distinguishes runs: [a-z0-9]), BENCH_SKUS
-- (catalog size, SKUs BENCH-001…), BENCH_PRICE (unit price of every SKU, KRW), BENCH_DELAY_MS (think
-- time, see common.lua); BENCH_SKU_LIST (comma-separated SKUs to buy instead of BENCH-001…: with one
-- SKU every order has that single line, e.g. the hot-SKU phase of scripts/bench-inventory; with several,
-- two distinct of them), BENCH_QUANTITY (every line's quantity instead of a random 1–3).
--
-- Each request has its own customer e-mail (so the duplicate-order hold never fires), external_id and
-- Idempotency-Key, built from the run tag, the wrk thread and a counter; two distinct SKUs with
-- quantities 1–3 (or as BENCH_SKU_LIST / BENCH_QUANTITY say) and the exact total (Σ price × quantity +
-- shipping 3,000).
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
local fixed_quantity = tonumber(os.getenv("BENCH_QUANTITY") or "")
local sku_list = {}
for sku in string.gmatch(os.getenv("BENCH_SKU_LIST") or "", "[^,%s]+") do sku_list[#sku_list + 1] = sku end
local counter = 0
local headers = {}

function init(_)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

local function quantity()
   return fixed_quantity or math.random(3)
end

local function line(sku, q)
   return string.format('{"sku":"%s","quantity":%d}', sku, q)
end

-- The order's line items (JSON) and the number of units in them.
local function lines()
   if #sku_list == 1 then
      local q = quantity()
      return line(sku_list[1], q), q
   end
   local count = #sku_list > 1 and #sku_list or sku_count
   local a = math.random(count)
   local b = math.random(count - 1)
   if b >= a then b = b + 1 end
   local qa, qb = quantity(), quantity()
   if #sku_list > 1 then
      return line(sku_list[a], qa) .. "," .. line(sku_list[b], qb), qa + qb
   end
   return line(string.format("BENCH-%03d", a), qa) .. "," .. line(string.format("BENCH-%03d", b), qb), qa + qb
end

function request()
   counter = counter + 1
   local id = tag .. "-" .. (tid or 0) .. "-" .. counter
   local items, units = lines()
   local body = string.format(
      '{"external_id":"%s","source":"bench","currency":"KRW","locale":"ko",'
         .. '"customer":{"name":"김민준","email":"bench-%s@example.kr"},'
         .. '"shipping_address":{"name":"김민준","line1":"테헤란로 152","city":"서울특별시 강남구",'
         .. '"postal_code":"06236","country":"KR"},'
         .. '"line_items":[%s],'
         .. '"shipping_total":%d,"total":%d}',
      id, id, items, shipping, price * units + shipping)
   headers["Authorization"] = "Bearer " .. key
   headers["Content-Type"] = "application/json"
   headers["Idempotency-Key"] = "bench-" .. id
   return wrk.format("POST", "/api/v1/orders", headers, body)
end
