-- wrk script: 90% GETs of the issue page, 10% sign-up POSTs with addresses never used before.
-- Arguments: <issue path> <sign-up path> <run id> <text only the issue page contains>
--            <the form's hidden fields, url-encoded>
-- Each sign-up comes from its own made-up address (X-Forwarded-For, trusted by the app when
-- TRUSTED_PROXY_COUNT=1) as it would from many visitors, not one.
local threads = {}
local next_id = 0

setup = function(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

init = function(args)
  issue_path, signup_path, run_id, read_marker = args[1], args[2], args[3], args[4]
  hidden_fields = args[5] or ""
  n = 0
  stats = { reads_ok = 0, reads_bad = 0, signups_accepted = 0, signups_refused = 0,
            server_errors = 0, posts_sent = 0 }
end

request = function()
  n = n + 1
  if n % 10 == 0 then
    stats.posts_sent = stats.posts_sent + 1
    local email = string.format("bench-%s-%d-%d@example.org", run_id, thread_id, n)
    local body = "name=Bench+Reader&email=" .. email:gsub("@", "%%40") .. "&" .. hidden_fields
    local address = string.format("10.%d.%d.%d", thread_id, math.floor(n / 256) % 256, n % 256)
    return wrk.format("POST", signup_path,
      { ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Forwarded-For"] = address }, body)
  end
  return wrk.format("GET", issue_path)
end

-- Requests on a connection are answered in order, but wrk does not tell us which request a
-- response belongs to across connections, so tell them apart by content: only the issue page
-- contains read_marker.
response = function(status, headers, body)
  if status >= 500 then
    stats.server_errors = stats.server_errors + 1
  elseif body and string.find(body, read_marker, 1, true) then
    if status == 200 then stats.reads_ok = stats.reads_ok + 1
    else stats.reads_bad = stats.reads_bad + 1 end
  elseif status < 400 then
    stats.signups_accepted = stats.signups_accepted + 1
  else
    stats.signups_refused = stats.signups_refused + 1
  end
end

done = function(summary, latency, requests)
  local total = { reads_ok = 0, reads_bad = 0, signups_accepted = 0, signups_refused = 0,
                  server_errors = 0, posts_sent = 0 }
  for _, thread in ipairs(threads) do
    local s = thread:get("stats")
    for k, v in pairs(s) do total[k] = total[k] + v end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.2f, "socket_errors": %d, "timeouts": %d, ' ..
    '"reads_ok": %d, "reads_bad": %d, "signups_accepted": %d, "signups_refused": %d, ' ..
    '"server_errors": %d, "posts_sent": %d, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write, e.timeout,
    total.reads_ok, total.reads_bad, total.signups_accepted, total.signups_refused,
    total.server_errors, total.posts_sent, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
