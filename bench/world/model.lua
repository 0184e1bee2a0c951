-- bench/world/model.lua - the Clusim cluster model (stdlib/model.clu, MODEL.md
-- section 2: the seven rules with the default parameters) written in plain
-- Lua 5.4, run on the world that gen.py wrote to world.lua.
--
-- usage: lua5.4 model.lua [world.lua] [RUNS]     (default: world.lua here, 100 runs)
--        lua5.4 model.lua world.lua --check       one run, growth_rate 10%, full digits
--
-- The same work as bench.clu and model.py (see model.py): per run, copy the
-- world, draw growth_rate, simulate 30 years rule by rule, record every numeric
-- field of every cluster, programme and of the total at the end of every year as
-- one row (a Lua table of floats); then mean, p5, p50, p95 per point.
--
-- Numbers: members, jobs, shares and scores are floats. Money is held as Lua
-- **integers, in cents** (64-bit; all amounts in the data are whole euros); fees
-- = round(members * 1500 EUR, 2) are rounded half to even from the float's
-- binary value (exact for fees of 64 EUR and more, i.e. any cluster with more
-- than 0.04 members); ratios of money are integer / integer, which Lua computes
-- as a float division of the two (exactly converted) values: correctly rounded,
-- like Clusim's inexact(a / b). Clusters are tables with fields by name.

local floor, huge = math.floor, math.huge
local NAN = 0 / 0

-- parameters (stdlib/model.clu defaults)
local GROWTH_RATE = 0.1
local CRITICAL_MASS = 60
local CAPACITY = 2000
local MAX_SUPPORT = 0.5
local FEE_PER_MEMBER = 1500
local BASE_SCALEUP_RATE = 0.04
local SCALEUP_BOOST = 0.04
local SCALEUP_HALF_EFFECT = 20000.0
local JOBS_PER_SCALEUP = 10
local INTL_SPEED = 0.1
local PARTNERSHIP_EFFECT = 0.5
local INTL_HALF_EFFECT_C = 200000 * 100       -- cents / year
local LEARNING_RATE = 0.3
local EXCELLENCE_DECAY = 0.03
local TRAINING_HALF_EFFECT_C = 50000 * 100    -- cents / year
local DEPENDENCY_THRESHOLD = 0.5
local CLIFF_CHURN = 0.2

local THRESHOLD = {none = 20, bronze = 40, silver = 60, gold = 80}
local PURPOSES = {"operating", "investment", "internationalisation", "scaleup", "training"}

-- the base world ---------------------------------------------------------------------

local function load(path)
  local d = dofile(path)
  local regions = d.regions
  local clusters = {}
  for i, x in ipairs(d.clusters) do
    clusters[i] = {
      name = x.name, region = regions[x.region + 1], ecosystem = x.ecosystem,
      members = {sme = x.sme, large = x.large, research = x.research},
      jobs = x.jobs, staff = x.staff, label = x.label,
      budget = x.budget * 100,                          -- cents / year
      export_share = x.export_share / 100,              -- 29% -> 0.29 (correctly rounded)
      excellence = x.excellence or THRESHOLD[x.label],
      scaleups = 0, service_level = 0,
      income = {fees = 0, public = 0},
      payments = {},
      last_income = nil, last_public_income = nil,
    }
  end
  local programmes = {}
  for i, x in ipairs(d.programmes) do
    programmes[i] = {name = x.name, level = x.level, aid = x.aid, budget = x.budget * 100}
  end
  local funds = {}
  for i, x in ipairs(d.funds) do
    funds[i] = {programme = programmes[x.programme + 1], recipient = clusters[x.recipient + 1],
                purpose = x.purpose, amount = x.amount * 100, first = x.first, last = x.last,
                eligible_costs = x.eligible_costs * 100}
  end
  local partnerships = {}
  for i, x in ipairs(d.partnerships) do
    local ms = {}
    for j, k in ipairs(x.members) do ms[j] = clusters[k + 1] end
    partnerships[i] = {name = x.name, members = ms, targets = x.targets, first = x.first, last = x.last}
  end
  return {first_year = d.first_year, last_year = d.last_year, regions = regions,
          clusters = clusters, programmes = programmes, funds = funds, partnerships = partnerships}
end

-- A scenario's own copy of the base world (references point at the copies).
local function copy_world(w)
  local map = {}
  local clusters = {}
  for i, b in ipairs(w.clusters) do
    local pay = {}
    for k, v in pairs(b.payments) do pay[k] = v end
    local c = {
      name = b.name, region = b.region, ecosystem = b.ecosystem,
      members = {sme = b.members.sme, large = b.members.large, research = b.members.research},
      jobs = b.jobs, staff = b.staff, label = b.label, budget = b.budget,
      export_share = b.export_share, excellence = b.excellence, scaleups = b.scaleups,
      service_level = b.service_level,
      income = {fees = b.income.fees, public = b.income.public},
      payments = pay,
      last_income = b.last_income, last_public_income = b.last_public_income,
    }
    map[b] = c
    clusters[i] = c
  end
  local programmes = {}
  for i, b in ipairs(w.programmes) do
    local p = {name = b.name, level = b.level, aid = b.aid, budget = b.budget, remaining = b.remaining}
    map[b] = p
    programmes[i] = p
  end
  local funds = {}
  for i, b in ipairs(w.funds) do
    funds[i] = {programme = map[b.programme], recipient = map[b.recipient], purpose = b.purpose,
                amount = b.amount, first = b.first, last = b.last, eligible_costs = b.eligible_costs}
  end
  local partnerships = {}
  for i, b in ipairs(w.partnerships) do
    local ms, ts = {}, {}
    for j, c in ipairs(b.members) do ms[j] = map[c] end
    for j, t in ipairs(b.targets) do ts[j] = t end
    partnerships[i] = {name = b.name, members = ms, targets = ts, first = b.first, last = b.last}
  end
  return {clusters = clusters, programmes = programmes, funds = funds, partnerships = partnerships}
end

-- helpers (as in stdlib/model.clu) -----------------------------------------------------

-- round(x EUR, 2) in cents, half to even (x >= 0)
local function round_cents(x)
  local xi = floor(x)                  -- an integer
  local y = (x - xi) * 100             -- exact when x >= 64
  local ci = floor(y)
  local d = y - ci
  if d > 0.5 or (d == 0.5 and ci % 2 == 1) then ci = ci + 1 end
  return xi * 100 + ci
end

local function member_count(c)
  local m = c.members
  return (m.sme + 0.0) + (m.large + 0.0) + (m.research + 0.0)
end

local function paid(c, purpose)
  if purpose == nil then
    local t = 0
    for _, v in pairs(c.payments) do t = t + v end
    return t
  end
  return c.payments[purpose] or 0
end

-- amount, half in cents: the exact quotient, correctly rounded
local function saturation_cents(amount, half)
  if amount <= 0 then return 0.0 end
  return amount / (amount + half)
end

local function label_of(score)
  if score >= 80 then return "gold"
  elseif score >= 60 then return "silver"
  elseif score >= 40 then return "bronze"
  end
  return "none"
end

local function max(a, b) if b > a then return b end return a end
local function min(a, b) if b < a then return b end return a end

local function set_member_total(c, total)
  local n = member_count(c)
  local m = c.members
  if total <= 0 or n <= 0 then
    m.sme, m.large, m.research = 0.0, 0.0, 0.0
    return
  end
  local s, l, r = m.sme + 0.0, m.large + 0.0, m.research + 0.0
  local s2 = total * (s / n)
  local l2 = total * (l / n)
  local r2 = total * (r / n)
  if r > 0 then
    r2 = total - (s2 + l2)
  elseif l > 0 then
    l2 = total - s2
  else
    s2 = total
  end
  if s2 + l2 + r2 ~= total then
    if r > 0 then
      s2 = (s2 + total) - total
      l2 = (l2 + total) - total
      r2 = total - (s2 + l2)
    else
      s2 = (s2 + total) - total
      l2 = total - s2
    end
  end
  m.sme = max(0.0, s2)
  m.large = max(0.0, l2)
  m.research = max(0.0, r2)
end

-- the year, rule by rule -------------------------------------------------------------------

local function rule_funding(w, year, ledger)
  for _, f in ipairs(w.funds) do
    if f.first <= year and year <= f.last then            -- active(f)
      local p, c = f.programme, f.recipient
      local due = f.amount
      local left = p.remaining
      local amount, unpaid = due, 0
      if left < due then amount, unpaid = left, due - left end
      p.remaining = left - amount
      if ledger then
        ledger[#ledger + 1] = {year = year, programme = p.name, recipient = c.name,
                               purpose = f.purpose, amount = amount,
                               eligible_costs = f.eligible_costs, unpaid = unpaid,
                               aid = p.aid, level = p.level}
      end
      c.payments[f.purpose] = (c.payments[f.purpose] or 0) + amount
    end
  end
end

local function rule_organisation(w)
  for _, c in ipairs(w.clusters) do
    local inc = c.income
    c.last_income = inc.fees + inc.public
    c.last_public_income = inc.public
    local n = member_count(c)
    inc.fees = round_cents(n * FEE_PER_MEMBER)
    inc.public = paid(c)
    if c.budget > 0 then
      c.service_level = min(1.0, (inc.fees + inc.public) / c.budget)
    else
      c.service_level = 0.0
    end
  end
end

local function rule_critical_mass(w, growth_rate)
  for _, c in ipairs(w.clusters) do
    local n = member_count(c)
    if n > 0 then
      local support = MAX_SUPPORT * c.service_level * c.excellence / 100
      local m = CRITICAL_MASS * (1 - support)
      local change = max(-n, growth_rate * (n - m) * (1 - n / CAPACITY))
      local jobs = c.jobs + 0.0
      set_member_total(c, n + change)
      if n + change > 0 then
        c.jobs = max(0.0, jobs + change * jobs / n)
      else
        c.jobs = 0.0
      end
    end
  end
end

local function rule_scale_up(w)
  for _, c in ipairs(w.clusters) do
    local smes = c.members.sme + 0.0
    if smes > 0 then
      local per_sme = (paid(c, "scaleup") / 100) / smes
      local f = 0.0
      if per_sme > 0 then f = per_sme / (per_sme + SCALEUP_HALF_EFFECT) end
      local new = smes * (BASE_SCALEUP_RATE + SCALEUP_BOOST * f)
      c.scaleups = c.scaleups + new
      c.jobs = c.jobs + new * JOBS_PER_SCALEUP
    end
  end
end

local function contains(xs, v)
  for i = 1, #xs do
    if xs[i] == v then return true end
  end
  return false
end

local function rule_internationalisation(w, year)
  local partnerships = w.partnerships
  for _, c in ipairs(w.clusters) do
    local p = 0
    for _, q in ipairs(partnerships) do
      if q.first <= year and year <= q.last and contains(q.members, c) then   -- active(q) and ...
        p = p + 1
      end
    end
    local g = saturation_cents(paid(c, "internationalisation"), INTL_HALF_EFFECT_C)
    local x = c.export_share + 0.0
    c.export_share = min(1.0, x + INTL_SPEED * (1 - x) * (PARTNERSHIP_EFFECT * p + g))
  end
end

local function rule_management_excellence(w)
  for _, c in ipairs(w.clusters) do
    local t = saturation_cents(paid(c, "training"), TRAINING_HALF_EFFECT_C)
    local e = c.excellence + 0.0
    e = e + LEARNING_RATE * (100 - e) * t - EXCELLENCE_DECAY * e
    c.excellence = min(100.0, max(0.0, e))
    local label = label_of(c.excellence)
    if label ~= c.label then c.label = label end
  end
end

local function rule_funding_cliff(w)
  for _, c in ipairs(w.clusters) do
    if c.last_income > 0 then
      local share = c.last_public_income / c.last_income
      if share > DEPENDENCY_THRESHOLD and 2 * c.income.public < c.last_public_income then
        set_member_total(c, member_count(c) * (1 - CLIFF_CHURN * share))
      end
    end
  end
end

-- what is recorded: the shape of a run's row (see model.py) -----------------------------

local NFIELDS = 14   -- members.sme .large .research, jobs, staff, budget, export_share,
                     -- excellence, scaleups, service_level, income.fees .public,
                     -- last_income, last_public_income (the last two from the first simulated year)
local FIELD_NAMES = {"members.sme", "members.large", "members.research", "jobs", "staff", "budget",
                     "export_share", "excellence", "scaleups", "service_level", "income.fees",
                     "income.public", "last_income", "last_public_income"}

local function make_shape(w, first, last)
  local series = {}          -- {entity, field, y0, y1, offset}; offsets are 1-based
  local off = 1
  local function add(entity, fld, y0, y1)
    series[#series + 1] = {entity, fld, y0, y1, off}
    off = off + (y1 - y0 + 1)
  end
  for _, c in ipairs(w.clusters) do
    for j = 1, NFIELDS do add(c.name, FIELD_NAMES[j], j > 12 and first + 1 or first, last) end
  end
  local span, keys = {}, {}
  for _, f in ipairs(w.funds) do
    local key = f.recipient.name .. "\0" .. f.purpose
    local s = span[key]
    if not s then
      s = {f.first, f.last, f.recipient.name, f.purpose}
      span[key] = s
      keys[#keys + 1] = key
    else
      if f.first < s[1] then s[1] = f.first end
      if f.last > s[2] then s[2] = f.last end
    end
  end
  table.sort(keys)
  local pay_offsets = {}     -- cluster name -> purpose -> {offset, y0}
  for _, key in ipairs(keys) do
    local s = span[key]
    pay_offsets[s[3]] = pay_offsets[s[3]] or {}
    pay_offsets[s[3]][s[4]] = {off, s[1]}
    add(s[3], "payments." .. s[4], s[1], s[2])
  end
  for _, p in ipairs(w.programmes) do
    add(p.name, "budget", first, last)
    add(p.name, "remaining", first, last)
  end
  local total_off = off
  for j = 1, NFIELDS do add("total", FIELD_NAMES[j], j > 12 and first + 1 or first, last) end
  local tpay_offsets = {}
  for _, purpose in ipairs(PURPOSES) do
    local y0, y1 = huge, -huge
    for _, key in ipairs(keys) do
      local s = span[key]
      if s[4] == purpose then
        if s[1] < y0 then y0 = s[1] end
        if s[2] > y1 then y1 = s[2] end
      end
    end
    if y0 <= y1 then
      tpay_offsets[purpose] = {off, y0}
      add("total", "payments." .. purpose, y0, y1)
    end
  end
  return {series = series, np = off - 1, ny = last - first + 1, pay_offsets = pay_offsets,
          total_off = total_off, tpay_offsets = tpay_offsets, nprog = #w.programmes}
end

local function snapshot(w, year, first, row, shape)
  local ny = shape.ny
  local k = year - first
  local lk = k - 1
  local t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14 =
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  local tpay = {}
  local has_last = true
  local base = 1
  local pay_offsets = shape.pay_offsets
  for _, c in ipairs(w.clusters) do
    local m, inc = c.members, c.income
    local li, lp = c.last_income, c.last_public_income
    row[base + k] = m.sme + 0.0
    row[base + ny + k] = m.large + 0.0
    row[base + 2 * ny + k] = m.research + 0.0
    row[base + 3 * ny + k] = c.jobs + 0.0
    row[base + 4 * ny + k] = c.staff + 0.0
    row[base + 5 * ny + k] = c.budget / 100
    row[base + 6 * ny + k] = c.export_share + 0.0
    row[base + 7 * ny + k] = c.excellence + 0.0
    row[base + 8 * ny + k] = c.scaleups + 0.0
    row[base + 9 * ny + k] = c.service_level + 0.0
    row[base + 10 * ny + k] = inc.fees / 100
    row[base + 11 * ny + k] = inc.public / 100
    if li then
      row[base + 12 * ny + lk] = li / 100
      row[base + 13 * ny - 1 + lk] = lp / 100
      t13, t14 = t13 + li, t14 + lp
    else
      has_last = false
    end
    base = base + 14 * ny - 2
    -- the total: integer sums for money (cents), float sums for estimates, in order
    t1, t2, t3, t4, t5 = t1 + m.sme, t2 + m.large, t3 + m.research, t4 + c.jobs, t5 + c.staff
    t6, t7, t8, t9 = t6 + c.budget, t7 + c.export_share, t8 + c.excellence, t9 + c.scaleups
    t10, t11, t12 = t10 + c.service_level, t11 + inc.fees, t12 + inc.public
    local po = pay_offsets[c.name]
    for purpose, amount in pairs(c.payments) do
      local o = po[purpose]
      row[o[1] + year - o[2]] = amount / 100
      tpay[purpose] = (tpay[purpose] or 0) + amount
    end
  end
  base = shape.total_off - 2 * ny * shape.nprog
  for _, p in ipairs(w.programmes) do
    row[base + k] = p.budget / 100
    row[base + ny + k] = p.remaining / 100
    base = base + 2 * ny
  end
  base = shape.total_off
  row[base + k] = t1 + 0.0
  row[base + ny + k] = t2 + 0.0
  row[base + 2 * ny + k] = t3 + 0.0
  row[base + 3 * ny + k] = t4 + 0.0
  row[base + 4 * ny + k] = t5 + 0.0
  row[base + 5 * ny + k] = t6 / 100
  row[base + 6 * ny + k] = t7 + 0.0
  row[base + 7 * ny + k] = t8 + 0.0
  row[base + 8 * ny + k] = t9 + 0.0
  row[base + 9 * ny + k] = t10 + 0.0
  row[base + 10 * ny + k] = t11 / 100
  row[base + 11 * ny + k] = t12 / 100
  if has_last then
    row[base + 12 * ny + lk] = t13 / 100
    row[base + 13 * ny - 1 + lk] = t14 / 100
  end
  for purpose, amount in pairs(tpay) do
    local o = shape.tpay_offsets[purpose]
    row[o[1] + year - o[2]] = amount / 100
  end
end

local function run_once(base, first, last, growth_rate, shape, ledger)
  local w = copy_world(base)
  for _, p in ipairs(w.programmes) do p.remaining = p.budget end
  local row = {}
  for i = 1, shape.np do row[i] = NAN end
  for _, c in ipairs(w.clusters) do c.payments = {} end
  snapshot(w, first, first, row, shape)
  for year = first + 1, last do
    for _, c in ipairs(w.clusters) do c.payments = {} end
    rule_funding(w, year, ledger)
    rule_organisation(w)
    rule_critical_mass(w, growth_rate)
    rule_scale_up(w)
    rule_internationalisation(w, year)
    rule_management_excellence(w)
    rule_funding_cliff(w)
    snapshot(w, year, first, row, shape)
  end
  return row
end

local function percentile(s, n, p)
  local pos = p * (n - 1)
  local lo = floor(pos)
  local hi = lo + 1 < n and lo + 1 or lo
  return s[lo + 1] + (s[hi + 1] - s[lo + 1]) * (pos - lo)
end

-- {entity = {field = {first = y0, mean = {...}, p5 = {...}, p50 = {...}, p95 = {...}}}}
local function aggregate(rows, shape)
  local out = {}
  local nruns = #rows
  local sort = table.sort
  for _, s in ipairs(shape.series) do
    local entity, fld, y0, y1, off = s[1], s[2], s[3], s[4], s[5]
    local mean, p5, p50, p95 = {}, {}, {}, {}
    local i = 0
    for p = off, off + y1 - y0 do
      i = i + 1
      local vals, cnt, sum = {}, 0, 0.0
      for r = 1, nruns do
        local x = rows[r][p]
        if x == x then cnt = cnt + 1; vals[cnt] = x; sum = sum + x end   -- skip NaN
      end
      if cnt > 0 then
        sort(vals)
        mean[i] = sum / cnt
        p5[i] = percentile(vals, cnt, 0.05)
        p50[i] = percentile(vals, cnt, 0.50)
        p95[i] = percentile(vals, cnt, 0.95)
      end
    end
    out[entity] = out[entity] or {}
    out[entity][fld] = {first = y0, mean = mean, p5 = p5, p50 = p50, p95 = p95}
  end
  return out
end

-- x rounded to `digits` decimals, printed as Clusim prints an exact decimal
local function fixed(x, digits)
  local s = string.format("%." .. digits .. "f", x)
  if s:find("%.") then s = s:gsub("0+$", ""):gsub("%.$", "") end
  if s == "-0" then s = "0" end
  return s
end

-- A normal draw (Box-Muller) from Lua's generator (xoshiro256**).
local function random_normal(mu, sigma)
  local u1 = 1 - math.random()     -- (0, 1]
  local u2 = math.random()
  return mu + sigma * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
end

local SUMMARY = {{"jobs", 0}, {"members.sme", 1}, {"scaleups", 1}, {"export_share", 3},
                 {"excellence", 2}, {"income.fees", 0}, {"income.public", 0}}

local function main(argv)
  local check = false
  local args = {}
  for _, a in ipairs(argv) do
    if a == "--check" then check = true else args[#args + 1] = a end
  end
  local here = (arg[0]:match("^(.*)/[^/]*$") or ".")
  local path = args[1] or (here .. "/world.lua")
  local runs = check and 1 or tonumber(args[2] or "100")
  local seed = 1
  local base = load(path)
  local first, last = base.first_year, base.last_year
  local shape = make_shape(base, first, last)
  local rows, ledger = {}, {}
  local t0 = os.clock()
  for k = 0, runs - 1 do
    local growth_rate = GROWTH_RATE
    if not check then
      math.randomseed(seed, k)
      growth_rate = random_normal(0.10, 0.02)
    end
    rows[k + 1] = run_once(base, first, last, growth_rate, shape, k == 0 and ledger or nil)
  end
  local t1 = os.clock()
  local res = aggregate(rows, shape)
  local t2 = os.clock()
  local total = res.total
  for _, sd in ipairs(SUMMARY) do
    local fld, digits = sd[1], sd[2]
    local s = total[fld]
    local i = last - s.first + 1
    if check then
      print(string.format("total %s %d: %.17g", fld, last, s.mean[i]))
    else
      print(string.format("total %s %d mean p5 p95: %s %s %s", fld, last, fixed(s.mean[i], digits),
                          fixed(s.p5[i], digits), fixed(s.p95[i], digits)))
    end
  end
  if os.getenv("WORLD_VERBOSE") then
    io.stderr:write(string.format("points per run: %d, runs: %d, ledger entries (run 0): %d\n",
                                  shape.np, runs, #ledger))
    io.stderr:write(string.format("cpu: runs %.2f s, statistics %.2f s\n", t1 - t0, t2 - t1))
  end
end

main(arg)
