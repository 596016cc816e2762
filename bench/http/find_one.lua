-- wrk script for bench/run.sh's rules part: POST
-- /api/client/v2.0/app/<app_id>/functions/call with a findOne by _id on the
-- MongoDB service (service "mongodb-atlas"), as the user whose access token
-- is in BENCH_ACCESS_TOKEN, for the note whose ObjectId (24 hex digits) is in
-- BENCH_NOTE_ID. The collection's rules let a user see only the notes it
-- owns; the harness checks once with curl that this call answers the note.
-- A non-2xx answer is counted by wrk (non2xx in the RESULT line) and fails
-- the harness. Prints the RESULT line of bench/http/report.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(dir .. "/report.lua")

local token = os.getenv("BENCH_ACCESS_TOKEN")
local id = os.getenv("BENCH_NOTE_ID")
if token == nil or token == "" then
  error("BENCH_ACCESS_TOKEN is not set")
end
if id == nil or not id:match("^%x+$") or #id ~= 24 then
  error("BENCH_NOTE_ID must be an ObjectId (24 hex digits)")
end

wrk.method = "POST"
wrk.body = string.format(
  '{"name":"findOne","arguments":[{"database":"appdb","collection":"notes",' ..
  '"query":{"_id":{"$oid":"%s"}}}],"service":"mongodb-atlas"}', id)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
