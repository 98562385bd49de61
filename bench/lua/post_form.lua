-- POST a stock form: a fresh command_id per request (else idempotency would skip it),
-- to one path (BENCH_PATH) or a random line of BENCH_PATHS_FILE. Counts statuses.
local paths = {}
local fixed = os.getenv("BENCH_PATH")
local file = os.getenv("BENCH_PATHS_FILE")
if file then
  for line in io.lines(file) do paths[#paths + 1] = line end
end
local body_extra = os.getenv("BENCH_BODY") or "quantity=1&note="
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id * 7919 + math.floor(os.clock() * 1e6))
  statuses = {}
end

local function uuid4()
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    math.random(0x8000, 0xbfff), math.random(0, 0xffff), math.random(0, 0x7fffffff))
end

request = function()
  local path = fixed
  if #paths > 0 then path = paths[math.random(1, #paths)] end
  local body = "command_id=" .. uuid4() .. "&" .. body_extra
  -- wrk.format replaces wrk.headers when given headers: keep the -H ones (cookie, CSRF token).
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", path, headers, body)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do parts[#parts + 1] = code .. "=" .. n end
  table.sort(parts)
  io.write("BENCH_STATUSES " .. table.concat(parts, " ") .. "\n")
end
