-- wrk script for bench/load.sh: each request records a new domestic abuse incident through
-- the intake form (new victim and suspect, full DASH), as a browser without JavaScript
-- sends it. Names differ per request so the duplicate check searches but never stops it.
local cookie = os.getenv("VIGIL_COOKIE")
local csrf = os.getenv("VIGIL_CSRF")
local n = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  n = n + 1
  local name = string.format("Load%dx%d", tid or 0, n)
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
  if status ~= 303 then
    print("intake answered " .. status)
  end
end
