"""bench/world/model.py - the Clusim cluster model v2 (stdlib/model.clu,
doc/model.md section 2: the seven rules with the default parameters) written
in plain Python 3, run on the world that gen.py wrote to world.json.

usage: python3 model.py [world.json] [RUNS]      (default: world.json here, 100 runs)
       python3 model.py world.json --check        one run, growth_rate 10%, full digits
       python3 model.py world.json --check --dump FILE
                                                  ... and every point of that run in FILE
                                                  (year,entity,field,value), to compare
                                                  with `export check to FILE` in Clusim

The work is the one Clusim does for
    scenario bench { years: 1995..2025, runs: 100, seed: 1,
                     set growth_rate = random_normal(10%, 2%) }
    run bench
per run: copy the world (computing again the defaults that depend on params,
as Clusim does at the start of a run), draw growth_rate, simulate 30 years
rule by rule (each rule over every fund / cluster in declaration order),
record every numeric field of every cluster (and of every programme, and the
total over the clusters) at the end of every year as one row of doubles;
after the runs, the mean and the 5th/50th/95th percentiles (linear
interpolation, as numpy) of every (entity, field, year) point.  Then it
prints the same summary as bench.clu.  The random numbers differ from
Clusim's (another generator).

Numbers as in the Clusim model: members, jobs, shares and scores are floats
(estimates); money is exact, held as **int cents** (all amounts in the data are
whole euros; fees = round(members * 1500 EUR, 2) are rounded half-to-even from
the float's exact binary value, as Clusim's round does); ratios of money are
int / int true divisions, correctly rounded like Clusim's inexact(a / b); the
funding cliff's exact ratios are compared and combined in ints.  Shares
declared in percent (export_share) are exact in Clusim until a rule computes
with them: their totals sum the percents.  Clusters are objects of small
__slots__ classes (a record with fields by name; partnership membership is an
identity test, like Clusim's contains()).
"""

import json
import math
import os
import random
import sys
import time
from array import array

# --- parameters (stdlib/model.clu defaults) ----------------------------------
# A share p% is the float nearest p/100, as Clusim converts an exact param when
# a rule combines it with an estimate.
GROWTH_RATE = 0.1            # 10%
CRITICAL_MASS = 60
MAX_SUPPORT = 0.5
CAPACITY_HEADROOM = 1.4
CAPACITY_FLOOR = 250
MAX_YEARLY_CHANGE = 0.2
ENTRY_SME, ENTRY_LARGE, ENTRY_RESEARCH = 0.85, 0.05, 0.10          # entry_mix
JOBS_PER_SME, JOBS_PER_LARGE, JOBS_PER_RESEARCH = 30, 1100, 200
FEE_PER_MEMBER = 1500        # EUR / year
BASE_SCALEUP_RATE = 0.04
SCALEUP_BOOST = 0.04
SCALEUP_HALF_EFFECT = 20000.0    # EUR / year
JOBS_PER_SCALEUP = 10
GRADUATION_SHARE = 0.05
INTL_SPEED = 0.1
PARTNERSHIP_EFFECT = 0.5
INTL_HALF_EFFECT_C = 200000 * 100    # cents / year
EXPORT_CEILING = 0.6
EXPORT_DECAY = 0.1
LEARNING_RATE = 0.3
TRAINING_HALF_EFFECT_C = 50000 * 100  # cents / year
SUSTAINING_SERVICE_LEVEL = 0.5
SERVICE_LEARNING = 0.01
EXCELLENCE_DECAY = 0.05
LABEL_ASSESSMENT_YEARS = 2
# the funding cliff's params stay exact: numerator, denominator
DEPENDENCY_N, DEPENDENCY_D = 1, 2    # dependency_threshold 50%
CHURN_N, CHURN_D = 1, 5              # cliff_churn 20%
TAPER_N, TAPER_D = 1, 3              # taper_tolerance 1/3

LABELS = ["none", "bronze", "silver", "gold"]          # by label_rank
LABEL_RANK = {"none": 0, "bronze": 1, "silver": 2, "gold": 3}
BAND_MIDDLE = {"none": 20, "bronze": 50, "silver": 70, "gold": 90}
PURPOSES = ["operating", "investment", "internationalisation", "scaleup", "training"]
NAN = float("nan")


class ByType:
    """members, jobs_per_member, jobs_by_type: a number by member type."""
    __slots__ = ("sme", "large", "research")

    def __init__(self, sme, large, research):
        self.sme, self.large, self.research = sme, large, research


class Income:
    __slots__ = ("fees", "public", "capital", "projects", "passed_on")


class Cluster:
    __slots__ = ("name", "region", "ecosystem", "members", "jobs_per_member", "jobs", "jobs_by_type",
                 "staff", "budget", "label", "label_rank", "label_years", "excellence", "export_share",
                 "base_export_share", "base_export_pct", "scaleups", "capacity", "service_level",
                 "income", "last_income", "last_public_income", "payments", "passed_on")


class Declared:
    """A cluster as declared (the base world); a run's Cluster is made from it."""
    __slots__ = ("name", "region", "ecosystem", "sme", "large", "research", "jobs", "jobs_by_type",
                 "capacity", "staff", "label", "excellence", "budget", "export_pct")


class Programme:
    __slots__ = ("name", "level", "aid", "management", "budget", "remaining")


class Fund:
    __slots__ = ("programme", "recipient", "purpose", "amount", "first", "last", "eligible_costs",
                 "granted", "per_sme")


class Partnership:
    __slots__ = ("name", "members", "targets", "first", "last")


# --- the base world: the declarations ----------------------------------------------

def load(path):
    with open(path) as fh:
        d = json.load(fh)
    regions = d["regions"]
    clusters = []
    for x in d["clusters"]:
        b = Declared()
        b.name, b.region, b.ecosystem = x["name"], regions[x["region"]], x["ecosystem"]
        b.sme, b.large, b.research = x["sme"], x["large"], x["research"]
        b.jobs = x.get("jobs")
        j = x.get("jobs_by_type")
        b.jobs_by_type = j and (j["sme"], j["large"], j["research"])
        b.capacity = x.get("capacity")
        b.staff, b.label = x["staff"], x["label"]
        b.excellence = x.get("excellence")                # None: the middle of the label's band
        b.budget = x["budget"] * 100                      # cents / year
        b.export_pct = x["export_share"]                  # percent: exact hundredths
        clusters.append(b)
    programmes = []
    for x in d["programmes"]:
        p = Programme()
        p.name, p.level, p.aid = x["name"], x["level"], x["aid"]
        p.management = x.get("management") or ("shared" if p.level == "eu" else "national")
        p.budget = x["budget"] * 100                      # cents
        p.remaining = None
        programmes.append(p)
    funds = []
    for x in d["funds"]:
        f = Fund()
        f.programme, f.recipient = programmes[x["programme"]], clusters[x["recipient"]]
        f.purpose, f.amount = x["purpose"], x["amount"] * 100
        f.first, f.last, f.eligible_costs = x["first"], x["last"], x["eligible_costs"] * 100
        f.granted = x.get("granted", f.first)
        f.per_sme = x["per_sme"] * 100 if "per_sme" in x else None
        funds.append(f)
    partnerships = []
    for x in d["partnerships"]:
        q = Partnership()
        q.name, q.members, q.targets = x["name"], [clusters[i] for i in x["members"]], x["targets"]
        q.first, q.last = x["first"], x["last"]
        partnerships.append(q)
    return {"first_year": d["first_year"], "last_year": d["last_year"], "regions": regions,
            "clusters": clusters, "programmes": programmes, "funds": funds,
            "partnerships": partnerships}


# --- helpers (as in stdlib/model.clu) ------------------------------------------------

def round_cents(x):
    """round(x EUR, 2) in cents: half to even on the exact binary value of x."""
    p, q = x.as_integer_ratio()
    c, r = divmod(p * 100, q)
    if 2 * r > q or (2 * r == q and c & 1):
        c += 1
    return c


def member_count(c):
    m = c.members
    return float(m.sme) + m.large + m.research


def job_total(c):
    j = c.jobs_by_type
    return float(j.sme) + j.large + j.research


def saturation_cents(amount, half):
    """amount, half in cents: exact quotient, correctly rounded."""
    if amount <= 0:
        return 0.0
    return amount / (amount + half)


def band_of(score):
    if score >= 80:
        return 3
    elif score >= 60:
        return 2
    elif score >= 40:
        return 1
    return 0


def new_cluster(b):
    """A run's cluster from its declaration b: the declared fields, and the schema's
    defaults (those that are functions of the cluster are computed again at the
    start of every run, from the declaration)."""
    c = Cluster()
    c.name, c.region, c.ecosystem = b.name, b.region, b.ecosystem
    sme, large, research = b.sme, b.large, b.research
    c.members = m = ByType(sme, large, research)
    c.staff, c.budget, c.label, c.label_years = b.staff, b.budget, b.label, 0
    c.export_share = b.export_pct / 100
    c.base_export_pct = b.export_pct
    c.scaleups, c.service_level = 0, 0
    inc = Income()
    inc.fees = inc.public = inc.capital = inc.projects = inc.passed_on = 0
    c.income = inc
    c.last_income = c.last_public_income = None
    c.payments, c.passed_on = {}, {}
    # jobs_per_member: the declared average by type, else the params scaled to the declared jobs
    bj = b.jobs_by_type
    if bj:
        c.jobs_per_member = ByType(bj[0] / sme if sme > 0 else float(JOBS_PER_SME),
                                   bj[1] / large if large > 0 else float(JOBS_PER_LARGE),
                                   bj[2] / research if research > 0 else float(JOBS_PER_RESEARCH))
        c.jobs_by_type = ByType(*bj)
        c.jobs = b.jobs if b.jobs is not None else sum(bj)
    else:
        scale = 1.0
        if b.jobs and b.jobs > 0:
            weight = sme * JOBS_PER_SME + large * JOBS_PER_LARGE + research * JOBS_PER_RESEARCH
            if weight > 0:
                scale = b.jobs / weight
        c.jobs_per_member = jpm = ByType(JOBS_PER_SME * scale, JOBS_PER_LARGE * scale,
                                         JOBS_PER_RESEARCH * scale)
        c.jobs_by_type = j = ByType(float(sme) * jpm.sme, float(large) * jpm.large,
                                    float(research) * jpm.research)
        c.jobs = b.jobs or 0
        if member_count(c) == 0:
            j.sme = float(c.jobs)
    c.label_rank = LABEL_RANK[b.label]
    c.excellence = b.excellence if b.excellence is not None else BAND_MIDDLE[b.label]
    c.base_export_share = c.export_share
    if b.capacity is not None:
        c.capacity = b.capacity
    else:
        c.capacity = max(CAPACITY_FLOOR, round(CAPACITY_HEADROOM * member_count(c)))
    return c


def copy_world(w):
    """A scenario's own copy of the base world (references point at the copies)."""
    cmap, pmap = {}, {}
    clusters = []
    for b in w["clusters"]:
        c = new_cluster(b)
        cmap[id(b)] = c
        clusters.append(c)
    programmes = []
    for b in w["programmes"]:
        p = Programme()
        p.name, p.level, p.aid, p.management = b.name, b.level, b.aid, b.management
        p.budget = p.remaining = b.budget
        pmap[id(b)] = p
        programmes.append(p)
    funds = []
    for b in w["funds"]:
        f = Fund()
        f.programme, f.recipient = pmap[id(b.programme)], cmap[id(b.recipient)]
        f.purpose, f.amount, f.first, f.last = b.purpose, b.amount, b.first, b.last
        f.eligible_costs, f.granted, f.per_sme = b.eligible_costs, b.granted, b.per_sme
        funds.append(f)
    partnerships = []
    for b in w["partnerships"]:
        q = Partnership()
        q.name, q.members, q.targets = b.name, [cmap[id(c)] for c in b.members], list(b.targets)
        q.first, q.last = b.first, b.last
        partnerships.append(q)
    return {"clusters": clusters, "programmes": programmes, "funds": funds,
            "partnerships": partnerships}


def members_join(c, k):
    """k new members join c by the entry mix, each bringing the jobs of its type."""
    m, j, jpm = c.members, c.jobs_by_type, c.jobs_per_member
    new = k * ENTRY_SME
    if new > 0:
        m.sme = m.sme + new
        j.sme = j.sme + new * jpm.sme
    new = k * ENTRY_LARGE
    if new > 0:
        m.large = m.large + new
        j.large = j.large + new * jpm.large
    new = k * ENTRY_RESEARCH
    if new > 0:
        m.research = m.research + new
        j.research = j.research + new * jpm.research
    c.jobs = job_total(c)


def members_leave(c, k):
    """k members leave c in proportion across the types, taking their jobs."""
    n = member_count(c)
    if n <= 0 or k <= 0:
        return
    keep = max(0.0, 1 - k / n)
    m, j = c.members, c.jobs_by_type
    m.sme, m.large, m.research = m.sme * keep, m.large * keep, m.research * keep
    j.sme, j.large, j.research = j.sme * keep, j.large * keep, j.research * keep
    c.jobs = job_total(c)


# --- the year, rule by rule --------------------------------------------------------------

def rule_funding(w, year, ledger):
    for f in w["funds"]:
        if f.first <= year <= f.last:                     # active(f)
            p, c = f.programme, f.recipient
            due = f.amount
            left = p.remaining
            amount, unpaid = due, 0
            if left < due:
                amount, unpaid = left, due - left
            p.remaining = left - amount
            if ledger is not None:
                e = {"year": year, "programme": p.name, "recipient": c.name,
                     "purpose": f.purpose, "amount": amount,
                     "eligible_costs": f.eligible_costs, "unpaid": unpaid,
                     "aid": p.aid, "level": p.level, "management": p.management,
                     "granted": f.granted, "region": c.region["name"],
                     "aid_zone": c.region["aid_zone"], "sme_members": c.members.sme}
                if f.per_sme is not None:
                    e["per_sme"] = f.per_sme
                ledger.append(e)
            purpose = f.purpose
            c.payments[purpose] = c.payments.get(purpose, 0) + amount
            if f.per_sme is not None:     # passed on to the member SMEs: per_sme each, at most the payment
                on = min(round_cents(f.per_sme / 100 * c.members.sme), amount)
                c.passed_on[purpose] = c.passed_on.get(purpose, 0) + on


def rule_organisation(w):
    for c in w["clusters"]:
        inc = c.income
        c.last_income = inc.fees + inc.public
        c.last_public_income = inc.public
        inc.fees = round_cents(member_count(c) * FEE_PER_MEMBER)
        # money the organisation keeps, by purpose
        pay, on = c.payments, c.passed_on
        inc.public = ((pay.get("operating", 0) - on.get("operating", 0))
                      + (pay.get("training", 0) - on.get("training", 0))
                      + (pay.get("internationalisation", 0) - on.get("internationalisation", 0)))
        inc.capital = pay.get("investment", 0) - on.get("investment", 0)
        inc.projects = pay.get("scaleup", 0) - on.get("scaleup", 0)
        inc.passed_on = sum(on.values())
        if c.budget > 0:
            c.service_level = min(1.0, (inc.fees + inc.public) / c.budget)
        else:
            c.service_level = 0.0


def rule_critical_mass(w, growth_rate):
    for c in w["clusters"]:
        n = member_count(c)
        if n > 0:
            support = MAX_SUPPORT * c.service_level * c.excellence / 100
            m = CRITICAL_MASS * (1 - support)
            cap = float(c.capacity)
            change = growth_rate * (n - m) * (1 - n / cap)
            if n > cap:
                change = -abs(change)         # above its capacity a cluster shrinks towards it
            bound = MAX_YEARLY_CHANGE * n
            change = min(bound, max(-bound, change))
            if change > 0:
                members_join(c, change)
            elif change < 0:
                members_leave(c, -change)


def rule_scale_up(w):
    for c in w["clusters"]:
        m, j = c.members, c.jobs_by_type
        smes = float(m.sme)
        if smes > 0:
            per_sme = (c.payments.get("scaleup", 0) / 100) / smes
            f = 0.0 if per_sme <= 0 else per_sme / (per_sme + SCALEUP_HALF_EFFECT)
            new = smes * min(1.0, BASE_SCALEUP_RATE + SCALEUP_BOOST * f)
            c.scaleups = c.scaleups + new
            sme_jobs = j.sme + new * JOBS_PER_SCALEUP
            # graduates leave the SMEs for the large firms with an average SME's jobs
            grads = new * GRADUATION_SHARE
            moved = min(sme_jobs, grads * sme_jobs / smes)
            m.sme = smes - grads
            m.large = m.large + grads
            j.sme = sme_jobs - moved
            j.large = j.large + moved
            c.jobs = job_total(c)


def rule_internationalisation(w, year):
    partnerships = w["partnerships"]
    for c in w["clusters"]:
        p = 0
        for q in partnerships:
            if q.first <= year <= q.last and c in q.members:   # active(q) and contains(...)
                p = p + 1
        g = saturation_cents(c.payments.get("internationalisation", 0), INTL_HALF_EFFECT_C)
        effort = 1 - (1 - PARTNERSHIP_EFFECT) ** p * (1 - g)
        x = float(c.export_share)
        gain = INTL_SPEED * max(0.0, EXPORT_CEILING - x) * effort
        drift = EXPORT_DECAY * (x - c.base_export_share) * (1 - effort)
        c.export_share = min(1.0, max(0.0, x + gain - drift))


def rule_management_excellence(w):
    s = SUSTAINING_SERVICE_LEVEL
    for c in w["clusters"]:
        t = saturation_cents(c.payments.get("training", 0), TRAINING_HALF_EFFECT_C)
        e = float(c.excellence)
        e = e + LEARNING_RATE * (100 - e) * t
        sl = c.service_level
        if sl > s:
            e = e + SERVICE_LEARNING * (sl - s) / (1 - s) * (100 - e)
        elif sl < s:
            e = e - EXCELLENCE_DECAY * (s - sl) / s * e
        c.excellence = min(100.0, max(0.0, e))
        # the label is an award: assessed every LABEL_ASSESSMENT_YEARS, one step at a time
        c.label_years = c.label_years + 1
        if c.label_years >= LABEL_ASSESSMENT_YEARS:
            c.label_years = 0
            target = band_of(c.excellence)
            rank = c.label_rank
            if target > rank:
                rank = rank + 1
            elif target < rank:
                rank = rank - 1
            if rank != c.label_rank:
                c.label_rank = rank
                c.label = LABELS[rank]


def rule_funding_cliff(w):
    for c in w["clusters"]:
        last, li = c.last_public_income, c.last_income
        if last > 0 and li > 0:
            # share = last / li > dependency_threshold, drop = (last - public) / last > taper_tolerance
            fall = last - c.income.public
            if DEPENDENCY_D * last > DEPENDENCY_N * li and TAPER_D * fall > TAPER_N * last:
                # loss = cliff_churn * share * (drop - taper_tolerance) / (1 - taper_tolerance), exact
                loss = (CHURN_N * (fall * TAPER_D - last * TAPER_N)) / (CHURN_D * li * (TAPER_D - TAPER_N))
                members_leave(c, member_count(c) * loss)


# --- what is recorded: the shape of a run's row ------------------------------------------

# the numeric fields of a cluster, in the order snapshot writes them; the last
# two exist from the first simulated year on
CLUSTER_FIELDS = ["members.sme", "members.large", "members.research",
                  "jobs_per_member.sme", "jobs_per_member.large", "jobs_per_member.research",
                  "jobs", "jobs_by_type.sme", "jobs_by_type.large", "jobs_by_type.research",
                  "staff", "budget", "label_rank", "label_years", "excellence", "export_share",
                  "base_export_share", "scaleups", "capacity", "service_level",
                  "income.fees", "income.public", "income.capital", "income.projects",
                  "income.passed_on", "last_income", "last_public_income"]
NF = len(CLUSTER_FIELDS)       # 27
NYEAR = NF - 2                 # the fields recorded from the base year on
# held in cents (money) or percent (declared shares): / 100 in the total
HUNDREDTHS = [f in ("budget", "base_export_share", "income.fees", "income.public", "income.capital",
                    "income.projects", "income.passed_on", "last_income", "last_public_income")
              for f in CLUSTER_FIELDS]


def make_shape(w, first, last):
    """Series (entity, field, first year, last year) and each one's offset in a row.
    Like Clusim's results: every numeric field of every cluster, programme and
    of the total; last_* exist from the first simulated year; payments.PURPOSE
    for the years the cluster's funds of that purpose pay, passed_on.PURPOSE for
    those of its funds with per_sme."""
    ny = last - first + 1
    series = []
    off = 0

    def add(entity, fld, y0, y1):
        nonlocal off
        series.append((entity, fld, y0, y1, off))
        off += y1 - y0 + 1
        return off - (y1 - y0 + 1)

    for c in w["clusters"]:
        for i, fld in enumerate(CLUSTER_FIELDS):
            add(c.name, fld, first + 1 if i >= NYEAR else first, last)

    def money_series(field, funds):
        span = {}
        for f in funds:
            key = (f.recipient.name, f.purpose)
            y0, y1 = span.get(key, (f.last, f.first))
            span[key] = (min(y0, f.first), max(y1, f.last))
        offsets = {}
        for key in sorted(span):
            y0, y1 = span[key]
            offsets[key] = (add(key[0], field + "." + key[1], y0, y1), y0)
        return offsets, span

    pay_offsets, pay_span = money_series("payments", w["funds"])
    on_offsets, on_span = money_series("passed_on", [f for f in w["funds"] if f.per_sme is not None])
    for p in w["programmes"]:
        add(p.name, "budget", first, last)
        add(p.name, "remaining", first, last)
    total_off = off                      # the programmes' 2 * ny points each end here
    for i, fld in enumerate(CLUSTER_FIELDS):
        add("total", fld, first + 1 if i >= NYEAR else first, last)

    def totals(field, span):
        offsets = {}
        for purpose in PURPOSES:
            spans = [v for k, v in span.items() if k[1] == purpose]
            if spans:
                y0, y1 = min(s[0] for s in spans), max(s[1] for s in spans)
                offsets[purpose] = (add("total", field + "." + purpose, y0, y1), y0)
        return offsets

    tpay_offsets = totals("payments", pay_span)
    ton_offsets = totals("passed_on", on_span)
    return series, off, ny, pay_offsets, on_offsets, total_off, tpay_offsets, ton_offsets


def record_money(row, year, name, by_purpose, offsets, tot):
    """This year's money by purpose of one cluster into its series, and into the total's."""
    for purpose, amount in by_purpose.items():
        o, y0 = offsets[(name, purpose)]
        row[o + year - y0] = amount / 100
        tot[purpose] = tot.get(purpose, 0) + amount


def snapshot(w, year, first, row, shape):
    """Write year's values into row (series after series, as make_shape laid them out)."""
    _, _, ny, pay_offsets, on_offsets, total_off, tpay_offsets, ton_offsets = shape
    k = year - first
    lk = k - 1                   # index in the last_* series (they start a year later)
    # the total: exact sums for money (cents) and the declared percents, float sums
    # for estimates, cluster after cluster
    tot = [0] * NF
    tpay, ton = {}, {}
    base = 0
    has_last = True
    for c in w["clusters"]:
        m, jpm, jbt, inc = c.members, c.jobs_per_member, c.jobs_by_type, c.income
        li, lp = c.last_income, c.last_public_income
        row[base + k] = m.sme
        row[base + ny + k] = m.large
        row[base + 2 * ny + k] = m.research
        row[base + 3 * ny + k] = jpm.sme
        row[base + 4 * ny + k] = jpm.large
        row[base + 5 * ny + k] = jpm.research
        row[base + 6 * ny + k] = c.jobs
        row[base + 7 * ny + k] = jbt.sme
        row[base + 8 * ny + k] = jbt.large
        row[base + 9 * ny + k] = jbt.research
        row[base + 10 * ny + k] = c.staff
        row[base + 11 * ny + k] = c.budget / 100
        row[base + 12 * ny + k] = c.label_rank
        row[base + 13 * ny + k] = c.label_years
        row[base + 14 * ny + k] = c.excellence
        row[base + 15 * ny + k] = c.export_share
        row[base + 16 * ny + k] = c.base_export_share
        row[base + 17 * ny + k] = c.scaleups
        row[base + 18 * ny + k] = c.capacity
        row[base + 19 * ny + k] = c.service_level
        row[base + 20 * ny + k] = inc.fees / 100
        row[base + 21 * ny + k] = inc.public / 100
        row[base + 22 * ny + k] = inc.capital / 100
        row[base + 23 * ny + k] = inc.projects / 100
        row[base + 24 * ny + k] = inc.passed_on / 100
        if li is not None:
            row[base + 25 * ny + lk] = li / 100
            row[base + 26 * ny - 1 + lk] = lp / 100
            tot[25] = tot[25] + li
            tot[26] = tot[26] + lp
        else:
            has_last = False
        base += NF * ny - 2
        tot[0] = tot[0] + m.sme
        tot[1] = tot[1] + m.large
        tot[2] = tot[2] + m.research
        tot[3] = tot[3] + jpm.sme
        tot[4] = tot[4] + jpm.large
        tot[5] = tot[5] + jpm.research
        tot[6] = tot[6] + c.jobs
        tot[7] = tot[7] + jbt.sme
        tot[8] = tot[8] + jbt.large
        tot[9] = tot[9] + jbt.research
        tot[10] = tot[10] + c.staff
        tot[11] = tot[11] + c.budget
        tot[12] = tot[12] + c.label_rank
        tot[13] = tot[13] + c.label_years
        tot[14] = tot[14] + c.excellence
        tot[15] = tot[15] + c.export_share
        tot[16] = tot[16] + c.base_export_pct
        tot[17] = tot[17] + c.scaleups
        tot[18] = tot[18] + c.capacity
        tot[19] = tot[19] + c.service_level
        tot[20] = tot[20] + inc.fees
        tot[21] = tot[21] + inc.public
        tot[22] = tot[22] + inc.capital
        tot[23] = tot[23] + inc.projects
        tot[24] = tot[24] + inc.passed_on
        record_money(row, year, c.name, c.payments, pay_offsets, tpay)
        record_money(row, year, c.name, c.passed_on, on_offsets, ton)
    base = total_off - 2 * ny * len(w["programmes"])
    for p in w["programmes"]:
        row[base + k] = p.budget / 100
        row[base + ny + k] = p.remaining / 100
        base += 2 * ny
    for j in range(NF):
        if HUNDREDTHS[j]:
            tot[j] = tot[j] / 100
    if k == 0:
        tot[15] = tot[16]        # the base year's export shares are still the declared ones
    base = total_off
    for j in range(NYEAR):
        row[base + j * ny + k] = tot[j]
    if has_last:
        row[base + NYEAR * ny + lk] = tot[25]
        row[base + (NYEAR + 1) * ny - 1 + lk] = tot[26]
    for purpose, amount in tpay.items():
        o, y0 = tpay_offsets[purpose]
        row[o + year - y0] = amount / 100
    for purpose, amount in ton.items():
        o, y0 = ton_offsets[purpose]
        row[o + year - y0] = amount / 100


def run_once(base, first, last, growth_rate, shape, ledger):
    w = copy_world(base)
    row = array("d", [NAN]) * shape[1]
    snapshot(w, first, first, row, shape)
    for year in range(first + 1, last + 1):
        for c in w["clusters"]:
            c.payments, c.passed_on = {}, {}
        rule_funding(w, year, ledger)
        rule_organisation(w)
        rule_critical_mass(w, growth_rate)
        rule_scale_up(w)
        rule_internationalisation(w, year)
        rule_management_excellence(w)
        rule_funding_cliff(w)
        snapshot(w, year, first, row, shape)
    return row


def percentile(s, p):
    pos = p * (len(s) - 1)
    lo = int(math.floor(pos))
    hi = lo + 1 if lo + 1 < len(s) else lo
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def aggregate(rows, shape):
    """{entity: {field: {"first": y0, "mean": [...], "p5": [...], "p50": [...], "p95": [...]}}}"""
    series = shape[0]
    out = {}
    for entity, fld, y0, y1, off in series:
        mean, p5, p50, p95 = [], [], [], []
        for p in range(off, off + y1 - y0 + 1):
            vals = [x for r in rows if (x := r[p]) == x]     # skip NaN (no value that year)
            if not vals:
                mean.append(None); p5.append(None); p50.append(None); p95.append(None)
                continue
            vals.sort()
            mean.append(sum(vals) / len(vals))
            p5.append(percentile(vals, 0.05))
            p50.append(percentile(vals, 0.50))
            p95.append(percentile(vals, 0.95))
        out.setdefault(entity, {})[fld] = {"first": y0, "mean": mean, "p5": p5, "p50": p50,
                                           "p95": p95}
    return out


def dump(path, row, shape):
    """Every point of one run's row, as year,entity,field,value lines."""
    with open(path, "w") as fh:
        for entity, fld, y0, y1, off in shape[0]:
            for y in range(y0, y1 + 1):
                x = row[off + y - y0]
                if x == x:
                    fh.write("%d,%s,%s,%r\n" % (y, entity, fld, x))


SUMMARY = [("jobs", 0), ("members.sme", 1), ("scaleups", 1), ("export_share", 3),
           ("excellence", 2), ("income.fees", 0), ("income.public", 0)]


def fixed(x, digits):
    """x rounded to `digits` decimals, printed as Clusim prints an exact decimal."""
    s = "%.*f" % (digits, x)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def main():
    args = sys.argv[1:]
    check = "--check" in args
    dump_path = None
    if "--dump" in args:
        i = args.index("--dump")
        dump_path = args[i + 1]
        del args[i:i + 2]
    args = [a for a in args if a != "--check"]
    path = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "world.json")
    runs = 1 if check else (int(args[1]) if len(args) > 1 else 100)
    seed = 1
    base = load(path)
    first, last = base["first_year"], base["last_year"]
    shape = make_shape(base, first, last)
    rows = []
    ledger = []
    t0 = time.process_time()
    for k in range(runs):
        if check:
            growth_rate = GROWTH_RATE
        else:
            growth_rate = random.Random(seed * 1000003 + k).gauss(0.10, 0.02)
        rows.append(run_once(base, first, last, growth_rate, shape, ledger if k == 0 else None))
    t1 = time.process_time()
    if dump_path:
        dump(dump_path, rows[0], shape)
    res = aggregate(rows, shape)
    t2 = time.process_time()
    total = res["total"]
    for fld, digits in SUMMARY:
        s = total[fld]
        i = last - s["first"]
        if check:
            print("total %s %d: %r" % (fld, last, s["mean"][i]))
        else:
            print("total %s %d mean p5 p95: %s %s %s" % (
                fld, last, fixed(s["mean"][i], digits), fixed(s["p5"][i], digits),
                fixed(s["p95"][i], digits)))
    if os.environ.get("WORLD_VERBOSE"):
        print("points per run: %d, runs: %d, ledger entries (run 0): %d"
              % (shape[1], runs, len(ledger)), file=sys.stderr)
        print("cpu: runs %.2f s, statistics %.2f s" % (t1 - t0, t2 - t1), file=sys.stderr)


if __name__ == "__main__":
    main()
