-- wrk script for bench/run.sh's auth part: POST /api/client/v2.0/auth/session
-- with the refresh token in BENCH_REFRESH_TOKEN (a session refresh: mints an
-- access token, writes nothing to the store). Empty body. Prints the RESULT
-- line of bench/http/report.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(dir .. "/../http/report.lua")

local token = os.getenv("BENCH_REFRESH_TOKEN")
if token == nil or token == "" then
  error("BENCH_REFRESH_TOKEN is not set")
end
wrk.method = "POST"
wrk.body = ""
wrk.headers["Authorization"] = "Bearer " .. token
