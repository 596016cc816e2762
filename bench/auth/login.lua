-- wrk script for bench/run.sh's auth part: local-userpass logins rotating
-- over BENCH_LOGIN_USERS users registered beforehand as
-- bench-<i>@example.com (i = 0 .. N-1) with the password in
-- BENCH_LOGIN_PASSWORD. Each login verifies one Argon2id hash on the
-- server's hashing pool. The URL given to wrk is the login path. Prints the
-- RESULT line of bench/http/report.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(dir .. "/../http/report.lua")

local users = tonumber(os.getenv("BENCH_LOGIN_USERS") or "")
local password = os.getenv("BENCH_LOGIN_PASSWORD")
if users == nil or users < 1 or password == nil then
  error("BENCH_LOGIN_USERS and BENCH_LOGIN_PASSWORD must be set")
end

local bodies = {}
for i = 0, users - 1 do
  bodies[i + 1] = string.format('{"username":"bench-%d@example.com","password":"%s"}', i, password)
end

-- Threads start at different users so they do not log in the same user in
-- step.
local threads = 0
setup = function(thread)
  thread:set("first", threads * 7919)
  threads = threads + 1
end

local n = 0
init = function(args)
  n = tonumber(first) or 0
end

local headers = { ["Content-Type"] = "application/json" }
request = function()
  n = n + 1
  return wrk.format("POST", nil, headers, bodies[(n % users) + 1])
end
