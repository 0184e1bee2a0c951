-- bench/world/model.lua - the Clusim cluster model v2 (stdlib/model.clu, doc/model.md
-- section 2: the seven rules with the default parameters) written in plain
-- Lua 5.4, run on the world that gen.py wrote to world.lua.
--
-- usage: lua5.4 model.lua [world.lua] [RUNS]     (default: world.lua here, 100 runs)
--        lua5.4 model.lua world.lua --check       one run, growth_rate 10%, full digits
--        lua5.4 model.lua world.lua --check --dump FILE
--                                                 ... and every point of that run in FILE
--                                                 (year,entity,field,value), to compare
--                                                 with `export check to FILE` in Clusim
--
-- The same work as bench.clu and model.py (see model.py): per run, copy the
-- world (with the defaults that depend on params computed again, as Clusim does
-- at the start of a run), draw growth_rate, simulate 30 years rule by rule,
-- record every numeric field of every cluster, programme and of the total at the
-- end of every year as one row (a Lua table of floats); then mean, p5, p50, p95
-- per point.
--
-- Numbers: members, jobs, shares and scores are floats. Money is held as Lua
-- **integers, in cents** (64-bit; all amounts in the data are whole euros); fees
-- = round(members * 1500 EUR, 2) are rounded half to even from the float's
-- binary value (exact for fees of 64 EUR and more, i.e. any cluster with more
-- than 0.04 members); ratios of money are integer / integer, which Lua computes
-- as a float division of the two (exactly converted) values: correctly rounded,
-- like Clusim's inexact(a / b). The funding cliff's exact ratios are compared
-- and combined in integers. Shares declared in percent (export_share) are exact
-- in Clusim until a rule computes with them: their totals sum the percents.
-- Clusters are tables with fields by name.

local floor, huge = math.floor, math.huge
local NAN = 0 / 0

-- parameters (stdlib/model.clu defaults; a share p% is the float nearest p/100,
-- as Clusim converts an exact param when a rule combines it with an estimate)
local GROWTH_RATE = 0.1
local CRITICAL_MASS = 60
local MAX_SUPPORT = 0.5
local CAPACITY_HEADROOM = 1.4
local CAPACITY_FLOOR = 250
local MAX_YEARLY_CHANGE = 0.2
local ENTRY_MIX = {sme = 0.85, large = 0.05, research = 0.10}
local JOBS_PER = {sme = 30, large = 1100, research = 200}   -- jobs_per_sme, _large, _research
local FEE_PER_MEMBER = 1500
local BASE_SCALEUP_RATE = 0.04
local SCALEUP_BOOST = 0.04
local SCALEUP_HALF_EFFECT = 20000.0
local JOBS_PER_SCALEUP = 10
local GRADUATION_SHARE = 0.05
local INTL_SPEED = 0.1
local PARTNERSHIP_EFFECT = 0.5
local INTL_HALF_EFFECT_C = 200000 * 100       -- cents / year
local EXPORT_CEILING = 0.6
local EXPORT_DECAY = 0.1
local LEARNING_RATE = 0.3
local TRAINING_HALF_EFFECT_C = 50000 * 100    -- cents / year
local SUSTAINING_SERVICE_LEVEL = 0.5
local SERVICE_LEARNING = 0.01
local EXCELLENCE_DECAY = 0.05
local LABEL_ASSESSMENT_YEARS = 2
-- the funding cliff's params stay exact: numerator, denominator
local DEPENDENCY_N, DEPENDENCY_D = 1, 2        -- dependency_threshold 50%
local CHURN_N, CHURN_D = 1, 5                  -- cliff_churn 20%
local TAPER_N, TAPER_D = 1, 3                  -- taper_tolerance 1/3

local TYPES = {"sme", "large", "research"}
local LABELS = {"none", "bronze", "silver", "gold"}           -- label_rank + 1
local LABEL_RANK = {none = 0, bronze = 1, silver = 2, gold = 3}
local BAND_MIDDLE = {none = 20, bronze = 50, silver = 70, gold = 90}
local PURPOSES = {"operating", "investment", "internationalisation", "scaleup", "training"}

local function max(a, b) if b > a then return b end return a end
local function min(a, b) if b < a then return b end return a end

-- round(x, 0) half to even, for x >= 0
local function round_even(x)
  local r = floor(x + 0.5)
  if r - x == 0.5 and r % 2 == 1 then r = r - 1 end
  return r
end

-- round(x EUR, 2) in cents, half to even (x >= 0)
local function round_cents(x)
  local xi = floor(x)                  -- an integer
  local y = (x - xi) * 100             -- exact when x >= 64
  local ci = floor(y)
  local d = y - ci
  if d > 0.5 or (d == 0.5 and ci % 2 == 1) then ci = ci + 1 end
  return xi * 100 + ci
end

-- the base world: the declarations ---------------------------------------------------

local function load(path)
  local d = dofile(path)
  local regions = d.regions
  local clusters = {}
  for i, x in ipairs(d.clusters) do
    local jbt = nil
    if x.jobs_by_type then
      jbt = {sme = x.jobs_by_type.sme, large = x.jobs_by_type.large, research = x.jobs_by_type.research}
    end
    clusters[i] = {
      name = x.name, region = regions[x.region + 1], ecosystem = x.ecosystem,
      members = {sme = x.sme, large = x.large, research = x.research},
      jobs = x.jobs, jobs_by_type = jbt, capacity = x.capacity,
      staff = x.staff, label = x.label, excellence = x.excellence,   -- nil: the band's middle
      budget = x.budget * 100,                          -- cents / year
      export_pct = x.export_share,                      -- percent: exact hundredths
    }
  end
  local programmes = {}
  for i, x in ipairs(d.programmes) do
    programmes[i] = {name = x.name, level = x.level, aid = x.aid, budget = x.budget * 100,
                     management = x.management or (x.level == "eu" and "shared" or "national")}
  end
  local funds = {}
  for i, x in ipairs(d.funds) do
    funds[i] = {programme = programmes[x.programme + 1], recipient = clusters[x.recipient + 1],
                purpose = x.purpose, amount = x.amount * 100, first = x.first, last = x.last,
                eligible_costs = x.eligible_costs * 100, granted = x.granted or x.first,
                per_sme = x.per_sme and x.per_sme * 100}
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

-- helpers (as in stdlib/model.clu) -----------------------------------------------------

local function member_count(c)
  local m = c.members
  return (m.sme + 0.0) + m.large + m.research
end

local function job_total(c)
  local j = c.jobs_by_type
  return (j.sme + 0.0) + j.large + j.research
end

-- amount, half in cents: the exact quotient, correctly rounded
local function saturation_cents(amount, half)
  if amount <= 0 then return 0.0 end
  return amount / (amount + half)
end

local function band_of(score)
  if score >= 80 then return 3
  elseif score >= 60 then return 2
  elseif score >= 40 then return 1
  end
  return 0
end

-- A run's cluster from its declaration b: the declared fields, and the schema's
-- defaults (those that are functions of the cluster are computed again at the
-- start of every run, from the declaration).
local function new_cluster(b)
  local bm = b.members
  local m = {sme = bm.sme, large = bm.large, research = bm.research}
  local c = {
    name = b.name, region = b.region, ecosystem = b.ecosystem, members = m,
    staff = b.staff, budget = b.budget, label = b.label, label_years = 0,
    export_share = b.export_pct / 100, base_export_pct = b.export_pct,
    scaleups = 0, service_level = 0,
    income = {fees = 0, public = 0, capital = 0, projects = 0, passed_on = 0},
    last_income = nil, last_public_income = nil,
    payments = {}, passed_on = {},
  }
  -- jobs_per_member: the declared average by type, else the params scaled to the declared jobs
  local bj = b.jobs_by_type
  local jpm = {}
  local scale = 1.0
  if not bj and b.jobs and b.jobs > 0 then
    local weight = m.sme * JOBS_PER.sme + m.large * JOBS_PER.large + m.research * JOBS_PER.research
    if weight > 0 then scale = b.jobs / weight end
  end
  for _, t in ipairs(TYPES) do
    if bj and m[t] > 0 then jpm[t] = bj[t] / m[t] else jpm[t] = JOBS_PER[t] * scale end
  end
  c.jobs_per_member = jpm
  if bj then
    c.jobs_by_type = {sme = bj.sme, large = bj.large, research = bj.research}
    c.jobs = b.jobs or (bj.sme + bj.large + bj.research)
  else
    local jbt = {}
    for _, t in ipairs(TYPES) do jbt[t] = (m[t] + 0.0) * jpm[t] end
    if member_count(c) == 0 then jbt.sme = (b.jobs or 0) + 0.0 end
    c.jobs_by_type = jbt
    c.jobs = b.jobs or 0
  end
  c.label_rank = LABEL_RANK[b.label]
  c.excellence = b.excellence or BAND_MIDDLE[b.label]
  c.base_export_share = c.export_share
  c.capacity = b.capacity or max(CAPACITY_FLOOR, round_even(CAPACITY_HEADROOM * member_count(c)))
  return c
end

-- A scenario's own copy of the base world (references point at the copies).
local function copy_world(w)
  local map = {}
  local clusters = {}
  for i, b in ipairs(w.clusters) do
    local c = new_cluster(b)
    map[b] = c
    clusters[i] = c
  end
  local programmes = {}
  for i, b in ipairs(w.programmes) do
    local p = {name = b.name, level = b.level, aid = b.aid, budget = b.budget, management = b.management,
               remaining = b.budget}
    map[b] = p
    programmes[i] = p
  end
  local funds = {}
  for i, b in ipairs(w.funds) do
    funds[i] = {programme = map[b.programme], recipient = map[b.recipient], purpose = b.purpose,
                amount = b.amount, first = b.first, last = b.last, eligible_costs = b.eligible_costs,
                granted = b.granted, per_sme = b.per_sme}
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

-- k new members join cluster c by the entry mix, each bringing the jobs of its type
local function members_join(c, k)
  local m, j, jpm = c.members, c.jobs_by_type, c.jobs_per_member
  for _, t in ipairs(TYPES) do
    local new = k * ENTRY_MIX[t]
    if new > 0 then
      m[t] = m[t] + new
      j[t] = j[t] + new * jpm[t]
    end
  end
  c.jobs = job_total(c)
end

-- k members leave cluster c in proportion across the types, taking their jobs
local function members_leave(c, k)
  local n = member_count(c)
  if n <= 0 or k <= 0 then return end
  local keep = max(0.0, 1 - k / n)
  local m, j = c.members, c.jobs_by_type
  for _, t in ipairs(TYPES) do
    m[t] = m[t] * keep
    j[t] = j[t] * keep
  end
  c.jobs = job_total(c)
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
                               aid = p.aid, level = p.level, management = p.management,
                               granted = f.granted, region = c.region.name,
                               aid_zone = c.region.aid_zone, sme_members = c.members.sme,
                               per_sme = f.per_sme}
      end
      local purpose = f.purpose
      c.payments[purpose] = (c.payments[purpose] or 0) + amount
      local per_sme = f.per_sme
      if per_sme then            -- passed on to the member SMEs: per_sme each, at most the payment
        local on = min(round_cents(per_sme / 100 * c.members.sme), amount)
        c.passed_on[purpose] = (c.passed_on[purpose] or 0) + on
      end
    end
  end
end

-- this year's payments to c for `purpose` that the organisation keeps (not passed on)
local function kept(c, purpose)
  return (c.payments[purpose] or 0) - (c.passed_on[purpose] or 0)
end

local function rule_organisation(w)
  for _, c in ipairs(w.clusters) do
    local inc = c.income
    c.last_income = inc.fees + inc.public
    c.last_public_income = inc.public
    inc.fees = round_cents(member_count(c) * FEE_PER_MEMBER)
    inc.public = kept(c, "operating") + kept(c, "training") + kept(c, "internationalisation")
    inc.capital = kept(c, "investment")
    inc.projects = kept(c, "scaleup")
    local pass = c.passed_on
    local on = 0
    for _, v in pairs(pass) do on = on + v end
    inc.passed_on = on
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
      local cap = c.capacity + 0.0
      local change = growth_rate * (n - m) * (1 - n / cap)
      if n > cap then
        change = -math.abs(change)       -- above its capacity a cluster shrinks towards it
      end
      local bound = MAX_YEARLY_CHANGE * n
      change = min(bound, max(-bound, change))
      if change > 0 then
        members_join(c, change)
      elseif change < 0 then
        members_leave(c, -change)
      end
    end
  end
end

local function rule_scale_up(w)
  for _, c in ipairs(w.clusters) do
    local m, j = c.members, c.jobs_by_type
    local smes = m.sme + 0.0
    if smes > 0 then
      local per_sme = ((c.payments.scaleup or 0) / 100) / smes
      local f = 0.0
      if per_sme > 0 then f = per_sme / (per_sme + SCALEUP_HALF_EFFECT) end
      local new = smes * min(1.0, BASE_SCALEUP_RATE + SCALEUP_BOOST * f)
      c.scaleups = c.scaleups + new
      local sme_jobs = j.sme + new * JOBS_PER_SCALEUP
      -- graduates leave the SMEs for the large firms with an average SME's jobs
      local grads = new * GRADUATION_SHARE
      local moved = min(sme_jobs, grads * sme_jobs / smes)
      m.sme = smes - grads
      m.large = m.large + grads
      j.sme = sme_jobs - moved
      j.large = j.large + moved
      c.jobs = job_total(c)
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
    local g = saturation_cents(c.payments.internationalisation or 0, INTL_HALF_EFFECT_C)
    local effort = 1 - (1 - PARTNERSHIP_EFFECT) ^ p * (1 - g)
    local x = c.export_share + 0.0
    local gain = INTL_SPEED * max(0.0, EXPORT_CEILING - x) * effort
    local drift = EXPORT_DECAY * (x - c.base_export_share) * (1 - effort)
    c.export_share = min(1.0, max(0.0, x + gain - drift))
  end
end

local function rule_management_excellence(w)
  local s = SUSTAINING_SERVICE_LEVEL
  for _, c in ipairs(w.clusters) do
    local t = saturation_cents(c.payments.training or 0, TRAINING_HALF_EFFECT_C)
    local e = c.excellence + 0.0
    e = e + LEARNING_RATE * (100 - e) * t
    local sl = c.service_level
    if sl > s then
      e = e + SERVICE_LEARNING * (sl - s) / (1 - s) * (100 - e)
    elseif sl < s then
      e = e - EXCELLENCE_DECAY * (s - sl) / s * e
    end
    c.excellence = min(100.0, max(0.0, e))
    -- the label is an award: assessed every LABEL_ASSESSMENT_YEARS, one step at a time
    c.label_years = c.label_years + 1
    if c.label_years >= LABEL_ASSESSMENT_YEARS then
      c.label_years = 0
      local target = band_of(c.excellence)
      local rank = c.label_rank
      if target > rank then
        rank = rank + 1
      elseif target < rank then
        rank = rank - 1
      end
      if rank ~= c.label_rank then
        c.label_rank = rank
        c.label = LABELS[rank + 1]
      end
    end
  end
end

local function rule_funding_cliff(w)
  for _, c in ipairs(w.clusters) do
    local last, li = c.last_public_income, c.last_income
    if last > 0 and li > 0 then
      -- share = last / li > dependency_threshold, drop = (last - public) / last > taper_tolerance
      local fall = last - c.income.public
      if DEPENDENCY_D * last > DEPENDENCY_N * li and TAPER_D * fall > TAPER_N * last then
        -- loss = cliff_churn * share * (drop - taper_tolerance) / (1 - taper_tolerance), exact
        local loss = (CHURN_N * (fall * TAPER_D - last * TAPER_N)) / (CHURN_D * li * (TAPER_D - TAPER_N))
        members_leave(c, member_count(c) * loss)
      end
    end
  end
end

-- what is recorded: the shape of a run's row (see model.py) -----------------------------

-- the numeric fields of a cluster (last_income, last_public_income from the first
-- simulated year on), in the order snapshot writes them
local FIELD_NAMES = {"members.sme", "members.large", "members.research",
                     "jobs_per_member.sme", "jobs_per_member.large", "jobs_per_member.research",
                     "jobs", "jobs_by_type.sme", "jobs_by_type.large", "jobs_by_type.research",
                     "staff", "budget", "label_rank", "label_years", "excellence", "export_share",
                     "base_export_share", "scaleups", "capacity", "service_level",
                     "income.fees", "income.public", "income.capital", "income.projects",
                     "income.passed_on", "last_income", "last_public_income"}
local NFIELDS = #FIELD_NAMES         -- 27
local NYEAR = NFIELDS - 2            -- the fields recorded from the base year on
-- the fields held in cents (money) or percent (declared shares): / 100 in the total
local HUNDREDTHS = {12, 17, 21, 22, 23, 24, 25, 26, 27}

-- series of this year's money by (cluster, purpose): payments.PURPOSE over the years
-- the cluster's funds of that purpose pay, passed_on.PURPOSE those with per_sme
local function money_series(w, add, field, with)
  local span, keys = {}, {}
  for _, f in ipairs(w.funds) do
    if with(f) then
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
  end
  table.sort(keys)
  local offsets = {}          -- cluster name -> purpose -> {offset, y0}
  for _, key in ipairs(keys) do
    local s = span[key]
    offsets[s[3]] = offsets[s[3]] or {}
    offsets[s[3]][s[4]] = {add(s[3], field .. "." .. s[4], s[1], s[2]), s[1]}
  end
  return offsets, keys, span
end

local function make_shape(w, first, last)
  local series = {}          -- {entity, field, y0, y1, offset}; offsets are 1-based
  local off = 1
  local function add(entity, fld, y0, y1)
    series[#series + 1] = {entity, fld, y0, y1, off}
    off = off + (y1 - y0 + 1)
    return off - (y1 - y0 + 1)
  end
  for _, c in ipairs(w.clusters) do
    for j = 1, NFIELDS do add(c.name, FIELD_NAMES[j], j > NYEAR and first + 1 or first, last) end
  end
  local pay_offsets, pay_keys, pay_span = money_series(w, add, "payments", function() return true end)
  local on_offsets, on_keys, on_span = money_series(w, add, "passed_on", function(f) return f.per_sme end)
  for _, p in ipairs(w.programmes) do
    add(p.name, "budget", first, last)
    add(p.name, "remaining", first, last)
  end
  local total_off = off
  for j = 1, NFIELDS do add("total", FIELD_NAMES[j], j > NYEAR and first + 1 or first, last) end
  local function totals(field, keys, span)
    local offsets = {}
    for _, purpose in ipairs(PURPOSES) do
      local y0, y1 = huge, -huge
      for _, key in ipairs(keys) do
        local s = span[key]
        if s[4] == purpose then
          if s[1] < y0 then y0 = s[1] end
          if s[2] > y1 then y1 = s[2] end
        end
      end
      if y0 <= y1 then offsets[purpose] = {add("total", field .. "." .. purpose, y0, y1), y0} end
    end
    return offsets
  end
  local tpay_offsets = totals("payments", pay_keys, pay_span)
  local ton_offsets = totals("passed_on", on_keys, on_span)
  return {series = series, np = off - 1, ny = last - first + 1, pay_offsets = pay_offsets,
          on_offsets = on_offsets, total_off = total_off, tpay_offsets = tpay_offsets,
          ton_offsets = ton_offsets, nprog = #w.programmes}
end

-- this year's money by purpose of one cluster into its series, and into the total's
local function record_money(row, year, by_purpose, offsets, tot)
  for purpose, amount in pairs(by_purpose) do
    local o = offsets[purpose]
    row[o[1] + year - o[2]] = amount / 100
    tot[purpose] = (tot[purpose] or 0) + amount
  end
end

local function snapshot(w, year, first, row, shape)
  local ny = shape.ny
  local k = year - first
  local lk = k - 1
  -- the total: integer sums for money (cents) and the declared percents, float
  -- sums for estimates, cluster after cluster
  local t = {}
  for j = 1, NFIELDS do t[j] = 0 end
  local tpay, ton = {}, {}
  local has_last = true
  local base = 1
  local pay_offsets, on_offsets = shape.pay_offsets, shape.on_offsets
  for _, c in ipairs(w.clusters) do
    local m, jpm, jbt, inc = c.members, c.jobs_per_member, c.jobs_by_type, c.income
    local li, lp = c.last_income, c.last_public_income
    local bep = c.base_export_pct
    row[base + k] = m.sme + 0.0
    row[base + ny + k] = m.large + 0.0
    row[base + 2 * ny + k] = m.research + 0.0
    row[base + 3 * ny + k] = jpm.sme + 0.0
    row[base + 4 * ny + k] = jpm.large + 0.0
    row[base + 5 * ny + k] = jpm.research + 0.0
    row[base + 6 * ny + k] = c.jobs + 0.0
    row[base + 7 * ny + k] = jbt.sme + 0.0
    row[base + 8 * ny + k] = jbt.large + 0.0
    row[base + 9 * ny + k] = jbt.research + 0.0
    row[base + 10 * ny + k] = c.staff + 0.0
    row[base + 11 * ny + k] = c.budget / 100
    row[base + 12 * ny + k] = c.label_rank + 0.0
    row[base + 13 * ny + k] = c.label_years + 0.0
    row[base + 14 * ny + k] = c.excellence + 0.0
    row[base + 15 * ny + k] = c.export_share + 0.0
    row[base + 16 * ny + k] = c.base_export_share
    row[base + 17 * ny + k] = c.scaleups + 0.0
    row[base + 18 * ny + k] = c.capacity + 0.0
    row[base + 19 * ny + k] = c.service_level + 0.0
    row[base + 20 * ny + k] = inc.fees / 100
    row[base + 21 * ny + k] = inc.public / 100
    row[base + 22 * ny + k] = inc.capital / 100
    row[base + 23 * ny + k] = inc.projects / 100
    row[base + 24 * ny + k] = inc.passed_on / 100
    if li then
      row[base + 25 * ny + lk] = li / 100
      row[base + 26 * ny - 1 + lk] = lp / 100
      t[26], t[27] = t[26] + li, t[27] + lp
    else
      has_last = false
    end
    base = base + NFIELDS * ny - 2
    t[1], t[2], t[3] = t[1] + m.sme, t[2] + m.large, t[3] + m.research
    t[4], t[5], t[6] = t[4] + jpm.sme, t[5] + jpm.large, t[6] + jpm.research
    t[7], t[8], t[9], t[10] = t[7] + c.jobs, t[8] + jbt.sme, t[9] + jbt.large, t[10] + jbt.research
    t[11], t[12], t[13], t[14] = t[11] + c.staff, t[12] + c.budget, t[13] + c.label_rank, t[14] + c.label_years
    t[15], t[16], t[17] = t[15] + c.excellence, t[16] + c.export_share, t[17] + bep
    t[18], t[19], t[20] = t[18] + c.scaleups, t[19] + c.capacity, t[20] + c.service_level
    t[21], t[22], t[23] = t[21] + inc.fees, t[22] + inc.public, t[23] + inc.capital
    t[24], t[25] = t[24] + inc.projects, t[25] + inc.passed_on
    record_money(row, year, c.payments, pay_offsets[c.name], tpay)
    record_money(row, year, c.passed_on, on_offsets[c.name], ton)
  end
  base = shape.total_off - 2 * ny * shape.nprog
  for _, p in ipairs(w.programmes) do
    row[base + k] = p.budget / 100
    row[base + ny + k] = p.remaining / 100
    base = base + 2 * ny
  end
  -- money in cents and the declared percents to their values
  for _, j in ipairs(HUNDREDTHS) do t[j] = t[j] / 100 end
  if k == 0 then
    t[16] = t[17]         -- the base year's export shares are still the declared ones
  end
  base = shape.total_off
  for j = 1, NYEAR do row[base + (j - 1) * ny + k] = t[j] + 0.0 end
  if has_last then
    row[base + NYEAR * ny + lk] = t[26]
    row[base + (NYEAR + 1) * ny - 1 + lk] = t[27]
  end
  for purpose, amount in pairs(tpay) do
    local o = shape.tpay_offsets[purpose]
    row[o[1] + year - o[2]] = amount / 100
  end
  for purpose, amount in pairs(ton) do
    local o = shape.ton_offsets[purpose]
    row[o[1] + year - o[2]] = amount / 100
  end
end

local function run_once(base, first, last, growth_rate, shape, ledger)
  local w = copy_world(base)
  local row = {}
  for i = 1, shape.np do row[i] = NAN end
  snapshot(w, first, first, row, shape)
  for year = first + 1, last do
    for _, c in ipairs(w.clusters) do c.payments, c.passed_on = {}, {} end
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

-- every point of one run's row, as year,entity,field,value lines
local function dump(path, row, shape)
  local fh = assert(io.open(path, "w"))
  for _, s in ipairs(shape.series) do
    for y = s[3], s[4] do
      local x = row[s[5] + y - s[3]]
      if x == x then fh:write(string.format("%d,%s,%s,%.17g\n", y, s[1], s[2], x)) end
    end
  end
  fh:close()
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
  local check, dump_path = false, nil
  local args = {}
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--check" then check = true
    elseif a == "--dump" then i = i + 1; dump_path = argv[i]
    else args[#args + 1] = a end
    i = i + 1
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
  if dump_path then dump(dump_path, rows[1], shape) end
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
