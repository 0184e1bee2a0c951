"""bench/world/model.py - the Clusim cluster model (stdlib/model.clu, MODEL.md
section 2: the seven rules with the default parameters) written in plain
Python 3, run on the world that gen.py wrote to world.json.

usage: python3 model.py [world.json] [RUNS]      (default: world.json here, 100 runs)
       python3 model.py world.json --check        one run, growth_rate 10%, full digits

The work is the one Clusim does for
    scenario bench { years: 1995..2025, runs: 100, seed: 1,
                     set growth_rate = random_normal(10%, 2%) }
    run bench
per run: copy the world, draw growth_rate, simulate 30 years rule by rule
(each rule over every fund / cluster in declaration order), record every
numeric field of every cluster (and of every programme, and the total over the
clusters) at the end of every year as one row of doubles; after the runs,
the mean and the 5th/50th/95th percentiles (linear interpolation, as numpy)
of every (entity, field, year) point.  Then it prints the same summary as
bench.clu.  The random numbers differ from Clusim's (another generator).

Numbers as in the Clusim model: members, jobs, shares and scores are floats
(estimates); money is exact, held as **int cents** (all amounts in the data are
whole euros; fees = round(members * 1500 EUR, 2) are rounded half-to-even from
the float's exact binary value, as Clusim's round does); ratios of money are
int / int true divisions, correctly rounded like Clusim's inexact(a / b).
Clusters are objects of small __slots__ classes (a record with fields by
name; partnership membership is an identity test, like Clusim's contains()).
"""

import json
import math
import os
import random
import sys
import time
from array import array

# --- parameters (stdlib/model.clu defaults) ----------------------------------
GROWTH_RATE = 0.1            # 10%
CRITICAL_MASS = 60
CAPACITY = 2000
MAX_SUPPORT = 0.5
FEE_PER_MEMBER = 1500        # EUR / year
BASE_SCALEUP_RATE = 0.04
SCALEUP_BOOST = 0.04
SCALEUP_HALF_EFFECT = 20000.0    # EUR / year
JOBS_PER_SCALEUP = 10
INTL_SPEED = 0.1
PARTNERSHIP_EFFECT = 0.5
INTL_HALF_EFFECT_C = 200000 * 100    # cents / year
LEARNING_RATE = 0.3
EXCELLENCE_DECAY = 0.03
TRAINING_HALF_EFFECT_C = 50000 * 100  # cents / year
DEPENDENCY_THRESHOLD = 0.5
CLIFF_CHURN = 0.2

THRESHOLD = {"none": 20, "bronze": 40, "silver": 60, "gold": 80}
PURPOSES = ["operating", "investment", "internationalisation", "scaleup", "training"]
NAN = float("nan")


class Members:
    __slots__ = ("sme", "large", "research")


class Income:
    __slots__ = ("fees", "public")


class Cluster:
    __slots__ = ("name", "region", "ecosystem", "members", "jobs", "staff", "label", "budget",
                 "export_share", "excellence", "scaleups", "service_level", "income", "payments",
                 "last_income", "last_public_income")


class Programme:
    __slots__ = ("name", "level", "aid", "budget", "remaining")


class Fund:
    __slots__ = ("programme", "recipient", "purpose", "amount", "first", "last", "eligible_costs")


class Partnership:
    __slots__ = ("name", "members", "targets", "first", "last")


# --- the base world -------------------------------------------------------------

def load(path):
    with open(path) as fh:
        d = json.load(fh)
    regions = d["regions"]
    clusters = []
    for x in d["clusters"]:
        c = Cluster()
        c.name, c.region, c.ecosystem = x["name"], regions[x["region"]], x["ecosystem"]
        m = Members()
        m.sme, m.large, m.research = x["sme"], x["large"], x["research"]
        c.members = m
        c.jobs, c.staff, c.label = x["jobs"], x["staff"], x["label"]
        c.budget = x["budget"] * 100                      # cents / year
        c.export_share = x["export_share"] / 100          # 29% -> 0.29 (correctly rounded)
        c.excellence = x.get("excellence", THRESHOLD[x["label"]])
        c.scaleups = 0
        c.service_level = 0
        inc = Income()
        inc.fees, inc.public = 0, 0
        c.income = inc
        c.payments = {}
        c.last_income = c.last_public_income = None
        clusters.append(c)
    programmes = []
    for x in d["programmes"]:
        p = Programme()
        p.name, p.level, p.aid = x["name"], x["level"], x["aid"]
        p.budget = x["budget"] * 100                      # cents
        p.remaining = None
        programmes.append(p)
    funds = []
    for x in d["funds"]:
        f = Fund()
        f.programme, f.recipient = programmes[x["programme"]], clusters[x["recipient"]]
        f.purpose, f.amount = x["purpose"], x["amount"] * 100
        f.first, f.last, f.eligible_costs = x["first"], x["last"], x["eligible_costs"] * 100
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


def copy_world(w):
    """A scenario's own copy of the base world (references point at the copies)."""
    cmap, pmap = {}, {}
    clusters = []
    for b in w["clusters"]:
        c = Cluster()
        c.name, c.region, c.ecosystem = b.name, b.region, b.ecosystem
        m = Members()
        m.sme, m.large, m.research = b.members.sme, b.members.large, b.members.research
        c.members = m
        c.jobs, c.staff, c.label, c.budget = b.jobs, b.staff, b.label, b.budget
        c.export_share, c.excellence, c.scaleups = b.export_share, b.excellence, b.scaleups
        c.service_level = b.service_level
        inc = Income()
        inc.fees, inc.public = b.income.fees, b.income.public
        c.income = inc
        c.payments = dict(b.payments)
        c.last_income, c.last_public_income = b.last_income, b.last_public_income
        cmap[id(b)] = c
        clusters.append(c)
    programmes = []
    for b in w["programmes"]:
        p = Programme()
        p.name, p.level, p.aid, p.budget, p.remaining = b.name, b.level, b.aid, b.budget, b.remaining
        pmap[id(b)] = p
        programmes.append(p)
    funds = []
    for b in w["funds"]:
        f = Fund()
        f.programme, f.recipient = pmap[id(b.programme)], cmap[id(b.recipient)]
        f.purpose, f.amount, f.first, f.last = b.purpose, b.amount, b.first, b.last
        f.eligible_costs = b.eligible_costs
        funds.append(f)
    partnerships = []
    for b in w["partnerships"]:
        q = Partnership()
        q.name, q.members, q.targets = b.name, [cmap[id(c)] for c in b.members], list(b.targets)
        q.first, q.last = b.first, b.last
        partnerships.append(q)
    return {"clusters": clusters, "programmes": programmes, "funds": funds,
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
    return float(m.sme) + float(m.large) + float(m.research)


def paid(c, purpose=None):
    if purpose is None:
        return sum(c.payments.values())
    return c.payments.get(purpose, 0)


def saturation_cents(amount, half):
    """amount, half in cents: exact quotient, correctly rounded."""
    if amount <= 0:
        return 0.0
    return amount / (amount + half)


def label_of(score):
    if score >= 80:
        return "gold"
    elif score >= 60:
        return "silver"
    elif score >= 40:
        return "bronze"
    return "none"


def set_member_total(c, total):
    n = member_count(c)
    m = c.members
    if total <= 0 or n <= 0:
        m.sme = m.large = m.research = 0.0
        return
    s, l, r = float(m.sme), float(m.large), float(m.research)
    s2 = total * (s / n)
    l2 = total * (l / n)
    r2 = total * (r / n)
    if r > 0:
        r2 = total - (s2 + l2)
    elif l > 0:
        l2 = total - s2
    else:
        s2 = total
    if s2 + l2 + r2 != total:
        if r > 0:
            s2 = (s2 + total) - total
            l2 = (l2 + total) - total
            r2 = total - (s2 + l2)
        else:
            s2 = (s2 + total) - total
            l2 = total - s2
    m.sme = max(0.0, s2)
    m.large = max(0.0, l2)
    m.research = max(0.0, r2)


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
                ledger.append({"year": year, "programme": p.name, "recipient": c.name,
                               "purpose": f.purpose, "amount": amount,
                               "eligible_costs": f.eligible_costs, "unpaid": unpaid,
                               "aid": p.aid, "level": p.level})
            c.payments[f.purpose] = c.payments.get(f.purpose, 0) + amount


def rule_organisation(w):
    for c in w["clusters"]:
        inc = c.income
        c.last_income = inc.fees + inc.public
        c.last_public_income = inc.public
        n = member_count(c)
        inc.fees = round_cents(n * FEE_PER_MEMBER)
        inc.public = paid(c)
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
            change = max(-n, growth_rate * (n - m) * (1 - n / CAPACITY))
            jobs = float(c.jobs)
            set_member_total(c, n + change)
            if n + change > 0:
                c.jobs = max(0.0, jobs + change * jobs / n)
            else:
                c.jobs = 0.0


def rule_scale_up(w):
    for c in w["clusters"]:
        smes = float(c.members.sme)
        if smes > 0:
            per_sme = (paid(c, "scaleup") / 100) / smes
            f = 0.0 if per_sme <= 0 else per_sme / (per_sme + SCALEUP_HALF_EFFECT)
            new = smes * (BASE_SCALEUP_RATE + SCALEUP_BOOST * f)
            c.scaleups = c.scaleups + new
            c.jobs = c.jobs + new * JOBS_PER_SCALEUP


def rule_internationalisation(w, year):
    partnerships = w["partnerships"]
    for c in w["clusters"]:
        p = 0
        for q in partnerships:
            if q.first <= year <= q.last and c in q.members:   # active(q) and contains(...)
                p = p + 1
        g = saturation_cents(paid(c, "internationalisation"), INTL_HALF_EFFECT_C)
        x = float(c.export_share)
        c.export_share = min(1.0, x + INTL_SPEED * (1 - x) * (PARTNERSHIP_EFFECT * p + g))


def rule_management_excellence(w):
    for c in w["clusters"]:
        t = saturation_cents(paid(c, "training"), TRAINING_HALF_EFFECT_C)
        e = float(c.excellence)
        e = e + LEARNING_RATE * (100 - e) * t - EXCELLENCE_DECAY * e
        c.excellence = min(100.0, max(0.0, e))
        label = label_of(c.excellence)
        if label != c.label:
            c.label = label


def rule_funding_cliff(w):
    for c in w["clusters"]:
        if c.last_income > 0:
            share = c.last_public_income / c.last_income
            if share > DEPENDENCY_THRESHOLD and 2 * c.income.public < c.last_public_income:
                set_member_total(c, member_count(c) * (1 - CLIFF_CHURN * share))


# --- what is recorded: the shape of a run's row ------------------------------------------

CLUSTER_FIELDS = ["members.sme", "members.large", "members.research", "jobs", "staff", "budget",
                  "export_share", "excellence", "scaleups", "service_level", "income.fees",
                  "income.public", "last_income", "last_public_income"]
NF = len(CLUSTER_FIELDS)
MONEY = {"budget", "income.fees", "income.public", "last_income", "last_public_income"}


def make_shape(w, first, last):
    """Series (entity, field, first year, last year) and each one's offset in a row.
    Like Clusim's results: every numeric field of every cluster, programme and
    of the total; last_* exist from the first simulated year, payments.PURPOSE
    for the years the cluster's funds of that purpose pay."""
    ny = last - first + 1
    series = []
    off = 0

    def add(entity, fld, y0, y1):
        nonlocal off
        series.append((entity, fld, y0, y1, off))
        off += y1 - y0 + 1

    for c in w["clusters"]:
        for fld in CLUSTER_FIELDS:
            add(c.name, fld, first + 1 if fld.startswith("last_") else first, last)
    pay_span = {}
    for f in w["funds"]:
        key = (f.recipient.name, f.purpose)
        y0, y1 = pay_span.get(key, (f.last, f.first))
        pay_span[key] = (min(y0, f.first), max(y1, f.last))
    pay_offsets = {}
    for key in sorted(pay_span, key=lambda k: k):
        y0, y1 = pay_span[key]
        pay_offsets[key] = (off, y0)
        add(key[0], "payments." + key[1], y0, y1)
    for p in w["programmes"]:
        add(p.name, "budget", first, last)
        add(p.name, "remaining", first, last)
    total_off = off                      # the programmes' 2 * ny points each end here
    for fld in CLUSTER_FIELDS:
        add("total", fld, first + 1 if fld.startswith("last_") else first, last)
    tpay_offsets = {}
    for purpose in PURPOSES:
        spans = [v for k, v in pay_span.items() if k[1] == purpose]
        if spans:
            y0, y1 = min(s[0] for s in spans), max(s[1] for s in spans)
            tpay_offsets[purpose] = (off, y0)
            add("total", "payments." + purpose, y0, y1)
    return series, off, ny, pay_offsets, total_off, tpay_offsets


def snapshot(w, year, first, row, ny, pay_offsets, total_off, tpay_offsets):
    """Write year's values into row (series after series, as make_shape laid them out)."""
    k = year - first
    lk = k - 1                   # index in the last_* series (they start a year later)
    tot = [0] * NF
    tpay = {}
    base = 0
    has_last = True
    for c in w["clusters"]:
        m, inc = c.members, c.income
        li, lp = c.last_income, c.last_public_income
        row[base + k] = m.sme
        row[base + ny + k] = m.large
        row[base + 2 * ny + k] = m.research
        row[base + 3 * ny + k] = c.jobs
        row[base + 4 * ny + k] = c.staff
        row[base + 5 * ny + k] = c.budget / 100
        row[base + 6 * ny + k] = c.export_share
        row[base + 7 * ny + k] = c.excellence
        row[base + 8 * ny + k] = c.scaleups
        row[base + 9 * ny + k] = c.service_level
        row[base + 10 * ny + k] = inc.fees / 100
        row[base + 11 * ny + k] = inc.public / 100
        if li is not None:
            row[base + 12 * ny + lk] = li / 100
            row[base + 13 * ny - 1 + lk] = lp / 100
        else:
            has_last = False
        base += 14 * ny - 2
        # the total: exact sums for money (cents), float sums for estimates, in order
        tot[0] = tot[0] + m.sme
        tot[1] = tot[1] + m.large
        tot[2] = tot[2] + m.research
        tot[3] = tot[3] + c.jobs
        tot[4] = tot[4] + c.staff
        tot[5] = tot[5] + c.budget
        tot[6] = tot[6] + c.export_share
        tot[7] = tot[7] + c.excellence
        tot[8] = tot[8] + c.scaleups
        tot[9] = tot[9] + c.service_level
        tot[10] = tot[10] + inc.fees
        tot[11] = tot[11] + inc.public
        if li is not None:
            tot[12] = tot[12] + li
            tot[13] = tot[13] + lp
        for purpose, amount in c.payments.items():
            o, y0 = pay_offsets[(c.name, purpose)]
            row[o + year - y0] = amount / 100
            tpay[purpose] = tpay.get(purpose, 0) + amount
    base = total_off - 2 * ny * len(w["programmes"])
    for p in w["programmes"]:
        row[base + k] = p.budget / 100
        row[base + ny + k] = p.remaining / 100
        base += 2 * ny
    base = total_off
    for j in range(12):
        v = tot[j]
        row[base + j * ny + k] = v / 100 if CLUSTER_FIELDS[j] in MONEY else v
    if has_last:
        row[base + 12 * ny + lk] = tot[12] / 100
        row[base + 13 * ny - 1 + lk] = tot[13] / 100
    for purpose, amount in tpay.items():
        o, y0 = tpay_offsets[purpose]
        row[o + year - y0] = amount / 100


def run_once(base, first, last, growth_rate, shape, ledger):
    series, np_, ny, pay_offsets, total_off, tpay_offsets = shape
    w = copy_world(base)
    for p in w["programmes"]:
        p.remaining = p.budget
    row = array("d", [NAN]) * np_
    for c in w["clusters"]:
        c.payments = {}
    snapshot(w, first, first, row, ny, pay_offsets, total_off, tpay_offsets)
    for year in range(first + 1, last + 1):
        for c in w["clusters"]:
            c.payments = {}
        rule_funding(w, year, ledger)
        rule_organisation(w)
        rule_critical_mass(w, growth_rate)
        rule_scale_up(w)
        rule_internationalisation(w, year)
        rule_management_excellence(w)
        rule_funding_cliff(w)
        snapshot(w, year, first, row, ny, pay_offsets, total_off, tpay_offsets)
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
