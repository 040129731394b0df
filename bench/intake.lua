-- wrk script for bench/load.sh: each request records a new domestic abuse incident through
-- the intake form (new victim and suspect, full DASH), as a browser without JavaScript
-- sends it. Names differ per request, so the duplicate check searches but never stops a
-- save; any answer other than the redirect after saving is counted and reported.
local cookie = os.getenv("VIGIL_COOKIE")
local csrf = os.getenv("VIGIL_CSRF")
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  saved = 0
  other = 0
end

function request()
  n = n + 1
  local name = string.format("Load%dx%d", tid, n)
  local parts = {
    "csrf=" .. csrf, "action=save", "call_grade=priority",
    "reported_at=01%2F09%2F2019+21%3A30", "arrived_at=01%2F09%2F2019+21%3A52", "lpa=North",
    "victim_family_name=" .. name, "victim_given_names=Val", "victim_sex=female",
    "victim_birth_date=01%2F02%2F1990",
    "suspect_family_name=" .. name .. "s", "suspect_given_names=Sam", "suspect_sex=male",
    "relationship=partner", "children_present=no",
  }
  for q = 1, 27 do
    parts[#parts + 1] = string.format("dash_%d=%s", q, (q % 3 == 0) and "yes" or "no")
  end
  return wrk.format("POST", "/incidents", {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, table.concat(parts, "&"))
end

function response(status, headers, body)
  if status == 303 then
    saved = saved + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local s, o = 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("saved")
    o = o + t:get("other")
  end
  print(string.format("Saved: %d incidents recorded (303), %d other answers", s, o))
end
