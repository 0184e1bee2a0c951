/* world_help.c - the help topics of the prompt (see world_help.h).  The
 * figures named here are the defaults of stdlib/model.clu and
 * stdlib/stateaid.clu; each text names the param that holds a figure, so
 * `:help PARAM` gives its value, range and source. */
#include "world_help.h"

#include <ctype.h>
#include <string.h>

const HelpTopic help_topics[] = {
    {"critical_mass", "critical", "Critical mass: the size below which a cluster shrinks",
     "A cluster needs enough members to sustain itself. Below `critical_mass`\n"
     "(60 members by default) it loses members each year; above it, it grows\n"
     "towards its `capacity`, by at most `max_yearly_change` a year. A well-funded\n"
     "cluster organisation with good services lowers the critical mass (up to\n"
     "`max_support`). The rule is critical_mass_growth; doc/model.md, rule 3.\n"
     "Example: scenario small { years: 2025..2035, set critical_mass = 40 }\n"},
    {"smart_specialisation", "smart_specialization s3", "Smart specialisation: regions' priority domains",
     "Smart specialisation strategies (S3) are the research and innovation\n"
     "priorities of EU regions; cluster policy is often aligned with them.\n"
     "Clusim does not model a region's strategy: a cluster's `ecosystem` field\n"
     "names its industrial ecosystem, for grouping and reading results, and a\n"
     "region matters for state aid (its `aid_zone`), not for growth.\n"
     "Example: cluster Agri { region: Occitanie, ecosystem: \"agri-food\", members: {sme: 80} }\n"},
    {"de_minimis", "deminimis", "De minimis: small aid that needs no exemption",
     "Aid to one undertaking up to `de_minimis_ceiling` (300,000 EUR over any\n"
     "three years, Reg. 2023/2831; 200,000 EUR over three fiscal years before\n"
     "2024) is not State aid under Art. 107 TFEU. A programme with\n"
     "aid: \"de_minimis\" is checked against it by `audit`, also for cascade\n"
     "grants passed on to member SMEs. doc/stateaid.md, section 6.\n"
     "Example: programme Regional { level: \"regional\", budget: 2M EUR, aid: \"de_minimis\" }\n"},
    {"gber27", "gber art27 article27 gber_27", "GBER Article 27: aid for innovation clusters",
     "The General Block Exemption Regulation allows aid to innovation clusters\n"
     "without notifying the Commission: investment aid up to\n"
     "`investment_aid_max_intensity` (50%, +15 points in 'a' areas, +5 in 'c'\n"
     "areas) and operating aid up to `operating_aid_max_intensity` (50% of the\n"
     "costs) for at most `operating_aid_max_years`; above `notification_threshold`\n"
     "(10M EUR per cluster) aid must be notified. A programme with aid: \"gber27\"\n"
     "is checked by `audit`. doc/stateaid.md, sections 4, 5 and 9.\n"
     "Example: fund Regional -> AerospaceValley { amount: 500k EUR / year, years: 2026..2028, purpose: \"operating\", eligible_costs: 1M EUR / year }\n"},
    {"cumulation", "cumulating", "Cumulation: several aids on the same costs",
     "Aid from several programmes on the same eligible costs adds up: the total\n"
     "must stay within the highest intensity that applies (GBER Art. 8(3)), and\n"
     "EU money the Commission manages itself (management: \"eu_central\") must\n"
     "keep the total public funding within `eu_funding_rate` (Art. 8(2)).\n"
     "`audit` adds the payments of every programme per cluster and year.\n"
     "doc/stateaid.md, sections 7 and 8.\n"
     "Example: audit policy     # a finding names each programme that adds up\n"},
    {"scaleup", "scale_up scale-up scaling_up", "Scale-up: member SMEs that grow",
     "Each year a share of a cluster's member SMEs scale up (`base_scaleup_rate`,\n"
     "more with funding of purpose \"scaleup\" per SME, up to `scaleup_boost`);\n"
     "each creates `jobs_per_scaleup` jobs, and `graduation_share` of them become\n"
     "large members. The rule is scale_up; doc/model.md, rule 4.\n"
     "Example: scenario boost extends baseline { set scaleup_boost = 6% }\n"},
    {"euroclusters", "eurocluster", "Euroclusters: EU-funded strategic cluster partnerships",
     "Euroclusters are partnerships of clusters from several EU countries funded\n"
     "by the Single Market Programme, managed by the Commission itself: that\n"
     "money is not State aid (programme management: \"eu_central\"), but counts\n"
     "in cumulation (Art. 8(2)). In Clusim a `partnership` of clusters with\n"
     "target markets raises its members' export share (rule internationalisation).\n"
     "Example: partnership Aero { members: [AerospaceValley, BavAIRia], targets: [\"JP\"], years: 2026..2029 }\n"},
    {"labels", "label cluster_labels cluster_label excellence", "Cluster labels: management excellence",
     "Cluster organisations are assessed for the quality of their management:\n"
     "the labels are none, bronze, silver and gold (the European Cluster\n"
     "Excellence labels). A cluster's `excellence` score rises with training\n"
     "funding and good services; every `label_assessment_years` its label moves\n"
     "one step towards the score's band. The rule is management_excellence;\n"
     "doc/model.md, rule 6.\n"
     "Example: cluster Young { members: {sme: 40}, label: \"bronze\", budget: 300k EUR / year }\n"},
    {"funding_cliff", "cliff tapering taper", "Funding cliff: when public money stops at once",
     "A cluster organisation that lives on public running income loses members\n"
     "when that income falls by more than `taper_tolerance` in a year and was\n"
     "more than `dependency_threshold` of its running income. Tapering a grant\n"
     "(a fund with a yearly schedule that falls step by step) avoids the cliff.\n"
     "doc/model.md, rule 7.\n"
     "Example: fund Region -> Young { schedule: {2026: 300k EUR / year, 2027: 200k EUR / year, 2028: 100k EUR / year}, years: 2026..2028, purpose: \"operating\", eligible_costs: 600k EUR / year }\n"},
    {"units", "unit", "Units: money and time are checked",
     "Every number carries a unit, usually none: EUR, year, their products and\n"
     "quotients (EUR / year), and units you declare (unit job). Adding EUR to\n"
     "EUR / year is an error with its location; multiplying converts\n"
     "(250k EUR / year * 3 year is 750000 EUR). unit_of(x) names a unit.\n"
     "Example: print 2.4M EUR / year * 2 year\n"},
    {"money", "exact exactness", "Money is exact: no rounding you did not ask for",
     "Numbers written with digits are exact (1/3 stays 1/3, 0.1 + 0.2 == 0.3);\n"
     "inexact() makes a double for estimates, round(x, 2) brings an estimate\n"
     "back to the cent. Money that is paid stays exact, so the ledger balances\n"
     "to the cent; members and jobs are estimates.\n"
     "Example: print round(inexact(1/3) * 1M EUR, 2)\n"},
    {"series", "results", "Series: a result year by year",
     "After run S, S.X.field is a series: the field's value in each year,\n"
     "indexed by year (S.X.jobs[2030]); S.total.field sums the clusters. Series\n"
     "take arithmetic with each other and with numbers (S.X.jobs - B.X.jobs),\n"
     "and sum, max, mean, round over their years. Many-run scenarios also have\n"
     ".p5 .p50 .p95.\n"
     "Example: print max(scaleup.total.jobs - baseline.total.jobs)\n"},
    {"runs", "monte_carlo montecarlo uncertainty", "Runs: many draws of an uncertain scenario",
     "runs: N in a scenario runs it N times, each with its own random draws\n"
     "(set growth_rate = max(0%, random_normal(10%, 3%)): a param's draw must\n"
     "stay within its range); its series hold the mean and .p5 .p50 .p95. The\n"
     "same seed gives the same numbers with any --jobs, and\n"
     "clusim --shard K/N spreads the runs over machines.\n"
     "Example: scenario uncertain extends baseline { runs: 500, seed: 7, set growth_rate = max(0%, random_normal(10%, 3%)) }\n"},
    {NULL, NULL, NULL, NULL},
};

/* a and b equal, with case, spaces and hyphens ignored as said above;
 * b is a name as written in the table (lower case, underscores). */
static bool same_name(const char *a, const char *b, size_t blen) {
  size_t i = 0;
  for (; *a && i < blen; a++, i++) {
    char c = (char)tolower((unsigned char)*a);
    if (c == ' ' || c == '-') c = '_';
    if (c != b[i]) return false;
  }
  return !*a && i == blen;
}

const HelpTopic *help_topic_find(const char *name) {
  for (const HelpTopic *t = help_topics; t->name; t++) {
    if (same_name(name, t->name, strlen(t->name))) return t;
    for (const char *p = t->aliases; p && *p;) {
      const char *end = strchr(p, ' ');
      size_t len = end ? (size_t)(end - p) : strlen(p);
      if (same_name(name, p, len)) return t;
      p = end ? end + 1 : p + len;
    }
  }
  return NULL;
}
