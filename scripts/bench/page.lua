-- wrk script of scripts/bench-page: GET /t/{token}, each request a token picked at random from the file
-- BENCH_TOKENS (one a line, alone or as the 49-character word of "number token shipped"; a file of one line
-- is the "hot" case). The same script drives the Waybill server
-- and nginx serving a saved page, so both see the same requests.
--
-- No response() callback: wrk would copy every page body into Lua, which costs the load generator more CPU
-- than the pages are worth. Failures are counted from wrk's own summary (errors.status = HTTP status > 399,
-- plus socket errors). done() prints one line in the format of common.lua:
--
--   BENCH_RESULT requests=… duration_s=… rps=… ok=… ok_rps=… mean_ms=… p50_ms=… p90_ms=… p99_ms=… max_ms=…
--                errors=… non2xx=… connect=… read=… write=… timeout=… bytes=…
--
-- (non2xx here = responses with a status > 399, which is what wrk counts.)
--
-- Environment: BENCH_TOKENS (required).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local threads = {}
local path = common.require_env("BENCH_TOKENS")
local tokens = {}
local headers = { ["Accept"] = "text/html", ["Accept-Language"] = "ko-KR,ko;q=0.9,en;q=0.8" }

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function init(_)
   for line in io.lines(path) do
      for word in line:gmatch("%S+") do
         if #word == 49 then
            tokens[#tokens + 1] = word
            break
         end
      end
   end
   if #tokens == 0 then error("no tokens in " .. path) end
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
   return wrk.format("GET", "/t/" .. tokens[math.random(1, #tokens)], headers, nil)
end

local function ms(us)
   return string.format("%.2f", us / 1000)
end

function done(summary, latency, _)
   local e = summary.errors
   local socket = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   local ok = summary.requests - e.status
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_s=%.2f rps=%.1f ok=%d ok_rps=%.1f mean_ms=%s p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s "
         .. "errors=%d non2xx=%d connect=%d read=%d write=%d timeout=%d bytes=%d\n",
      summary.requests, seconds, summary.requests / seconds, ok, ok / seconds, ms(latency.mean),
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
      e.status + socket, e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
