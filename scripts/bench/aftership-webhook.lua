-- wrk script: POST /webhooks/{shop}/aftership, every request a distinct AfterShip tracking_update with its
-- own event_id, a tracking number among the benchmark's shipments and one new scan (see scripts/bench-tracking).
--
-- Environment: BENCH_TEMPLATE (required: the body, with the placeholders __WB_EVENT__, __WB_TN__ and
-- __WB_TIME__), BENCH_REQUESTS (required: "event_id tracking_number scan_time signature" a line, made by
-- scripts/bench/tracking.py requests; the signature is base64 HMAC-SHA256 of the exact body, which wrk's
-- Lua cannot compute), BENCH_THREADS (wrk's -t: line i goes to thread i mod BENCH_THREADS + 1), BENCH_PATH
-- (default /webhooks/bench/aftership), BENCH_DELAY_MS (think time, see common.lua).
--
-- Besides common.lua's BENCH_RESULT line, done() prints
--   BENCH_TRACKING issued=<per-thread counts, comma-separated> received=… duplicate=… exhausted=…
-- issued: how many of its lines each thread sent (the event ids sent are exactly those lines); received /
-- duplicate: 2xx answers saying so; exhausted: requests made after a thread ran out of lines (a line is
-- then sent again, a duplicate: the run was longer than the file allows).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

delay = common.delay_function()

local template_path = common.require_env("BENCH_TEMPLATE")
local requests_path = common.require_env("BENCH_REQUESTS")
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local path = os.getenv("BENCH_PATH") or "/webhooks/bench/aftership"

-- Per-thread state.
issued = 0
received = 0
duplicate = 0
exhausted = 0
local template
local lines = {}
local headers = {}

local all_threads = {}

function setup(thread)
   common.setup(thread)
   table.insert(all_threads, thread)
end

local function read_all(file)
   local f = assert(io.open(file, "rb"))
   local text = f:read("*a")
   f:close()
   return text
end

function init(_)
   template = read_all(template_path)
   local me = (tid or 1) - 1
   local i = 0
   for line in io.lines(requests_path) do
      if i % thread_count == me then lines[#lines + 1] = line end
      i = i + 1
   end
   if #lines == 0 then error("no requests for thread " .. tostring(tid)) end
end

function request()
   local line = lines[issued + 1]
   if line == nil then
      exhausted = exhausted + 1
      line = lines[#lines]
   else
      issued = issued + 1
   end
   local event_id, number, scan_time, signature = line:match("^(%S+) (%S+) (%S+) (%S+)$")
   local body = template:gsub("__WB_EVENT__", event_id)
   body = body:gsub("__WB_TN__", number)
   body = body:gsub("__WB_TIME__", scan_time)
   headers["Content-Type"] = "application/json"
   headers["aftership-hmac-sha256"] = signature
   return wrk.format("POST", path, headers, body)
end

function response(status, headers_, body)
   common.response(status, headers_, body)
   if status >= 200 and status <= 299 and body then
      if body:find('"status"%s*:%s*"received"') then
         received = received + 1
      elseif body:find('"status"%s*:%s*"duplicate"') then
         duplicate = duplicate + 1
      end
   end
end

function done(summary, latency, requests)
   common.done(summary, latency, requests)
   local counts = {}
   local r, d, x = 0, 0, 0
   for _, thread in ipairs(all_threads) do
      counts[#counts + 1] = tostring(thread:get("issued") or 0)
      r = r + (thread:get("received") or 0)
      d = d + (thread:get("duplicate") or 0)
      x = x + (thread:get("exhausted") or 0)
   end
   io.write(string.format("BENCH_TRACKING issued=%s received=%d duplicate=%d exhausted=%d\n",
      table.concat(counts, ","), r, d, x))
end
