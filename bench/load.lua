-- wrk script for bench/load.py: POST /api/v1/responses with a new response id each time.
--
--   wrk -t1 -c16 -d20s -s bench/load.lua URL -- BODY_FILE TOKENS_FILE NONCE
--
-- BODY_FILE holds one response's JSON with the text RESPONSE_ID where its id goes;
-- TOKENS_FILE the tablets' bearer tokens, one per line (requests take them in turn);
-- NONCE (8 hex digits) keeps the ids of two runs on the same database apart.
-- Without arguments (GET /healthz) the script only counts the statuses.
-- At the end it prints a line "AVIS-ACK <id>" for each response acknowledged (201), and
-- one line "AVIS-LOAD " followed by a JSON object of the figures.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local body, tokens, nonce
local sent = 0
-- Globals: done() reads each thread's copy.
statuses = {}
acknowledged = {} -- the response ids answered 201
requests_sent = 0

local function read(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  statuses = {}
  if #args >= 3 then
    body = read(args[1])
    tokens = {}
    for line in read(args[2]):gmatch("[^\n]+") do
      table.insert(tokens, line)
    end
    nonce = args[3]
  end
end

function request()
  if body == nil then
    return wrk.format("GET")
  end
  sent = sent + 1
  requests_sent = sent
  -- A UUID (version 4 layout): the run's nonce, the thread and a counter.
  local id = string.format("%s-%04x-4000-8000-%012x", nonce, thread_number, sent)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(sent % #tokens) + 1],
  }
  return wrk.format("POST", nil, headers, (body:gsub("RESPONSE_ID", id)))
end

function response(status, headers, text)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    table.insert(acknowledged, text:match('"response_id":%s*"([^"]+)"'))
  end
end

function done(summary, latency, requests)
  local counts, sent = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
    for _, id in ipairs(thread:get("acknowledged")) do
      io.write("AVIS-ACK ", id, "\n")
    end
    sent = sent + thread:get("requests_sent")
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'AVIS-LOAD {"sent": %d, "requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"timeouts": %d, "statuses": {%s}}\n',
    sent, summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.timeout,
    table.concat(parts, ", ")
  ))
end
