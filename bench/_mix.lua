-- wrk script of the capacity benchmark's request mix (bench/capacity.py writes the data file and
-- starts wrk with one connection per thread, so each thread's request/response calls pair up and
-- the latency of every request can be attributed to its type).
-- Every response is logged as "<type> <status> <microseconds>" to one file per thread.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local data = dofile(os.getenv("TONGBAN_BENCH_MIX_DATA"))
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local out, kind, started
local cumulative = {}

function init(args)
  math.randomseed(tid * 7919 + 17)
  out = io.open(data.log_prefix .. tid .. ".log", "w")
  out:setvbuf("line") -- the submission driver counts the lines as they come (bench/capacity.py)
  local total = 0
  for _, w in ipairs(data.weights) do total = total + w[2] end
  local acc = 0
  for _, w in ipairs(data.weights) do
    acc = acc + w[2] / total
    table.insert(cumulative, {w[1], acc})
  end
end

local function pick(list) return list[math.random(#list)] end

local function choose()
  local r = math.random()
  for _, c in ipairs(cumulative) do
    if r <= c[2] then return c[1] end
  end
  return cumulative[#cumulative][1]
end

local function forwarded()
  -- As behind nginx: each simulated citizen has an address of their own (rate limits are per IP).
  return "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
end

function request()
  kind = choose()
  local headers = {["X-Forwarded-For"] = forwarded()}
  local path, method, body = "/", "GET", nil
  if kind == "guide" then
    local code = (math.random() < 0.5) and pick(data.hot) or pick(data.codes)
    path = "/services/" .. code .. "/"
  elseif kind == "search" then
    path = "/services/search/?q=" .. pick(data.queries)
  elseif kind == "theme" then
    path = "/services/" .. pick(data.themes)
  elseif kind == "mine" or kind == "case" then
    local s = pick(data.sessions)
    headers["Cookie"] = "sessionid=" .. s[1]
    if kind == "mine" then
      path = "/my/cases/"
    else
      path = "/my/cases/" .. pick(s[2]) .. "/"
    end
  elseif kind == "progress" then
    local q = pick(data.progress)
    method = "POST"
    path = "/progress/"
    headers["Cookie"] = "csrftoken=" .. data.csrf
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = "csrfmiddlewaretoken=" .. data.csrf .. "&case_number=" .. q[1] .. "&phone_tail=" .. q[2]
  end
  started = now_us()
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  out:write(kind, " ", status, " ", math.floor(now_us() - started), "\n")
end
