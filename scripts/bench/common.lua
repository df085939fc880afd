-- Shared by the wrk scripts of scripts/bench-orders: counts responses by status in every wrk thread and,
-- in done(), prints the run as one machine-readable line:
--
--   BENCH_RESULT requests=… duration_s=… rps=… ok=… ok_rps=… mean_ms=… p50_ms=… p90_ms=… p99_ms=… max_ms=…
--                errors=… non2xx=… connect=… read=… write=… timeout=… statuses=201:9000,422:3
--
-- followed by up to three BENCH_SAMPLE lines per wrk thread with the status and start of a failed
-- response's body. errors = non-2xx responses + socket errors (connect, read, write, timeout).
-- Loaded with dofile() by each script, once in wrk's main Lua state (setup, done) and once per thread.
local M = {}

-- Per-thread state (each wrk thread has its own Lua state; done() collects them with thread:get).
statuses = {}
bad = 0
samples = {}

local threads = {}

function M.setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function M.response(status, _, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if status < 200 or status > 299 then
      bad = bad + 1
      if #samples < 3 then
         samples[#samples + 1] = key .. " " .. string.sub(body or "", 1, 400):gsub("%s+", " ")
      end
   end
end

local function ms(us)
   return string.format("%.2f", us / 1000)
end

function M.done(summary, latency, _)
   local total = {}
   local non2xx, ok = 0, 0
   local sample_lines = {}
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses") or {}) do
         total[status] = (total[status] or 0) + count
      end
      non2xx = non2xx + (thread:get("bad") or 0)
      for _, line in ipairs(thread:get("samples") or {}) do
         sample_lines[#sample_lines + 1] = line
      end
   end
   local keys = {}
   for status, count in pairs(total) do
      keys[#keys + 1] = status
      local code = tonumber(status)
      if code >= 200 and code <= 299 then ok = ok + count end
   end
   table.sort(keys)
   local parts = {}
   for _, status in ipairs(keys) do parts[#parts + 1] = status .. ":" .. total[status] end

   local e = summary.errors
   local socket = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_s=%.2f rps=%.1f ok=%d ok_rps=%.1f mean_ms=%s p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s "
         .. "errors=%d non2xx=%d connect=%d read=%d write=%d timeout=%d statuses=%s\n",
      summary.requests, seconds, summary.requests / seconds, ok, ok / seconds, ms(latency.mean),
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
      non2xx + socket, non2xx, e.connect, e.read, e.write, e.timeout, #parts > 0 and table.concat(parts, ",") or "none"))
   for _, line in ipairs(sample_lines) do
      io.write("BENCH_SAMPLE ", line, "\n")
   end
end

-- BENCH_DELAY_MS > 0 turns the run into a closed loop with think time: each connection waits a random
-- 0.5–1.5 × BENCH_DELAY_MS (mean BENCH_DELAY_MS) after each response before sending its next request.
function M.delay_function()
   local mean = tonumber(os.getenv("BENCH_DELAY_MS") or "0") or 0
   if mean <= 0 then return nil end
   return function()
      return math.floor(mean * (0.5 + math.random()) + 0.5)
   end
end

function M.require_env(name)
   local value = os.getenv(name)
   if value == nil or value == "" then error(name .. " is not set") end
   return value
end

return M
