#!/usr/bin/env python3
"""bench/world/gen.py - generate the "world" benchmark: a made-up world of
clusters, regions, programmes, funds and partnerships, written three ways:

  world.clu   Clusim declarations (region / cluster / programme / fund / partnership)
  world.lua   the same data as a Lua table  (read by model.lua)
  world.json  the same data as JSON         (read by model.py)

and two Clusim programs that run the stdlib model on it:

  bench.clu   scenario bench { years: 1995..2025, runs: RUNS, seed: 1,
              set growth_rate = random_normal(10%, 2%) }, run, print a summary
  check.clu   one deterministic run (growth_rate stays 10%), prints the same
              summary: model.lua / model.py with --check must print the same
              numbers (to ~1e-9; the check in run.sh compares them)

The data are pseudo-random from a fixed seed, so every machine gets the same
files.  All money is whole euros (multiples of 1,000 EUR; per_sme, of 500 EUR), so
that it is exact in every language.  Nothing here is real: the names are Region01, Cluster0001 ...

usage: python3 bench/world/gen.py [--clusters N] [--runs R] [--seed S] [--out DIR]
  defaults: 1000 clusters (50 regions, 20 programmes, 1.5 funds and 0.1
  partnerships per cluster), 100 runs, seed 20251127, DIR = this directory.
  A smaller world (e.g. --clusters 50 --runs 5 --out /tmp/w) is handy for
  profiling:  valgrind --tool=callgrind build/clusim /tmp/w/bench.clu
"""

import argparse
import json
import os
import random

FIRST_YEAR, LAST_YEAR = 1995, 2025       # base year, last simulated year

COUNTRIES = ["AT", "BE", "BG", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR",
             "HU", "IE", "IT", "LT", "LV", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
ECOSYSTEMS = ["aerospace-defence", "agri-food", "construction", "cultural-creative",
              "digital", "electronics", "energy-intensive", "health", "mobility",
              "proximity-social", "renewable-energy", "retail", "textiles", "tourism"]
THIRD = ["JP", "CA", "US", "KR", "IN", "BR", "SG", "AU", "MX", "ZA", "CL", "VN"]
PURPOSES = ["operating", "investment", "internationalisation", "scaleup", "training"]
LABELS = ["none", "bronze", "silver", "gold"]


def generate(n_clusters, seed):
    rnd = random.Random(seed)
    n_regions = min(50, max(2, n_clusters // 20))
    n_programmes = min(20, max(2, n_clusters // 50))
    n_funds = n_clusters * 3 // 2
    n_partnerships = max(1, n_clusters // 10)

    regions = []
    for i in range(n_regions):
        zone = rnd.choices(["a", "c", "none"], weights=[25, 35, 40])[0]
        regions.append({"name": "Region%02d" % (i + 1), "country": rnd.choice(COUNTRIES),
                        "aid_zone": zone})

    clusters = []
    for i in range(n_clusters):
        # size: mostly mid-sized, some tiny (below critical mass), a few big
        kind = rnd.random()
        if kind < 0.10:
            sme = rnd.randint(3, 40)
        elif kind < 0.90:
            sme = rnd.randint(40, 400)
        else:
            sme = rnd.randint(400, 1200)
        large = 0 if rnd.random() < 0.2 else rnd.randint(1, max(1, sme // 8))
        research = 0 if rnd.random() < 0.15 else rnd.randint(1, max(1, sme // 15))
        n = sme + large + research
        c = {
            "name": "Cluster%04d" % (i + 1),
            "region": rnd.randrange(n_regions),                 # index into regions
            "ecosystem": rnd.choice(ECOSYSTEMS),
            "sme": sme, "large": large, "research": research,
            "jobs": n * rnd.randint(15, 150),
            "staff": rnd.randint(1, 25),
            "label": rnd.choices(LABELS, weights=[35, 30, 25, 10])[0],
            "budget": rnd.randint(40, 3000) * 1000,              # EUR / year
            "export_share": rnd.randint(0, 70),                  # percent
        }
        if rnd.random() < 0.3:                                   # else: the label's threshold
            c["excellence"] = rnd.randint(5, 95)
        clusters.append(c)

    programmes = []
    for i in range(n_programmes):
        level = rnd.choices(["eu", "national", "regional"], weights=[20, 40, 40])[0]
        aid = rnd.choice(["gber27", "de_minimis", "notified", "none"])
        programmes.append({"name": "Programme%02d" % (i + 1), "level": level, "aid": aid, "budget": 0})

    funds = []
    seen = set()
    while len(funds) < n_funds:
        p = rnd.randrange(n_programmes)
        c = rnd.randrange(n_clusters)
        purpose = rnd.choices(PURPOSES, weights=[30, 15, 20, 20, 15])[0]
        if (p, c, purpose) in seen:            # the same triple would replace a fund
            continue
        seen.add((p, c, purpose))
        amount = rnd.randint(10, 600) * 1000   # EUR / year
        start = rnd.randint(FIRST_YEAR + 1, LAST_YEAR - 1)
        end = min(LAST_YEAR, start + rnd.randint(0, 7))
        funds.append({"programme": p, "recipient": c, "purpose": purpose, "amount": amount,
                      "first": start, "last": end,
                      "eligible_costs": amount * rnd.randint(10, 30) // 10 // 1000 * 1000})

    # envelopes: most programmes can pay everything, some run out part-way
    due = [0] * n_programmes
    for f in funds:
        due[f["programme"]] += f["amount"] * (f["last"] - f["first"] + 1)
    for i, p in enumerate(programmes):
        factor = rnd.choice([0.5, 0.7, 0.9, 1.1, 1.2, 1.5])
        p["budget"] = max(1000, int(due[i] * factor) // 1_000_000 * 1_000_000)

    partnerships = []
    for i in range(n_partnerships):
        k = rnd.randint(2, 6)
        members = rnd.sample(range(n_clusters), min(k, n_clusters))
        start = rnd.randint(FIRST_YEAR + 1, LAST_YEAR - 2)
        end = min(LAST_YEAR, start + rnd.randint(2, 9))
        partnerships.append({"name": "Partnership%03d" % (i + 1), "members": members,
                             "targets": rnd.sample(THIRD, rnd.randint(1, 3)),
                             "first": start, "last": end})

    # model v2's optional fields, drawn last so that the draws above (and the world
    # they made) stay as they were: some clusters give their jobs by member type
    # (then a new member brings the cluster's own average for its type) or their
    # capacity; some scale-up funds pass per_sme on to each member SME.
    for c in clusters:
        if rnd.random() < 0.2:
            weights = [c["sme"] * rnd.randint(5, 40), c["large"] * rnd.randint(200, 2000),
                       c["research"] * rnd.randint(50, 400)]
            parts = [c["jobs"] * x // sum(weights) for x in weights]
            parts[0] += c["jobs"] - sum(parts)                  # sme >= 3: the rest to the SMEs
            c["jobs_by_type"] = dict(zip(("sme", "large", "research"), parts))
            del c["jobs"]
        if rnd.random() < 0.1:
            c["capacity"] = (c["sme"] + c["large"] + c["research"]) * rnd.randint(12, 30) // 10
    for f in funds:
        if f["purpose"] == "scaleup" and rnd.random() < 0.3:
            f["per_sme"] = rnd.randint(1, 10) * 500             # EUR to each member SME

    return {"first_year": FIRST_YEAR, "last_year": LAST_YEAR, "regions": regions,
            "clusters": clusters, "programmes": programmes, "funds": funds,
            "partnerships": partnerships}


def eur(n):
    """Whole euros as Clusim source: 250000 -> 250k, 3000000 -> 3M."""
    if n % 1_000_000 == 0:
        return "%dM" % (n // 1_000_000)
    if n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def write_clu(w, path):
    regs, cls, progs = w["regions"], w["clusters"], w["programmes"]
    out = ["# generated by bench/world/gen.py - do not edit (make bench regenerates it)\n"]
    for r in regs:
        out.append('region %s { country: "%s", aid_zone: "%s" }\n' % (r["name"], r["country"], r["aid_zone"]))
    out.append("\n")
    for c in cls:
        out.append("cluster %s {\n" % c["name"])
        out.append("  region: %s\n" % regs[c["region"]]["name"])
        out.append('  ecosystem: "%s"\n' % c["ecosystem"])
        out.append("  members: {sme: %d, large: %d, research: %d}\n" % (c["sme"], c["large"], c["research"]))
        if "jobs_by_type" in c:
            out.append("  jobs_by_type: {sme: %(sme)d, large: %(large)d, research: %(research)d}\n" % c["jobs_by_type"])
        else:
            out.append("  jobs: %d\n" % c["jobs"])
        if "capacity" in c:
            out.append("  capacity: %d\n" % c["capacity"])
        out.append("  staff: %d\n" % c["staff"])
        out.append('  label: "%s"\n' % c["label"])
        if "excellence" in c:
            out.append("  excellence: %d\n" % c["excellence"])
        out.append("  budget: %s EUR / year\n" % eur(c["budget"]))
        out.append("  export_share: %d%%\n" % c["export_share"])
        out.append("}\n")
    out.append("\n")
    for p in progs:
        out.append('programme %s { level: "%s", budget: %s EUR, aid: "%s" }\n'
                   % (p["name"], p["level"], eur(p["budget"]), p["aid"]))
    out.append("\n")
    for f in w["funds"]:
        per_sme = ", per_sme: %s EUR" % eur(f["per_sme"]) if "per_sme" in f else ""
        out.append("fund %s -> %s {\n  amount: %s EUR / year, years: %d..%d\n"
                   '  purpose: "%s", eligible_costs: %s EUR / year%s\n}\n'
                   % (progs[f["programme"]]["name"], cls[f["recipient"]]["name"], eur(f["amount"]),
                      f["first"], f["last"], f["purpose"], eur(f["eligible_costs"]), per_sme))
    out.append("\n")
    for q in w["partnerships"]:
        out.append("partnership %s {\n  members: [%s]\n  targets: [%s]\n  years: %d..%d\n}\n"
                   % (q["name"], ", ".join(cls[i]["name"] for i in q["members"]),
                      ", ".join('"%s"' % t for t in q["targets"]), q["first"], q["last"]))
    with open(path, "w") as fh:
        fh.write("".join(out))


def lua_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, list):
        return "{" + ",".join(lua_value(x) for x in v) + "}"
    if isinstance(v, dict):
        return "{" + ",".join("%s=%s" % (k, lua_value(x)) for k, x in v.items()) + "}"
    raise TypeError(type(v))


def write_lua(w, path):
    # Indices are 0-based in the data (as in JSON); model.lua adds 1.
    with open(path, "w") as fh:
        fh.write("-- generated by bench/world/gen.py - do not edit\nreturn {\n")
        fh.write("first_year=%d,last_year=%d,\n" % (w["first_year"], w["last_year"]))
        for key in ("regions", "clusters", "programmes", "funds", "partnerships"):
            fh.write("%s={\n" % key)
            for x in w[key]:
                fh.write(lua_value(x) + ",\n")
            fh.write("},\n")
        fh.write("}\n")


# The summary every program prints (model.lua and model.py print the same lines):
# totals over all clusters in the last year.  (label, field path, digits)
SUMMARY = [
    ("jobs", "jobs", 0),
    ("members.sme", "members.sme", 1),
    ("scaleups", "scaleups", 1),
    ("export_share", "export_share", 3),
    ("excellence", "excellence", 2),
    ("income.fees", "income.fees", 0),
    ("income.public", "income.public", 0),
]


def write_programs(w, out, runs):
    first, last = w["first_year"], w["last_year"]
    with open(os.path.join(out, "bench.clu"), "w") as fh:
        fh.write("# generated by bench/world/gen.py: the world benchmark (the stdlib model on world.clu)\n")
        fh.write('import "world.clu"\n\n')
        fh.write("scenario bench {\n  years: %d..%d\n  runs: %d\n  seed: 1\n"
                 "  set growth_rate = random_normal(10%%, 2%%)\n}\n" % (first, last, runs))
        fh.write("run bench\n\n")
        for label, path, digits in SUMMARY:
            fh.write('print "total %s %d mean p5 p95:", round(bench.total.%s[%d], %d), '
                     'round(bench.total.%s.p5[%d], %d), round(bench.total.%s.p95[%d], %d)\n'
                     % (label, last, path, last, digits, path, last, digits, path, last, digits))
    with open(os.path.join(out, "check.clu"), "w") as fh:
        fh.write("# generated by bench/world/gen.py: one deterministic run (growth_rate 10%), to check\n"
                 "# that model.lua --check and model.py --check compute what stdlib/model.clu does\n")
        fh.write('import "world.clu"\n\n')
        fh.write("scenario check { years: %d..%d }\nrun check\n\n" % (first, last))
        for label, path, digits in SUMMARY:
            fh.write('print "total %s %d:", inexact(check.total.%s[%d])\n' % (label, last, path, last))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clusters", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20251127)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    w = generate(a.clusters, a.seed)
    write_clu(w, os.path.join(a.out, "world.clu"))
    write_lua(w, os.path.join(a.out, "world.lua"))
    with open(os.path.join(a.out, "world.json"), "w") as fh:
        json.dump(w, fh, separators=(",", ":"))
    write_programs(w, a.out, a.runs)
    print("bench/world/gen.py: %d regions, %d clusters, %d programmes, %d funds, %d partnerships -> %s"
          % (len(w["regions"]), len(w["clusters"]), len(w["programmes"]), len(w["funds"]),
             len(w["partnerships"]), a.out))


if __name__ == "__main__":
    main()
