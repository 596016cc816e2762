-- wrk script for bench/run.sh's functions part: POST
-- /api/client/v2.0/app/<app_id>/functions/call {name, arguments} as the user
-- whose access token is in BENCH_FUNCTION_TOKEN. BENCH_FUNCTION_NAME names
-- the function, BENCH_FUNCTION_ARGS holds its arguments as a JSON array
-- (default []). The harness checks the answer once with curl; a non-2xx
-- answer is counted by wrk (non2xx in the RESULT line) and fails the harness.
-- Prints the RESULT line of bench/http/report.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(dir .. "/../http/report.lua")

local token = os.getenv("BENCH_FUNCTION_TOKEN")
local name = os.getenv("BENCH_FUNCTION_NAME")
local args = os.getenv("BENCH_FUNCTION_ARGS") or "[]"
if token == nil or token == "" then
  error("BENCH_FUNCTION_TOKEN is not set")
end
if name == nil or not name:match("^[%w_/-]+$") then
  error("BENCH_FUNCTION_NAME must be a function name")
end

wrk.method = "POST"
wrk.body = string.format('{"name":"%s","arguments":%s}', name, args)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
