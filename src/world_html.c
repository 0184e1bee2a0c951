/* world_html.c - `report A, B to "report.html"`: one self-contained HTML
 * file that a trainer can put on a projector or print to PDF.
 *
 * The report is computed first, as values, with the same functions the
 * statements use (report_compare, plot_chart, report_why, the audit's
 * %audit), then written out as HTML.  The file needs nothing but itself: the style sheet
 * is inline, the charts are inline SVG, there is no script and no link to
 * the network.  Every name and string taken from the program is escaped
 * (buf_put_html).  It is written through a temporary file renamed into
 * place (lib_write_file), so a failure leaves any older report whole.
 *
 * The page, in order: the scenarios (years, runs, seed, parent and the
 * entities of each run's world) and the params they set or disagree on;
 * one comparison per path (a chart, then a table of years by scenarios
 * with each one's change from the first); the `why` breakdown of the
 * headline numbers (the first two paths) in each scenario's last year;
 * each scenario's state-aid audit; last, the params that are the same in
 * every scenario.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "lib.h"
#include "num.h"
#include "vm.h"
#include "world.h"
#include "world_plot.h"
#include "world_report.h"
#include "world_results.h"

/* A report may name as many scenarios as compare. */
#define MAX_SCENARIOS 64
/* By default, the jobs of at most this many clusters get a table each. */
#define MAX_CLUSTER_PATHS 8
/* The headline paths (the first ones) get a `why` breakdown. */
#define WHY_PATHS 2
/* Entities of one kind listed by name before "and N more". */
#define MAX_LISTED 40

/* Everything the page shows, computed before it is written.  The lists
 * hang from one list rooted on the stack (`keep`). */
typedef struct {
  ObjScenario **ss;
  int n;
  ObjList *paths;  /* strings */
  ObjList *tables; /* report_compare's record for each path */
  ObjList *charts; /* plot_chart's record for each path */
  ObjList *whys;   /* per headline path, per scenario: report_why's record, or the reason (a string) */
  ObjList *audits; /* per scenario: the list of findings */
  Buffer out;      /* the page */
  Buffer text;     /* scratch: one number or value, escaped on its way to out */
} Report;

/* ---- small pieces ---------------------------------------------------------------- */

static void put_text(Buffer *out, const char *s) { buf_put_html(out, s); }

/* A value as value_print prints it, escaped. */
static void put_value(Interp *I, Report *r, Value v) {
  buf_clear(&r->text);
  value_print(I, &r->text, v, false);
  buf_put_html(&r->out, r->text.data);
}

/* How a number is shown in a table: as people read it (results_format_
 * human), with its unit or not; a share in percent, a share's change in
 * percentage points (format_compact_share, format_compact_points). */
typedef enum { SHOWN_BARE, SHOWN_WITH_UNIT, SHOWN_SHARE, SHOWN_POINTS } Shown;

/* A number shown `how`; "-" for none. */
static void put_number(Interp *I, Report *r, Value v, Shown how) {
  buf_clear(&r->text);
  if (IS_NIL(v) || IS_UNDEF(v)) buf_puts(&r->text, "\xe2\x80\x93");
  else if (how == SHOWN_SHARE) format_compact_share(I, &r->text, v);
  else if (how == SHOWN_POINTS) format_compact_points(I, &r->text, v);
  else results_format_human(I, &r->text, v);
  if (how == SHOWN_WITH_UNIT && num_is(v) && v.unit != UNIT_NONE) {
    buf_putc(&r->text, ' ');
    unit_format(&I->units, &r->text, v.unit);
  }
  buf_put_html(&r->out, r->text.data);
}

/* A change: its sign (a true minus), then the number. */
static void put_change(Interp *I, Report *r, Value d, Shown how) {
  if (IS_NIL(d) || isnan(num_to_double(d))) {
    buf_puts(&r->out, IS_NIL(d) ? "\xe2\x80\x93" : "nan");
    return;
  }
  int sign = world_is_zero(d) ? 0 : num_cmp(I, d, INT_VAL(0));
  if (sign) buf_puts(&r->out, sign > 0 ? "+" : "\xe2\x88\x92");
  Value a = num_abs(I, d);
  a.unit = d.unit;
  put_number(I, r, a, how);
}

/* The name of an entity, or the text of a string, or the value. */
static void put_name(Interp *I, Report *r, Value v) {
  if (IS_ENTITY(v)) put_text(&r->out, world_entity_name(I, AS_RECORD(v)));
  else if (IS_STRING(v)) put_text(&r->out, AS_CSTRING(v));
  else put_value(I, r, v);
}

/* The last cell of a row: a text (a doc line, a finding's details), if
 * there is one; then the end of the row. */
static void end_row(Report *r, Value text) {
  buf_puts(&r->out, "<td>");
  if (IS_STRING(text)) put_text(&r->out, AS_CSTRING(text));
  buf_puts(&r->out, "</td></tr>\n");
}

static const char STYLE[] =
    ":root{color-scheme:light}\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
    "color:#1b1b1b;background:#fff;max-width:64rem;margin:2rem auto;padding:0 1.5rem;line-height:1.45}\n"
    "h1{font-size:1.9rem;margin:0 0 .3rem;padding-bottom:.3rem;border-bottom:3px solid #2463a6}\n"
    "h2{font-size:1.4rem;margin:2.6rem 0 .8rem;padding-bottom:.2rem;border-bottom:1px solid #bbb}\n"
    "h3{font-size:1.12rem;margin:1.8rem 0 .4rem}\n"
    "h3 .unit,.muted{color:#5b5b5b;font-weight:normal}\n"
    "p.lead{margin:.2rem 0 1rem;color:#444}\n"
    "nav ol{margin:.3rem 0;padding-left:1.4rem}nav a{color:#2463a6}\n"
    "table{border-collapse:collapse;margin:.4rem 0 1.1rem;font-variant-numeric:tabular-nums}\n"
    "th,td{padding:.22rem .65rem;border-bottom:1px solid #dcdcdc;text-align:left;vertical-align:top}\n"
    "thead th{border-bottom:2px solid #555;font-weight:600}\n"
    "td.num,th.num{text-align:right;white-space:nowrap}\n"
    "tr.total td{border-top:2px solid #555;font-weight:600}\n"
    "td.up{color:#176b2c}td.down{color:#a42323}\n"
    "tr.set td{background:#fff6d9}\n"
    "dl.facts{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem;margin:.3rem 0 .6rem}\n"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0}\n"
    "figure.chart{margin:.6rem 0 1rem}figure.chart svg{max-width:100%;height:auto}\n"
    ".finding-none{color:#176b2c}.finding-count{color:#a42323;font-weight:600}\n"
    "footer{margin-top:3rem;color:#666;font-size:.85rem;border-top:1px solid #ddd;padding-top:.5rem}\n"
    "@page{size:A4;margin:15mm 14mm}\n"
    "@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}nav{display:none}"
    "h2{break-before:page}h2.first{break-before:auto}h2,h3{break-after:avoid}"
    "table,figure,dl{break-inside:avoid}thead{display:table-header-group}tr{break-inside:avoid}"
    "a{color:inherit;text-decoration:none}}\n";

/* ---- the scenarios and their declarations ------------------------------------------ */

static void put_entities(Interp *I, Report *r, ObjScenario *s) {
  if (!s->entities) return;
  for (int k = KIND_REGION; k < KIND_COUNT; k++) {
    int count = 0;
    for (int i = 0; i < s->entities->items.count; i++)
      if (AS_RECORD(s->entities->items.items[i])->tag == k) count++;
    if (count == 0) continue;
    buf_printf(&r->out, "<dt>%c%ss</dt><dd>", world_kind_names[k][0] - 'a' + 'A', world_kind_names[k] + 1);
    int shown = 0;
    for (int i = 0; i < s->entities->items.count && shown < MAX_LISTED; i++) {
      ObjRecord *e = AS_RECORD(s->entities->items.items[i]);
      if (e->tag != k) continue;
      if (shown++) buf_puts(&r->out, k == KIND_FUND ? "<br>" : ", ");
      if (k != KIND_FUND) {
        put_text(&r->out, world_entity_name(I, e));
        continue;
      }
      /* a fund: its programme, recipient, purpose and years */
      Value y = world_field(I, e, "years");
      put_name(I, r, world_field(I, e, "programme"));
      buf_puts(&r->out, " \xe2\x86\x92 ");
      put_name(I, r, world_field(I, e, "recipient"));
      buf_puts(&r->out, " <span class=\"muted\">(");
      put_name(I, r, world_field(I, e, "purpose"));
      if (IS_RANGE(y))
        buf_printf(&r->out, ", %lld\xe2\x80\x93%lld", (long long)AS_RANGE(y)->lo, (long long)AS_RANGE(y)->hi);
      buf_puts(&r->out, ")</span>");
    }
    if (count > shown) buf_printf(&r->out, " and %d more", count - shown);
    buf_puts(&r->out, "</dd>\n");
  }
}

static void put_scenarios(Interp *I, Report *r) {
  buf_puts(&r->out, "<h2 id=\"scenarios\" class=\"first\">Scenarios</h2>\n");
  for (int i = 0; i < r->n; i++) {
    ObjScenario *s = r->ss[i];
    buf_puts(&r->out, "<h3 id=\"scenario-");
    put_text(&r->out, s->name->chars);
    buf_puts(&r->out, "\">");
    put_text(&r->out, s->name->chars);
    buf_puts(&r->out, "</h3>\n<dl class=\"facts\">\n");
    buf_printf(&r->out, "<dt>Years</dt><dd>%lld\xe2\x80\x93%lld</dd>\n", (long long)s->first_year,
               (long long)s->last_year);
    buf_printf(&r->out, "<dt>Runs</dt><dd>%lld%s</dd>\n", (long long)s->runs,
               s->runs > 1 ? " (tables show the mean, and p5\xe2\x80\x93p95)" : "");
    buf_printf(&r->out, "<dt>Seed</dt><dd>%lld</dd>\n", (long long)s->seed);
    if (s->parent) {
      buf_puts(&r->out, "<dt>Extends</dt><dd>");
      put_text(&r->out, s->parent->name->chars);
      buf_puts(&r->out, "</dd>\n");
    }
    put_entities(I, r, s);
    buf_puts(&r->out, "</dl>\n");
  }
}

/* ---- params ---------------------------------------------------------------------- */

static Value scenario_param(ObjScenario *s, ObjString *name) {
  Value v = NIL_VAL;
  if (s->params) record_get(s->params, name, &v);
  return v;
}

/* A param the scenarios do not agree on, or one that one of them set. */
static bool param_differs(Report *r, ObjString *name) {
  Value v0 = scenario_param(r->ss[0], name), ignored;
  for (int i = 0; i < r->n; i++) {
    if (r->ss[i]->set_params && record_get(r->ss[i]->set_params, name, &ignored)) return true;
    if (!value_equal(scenario_param(r->ss[i], name), v0)) return true;
  }
  return false;
}

static void put_params_table(Interp *I, Report *r, bool differing) {
  ObjList *params = I->world->params;
  buf_puts(&r->out, "<table>\n<thead><tr><th>Param</th>");
  if (differing) {
    buf_puts(&r->out, "<th class=\"num\">Default</th>");
    for (int i = 0; i < r->n; i++) {
      buf_puts(&r->out, "<th class=\"num\">");
      put_text(&r->out, r->ss[i]->name->chars);
      buf_puts(&r->out, "</th>");
    }
  } else {
    buf_puts(&r->out, "<th class=\"num\">Value</th>");
  }
  buf_puts(&r->out, "<th>Meaning</th></tr></thead>\n<tbody>\n");
  for (int p = 0; p < params->items.count; p++) {
    ObjRecord *rec = AS_RECORD(params->items.items[p]);
    ObjString *name = AS_STRING(world_field(I, rec, "name"));
    if (param_differs(r, name) != differing) continue;
    buf_puts(&r->out, "<tr><td>");
    put_text(&r->out, name->chars);
    buf_puts(&r->out, "</td>");
    if (differing) {
      buf_puts(&r->out, "<td class=\"num muted\">");
      put_value(I, r, world_field(I, rec, "default"));
      buf_puts(&r->out, "</td>");
    }
    for (int i = 0; i < (differing ? r->n : 1); i++) {
      buf_puts(&r->out, "<td class=\"num\">");
      put_value(I, r, scenario_param(r->ss[i], name));
      buf_puts(&r->out, "</td>");
    }
    end_row(r, world_field(I, rec, "doc"));
  }
  buf_puts(&r->out, "</tbody>\n</table>\n");
}

static int count_differing(Interp *I, Report *r) {
  int differing = 0;
  for (int p = 0; p < I->world->params->items.count; p++)
    if (param_differs(r, AS_STRING(world_field(I, AS_RECORD(I->world->params->items.items[p]), "name")))) differing++;
  return differing;
}

/* The params the scenarios set or disagree on, after the scenarios. */
static void put_params_set(Interp *I, Report *r) {
  buf_puts(&r->out, "<h3 id=\"params-set\">Params set by the scenarios</h3>\n");
  if (count_differing(I, r) == 0) {
    buf_puts(&r->out, "<p>None: every param has the same value in every scenario (see <a href=\"#params\">Params</a>).</p>\n");
    return;
  }
  put_params_table(I, r, true);
}

/* All the others, at the end of the page. */
static void put_params_rest(Interp *I, Report *r) {
  int total = I->world->params->items.count;
  buf_puts(&r->out, "<h2 id=\"params\">Params</h2>\n");
  if (count_differing(I, r) == total) {
    buf_puts(&r->out, total ? "<p>All params are set by the scenarios: see above.</p>\n" : "<p>No params are declared.</p>\n");
    return;
  }
  buf_puts(&r->out, "<p>The params that have the same value in every scenario.</p>\n");
  put_params_table(I, r, false);
}

/* ---- comparisons ------------------------------------------------------------------ */

static ObjList *field_list(Interp *I, ObjRecord *t, const char *literal) { return AS_LIST(world_field(I, t, literal)); }

/* A comparison's heading: its path and unit (or that it is a share), an
 * anchor for the contents. */
static void put_path_heading(Report *r, int p, const char *path, Value unit, bool share) {
  buf_printf(&r->out, "<h3 id=\"compare-%d\">", p + 1);
  put_text(&r->out, path);
  if (IS_STRING(unit)) {
    buf_puts(&r->out, " <span class=\"unit\">(");
    put_text(&r->out, AS_CSTRING(unit));
    buf_puts(&r->out, ")</span>");
  } else if (share) {
    buf_puts(&r->out, " <span class=\"unit\">(a share, in %; changes in percentage points, pp)</span>");
  }
  buf_puts(&r->out, "</h3>\n");
}

/* One comparison as a table: a row per year; each scenario's value (and
 * its p5..p95 for many runs); each other scenario's change from the
 * first, in the path's unit and in percent. */
static void put_compare(Interp *I, Report *r, int p) {
  ObjRecord *t = AS_RECORD(r->tables->items.items[p]);
  ObjList *names = field_list(I, t, "scenarios"), *years = field_list(I, t, "years");
  ObjList *values = field_list(I, t, "values"), *changes = field_list(I, t, "changes");
  ObjList *spread = field_list(I, t, "spread"), *ranges = field_list(I, t, "ranges");
  int n = names->items.count;
  Value share = world_field(I, t, "share");
  Shown value_how = IS_BOOL(share) && share.as.b ? SHOWN_SHARE : SHOWN_BARE;
  Shown change_how = value_how == SHOWN_SHARE ? SHOWN_POINTS : SHOWN_BARE;
  put_path_heading(r, p, AS_CSTRING(world_field(I, t, "path")), world_field(I, t, "unit"), value_how == SHOWN_SHARE);
  buf_puts(&r->out, "<figure class=\"chart\">\n");
  plot_svg_element(I, &r->out, r->charts->items.items[p]);
  buf_puts(&r->out, "</figure>\n");
  buf_puts(&r->out, "<table class=\"compare\">\n<thead><tr><th>Year</th>");
  for (int i = 0; i < n; i++) {
    buf_puts(&r->out, "<th class=\"num\">");
    put_text(&r->out, AS_CSTRING(names->items.items[i]));
    buf_puts(&r->out, "</th>");
    if (IS_FALSY(spread->items.items[i])) continue;
    buf_puts(&r->out, "<th class=\"num\">");
    put_text(&r->out, AS_CSTRING(names->items.items[i]));
    buf_puts(&r->out, " p5\xe2\x80\x93p95</th>");
  }
  for (int i = 1; i < n; i++) {
    buf_puts(&r->out, "<th class=\"num\">");
    put_text(&r->out, AS_CSTRING(names->items.items[i]));
    buf_puts(&r->out, " \xe2\x88\x92 ");
    put_text(&r->out, AS_CSTRING(names->items.items[0]));
    buf_puts(&r->out, "</th><th class=\"num\">%</th>");
  }
  buf_puts(&r->out, "</tr></thead>\n<tbody>\n");
  for (int y = 0; y < years->items.count; y++) {
    ObjList *row = AS_LIST(values->items.items[y]), *diff = AS_LIST(changes->items.items[y]);
    buf_printf(&r->out, "<tr><td>%lld</td>", (long long)years->items.items[y].as.i);
    for (int i = 0; i < n; i++) {
      buf_puts(&r->out, "<td class=\"num\">");
      put_number(I, r, row->items.items[i], value_how);
      buf_puts(&r->out, "</td>");
      if (IS_FALSY(spread->items.items[i])) continue;
      ObjList *pair = AS_LIST(AS_LIST(ranges->items.items[y])->items.items[i]);
      buf_puts(&r->out, "<td class=\"num muted\">");
      put_number(I, r, pair->items.items[0], value_how);
      buf_puts(&r->out, "\xe2\x80\x93");
      put_number(I, r, pair->items.items[1], value_how);
      buf_puts(&r->out, "</td>");
    }
    Value base = row->items.items[0];
    for (int i = 1; i < n; i++) {
      Value d = diff->items.items[i - 1];
      double dd = IS_NIL(d) ? 0 : num_to_double(d), b = num_is(base) ? num_to_double(base) : 0;
      buf_printf(&r->out, "<td class=\"num%s\">", dd > 0 ? " up" : dd < 0 ? " down" : "");
      put_change(I, r, d, change_how);
      buf_puts(&r->out, "</td><td class=\"num\">");
      if (!IS_NIL(d) && b != 0 && isfinite(dd) && isfinite(b)) {
        double pct = 100.0 * dd / fabs(b);
        bool zero = fabs(pct) < 0.05; /* shown as 0.0: no sign */
        buf_printf(&r->out, "%s%.1f%%", zero ? "" : pct > 0 ? "+" : "\xe2\x88\x92", fabs(pct));
      }
      buf_puts(&r->out, "</td>");
    }
    buf_puts(&r->out, "</tr>\n");
  }
  buf_puts(&r->out, "</tbody>\n</table>\n");
}

/* ---- why ---------------------------------------------------------------------------- */

static void put_why(Interp *I, Report *r, int p, int i) {
  ObjScenario *s = r->ss[i];
  Value why = AS_LIST(r->whys->items.items[p])->items.items[i];
  const char *path = AS_CSTRING(r->paths->items.items[p]);
  buf_puts(&r->out, "<h3>");
  put_text(&r->out, s->name->chars);
  buf_puts(&r->out, ": ");
  put_text(&r->out, path);
  buf_printf(&r->out, " in %lld", (long long)s->last_year);
  if (s->first_results) buf_puts(&r->out, " <span class=\"unit\">(the first of its runs)</span>");
  buf_puts(&r->out, "</h3>\n");
  if (IS_STRING(why)) {
    buf_puts(&r->out, "<p class=\"muted\">No breakdown: ");
    put_text(&r->out, AS_CSTRING(why));
    buf_puts(&r->out, "</p>\n");
    return;
  }
  ObjRecord *w = AS_RECORD(why);
  ObjList *contributions = field_list(I, w, "contributions");
  /* a share's values in percent, its changes in percentage points */
  bool share = report_series(I, s, path)->share;
  Shown how = share ? SHOWN_SHARE : SHOWN_WITH_UNIT;
  buf_puts(&r->out, "<table class=\"why\">\n<thead><tr><th>Rule</th><th class=\"num\">Change</th></tr></thead>\n<tbody>\n");
  buf_printf(&r->out, "<tr><td>%lld (before)</td><td class=\"num\">", (long long)(s->last_year - 1));
  put_number(I, r, world_field(I, w, "before"), how);
  buf_puts(&r->out, "</td></tr>\n");
  for (int k = 0; k < contributions->items.count; k++) {
    ObjRecord *c = AS_RECORD(contributions->items.items[k]);
    Value a = world_field(I, c, "amount");
    buf_puts(&r->out, "<tr><td>");
    put_name(I, r, world_field(I, c, "rule"));
    buf_printf(&r->out, "</td><td class=\"num%s\">", world_is_zero(a) ? "" : num_cmp(I, a, INT_VAL(0)) > 0 ? " up" : " down");
    put_change(I, r, a, share ? SHOWN_POINTS : how);
    buf_puts(&r->out, "</td></tr>\n");
  }
  buf_printf(&r->out, "<tr class=\"total\"><td>%lld (after)</td><td class=\"num\">", (long long)s->last_year);
  put_number(I, r, world_field(I, w, "after"), how);
  buf_puts(&r->out, "</td></tr>\n</tbody>\n</table>\n");
}

/* ---- the audit ---------------------------------------------------------------------- */

/* A finding's field as a number with its unit, or nothing (for no field,
 * NULL, too). */
static void put_finding_amount(Interp *I, Report *r, ObjRecord *f, const char *literal) {
  buf_puts(&r->out, "<td class=\"num\">");
  Value v = literal ? world_field(I, f, literal) : NIL_VAL;
  if (num_is(v)) put_number(I, r, v, SHOWN_WITH_UNIT);
  buf_puts(&r->out, "</td>");
}

static void put_audit(Interp *I, Report *r, int i) {
  ObjScenario *s = r->ss[i];
  ObjList *found = AS_LIST(r->audits->items.items[i]);
  int entries = s->ledger ? s->ledger->items.count : 0;
  buf_puts(&r->out, "<h3>");
  put_text(&r->out, s->name->chars);
  buf_puts(&r->out, "</h3>\n");
  if (found->items.count == 0) {
    buf_printf(&r->out, "<p class=\"finding-none\">No findings in %d ledger %s.</p>\n", entries,
               entries == 1 ? "entry" : "entries");
    return;
  }
  buf_printf(&r->out, "<p><span class=\"finding-count\">%d finding%s</span> in %d ledger %s.</p>\n", found->items.count,
             found->items.count == 1 ? "" : "s", entries, entries == 1 ? "entry" : "entries");
  buf_puts(&r->out, "<table class=\"audit\">\n<thead><tr><th>Year</th><th>Aid</th><th>Rule</th>"
                    "<th class=\"num\">Amount</th><th class=\"num\">Limit</th><th class=\"num\">Over</th>"
                    "<th>Details</th></tr></thead>\n<tbody>\n");
  for (int k = 0; k < found->items.count; k++) {
    Value fv = found->items.items[k];
    if (!IS_RECORD(fv)) continue;
    ObjRecord *f = AS_RECORD(fv);
    buf_puts(&r->out, "<tr><td>");
    put_value(I, r, world_field(I, f, "year"));
    buf_puts(&r->out, "</td><td>");
    put_name(I, r, world_field(I, f, "programme"));
    buf_puts(&r->out, " \xe2\x86\x92 ");
    put_name(I, r, world_field(I, f, "recipient"));
    buf_puts(&r->out, "</td><td>");
    put_name(I, r, world_field(I, f, "rule"));
    Value article = world_field(I, f, "article");
    if (IS_STRING(article)) {
      buf_puts(&r->out, " <span class=\"muted\">[");
      put_text(&r->out, AS_CSTRING(article));
      buf_puts(&r->out, "]</span>");
    }
    buf_puts(&r->out, "</td>");
    /* as the audit prints them (sa_line in stdlib/stateaid.clu): a grant
     * without a legal basis has no limit; an envelope's is what was left
     * in it, and what is over is what went unpaid */
    Value check = world_field(I, f, "check");
    const char *kind = IS_STRING(check) ? AS_CSTRING(check) : "";
    bool limited = strcmp(kind, "cascade") != 0 && strcmp(kind, "legal_basis") != 0;
    put_finding_amount(I, r, f, "amount");
    put_finding_amount(I, r, f, limited ? "limit" : NULL);
    put_finding_amount(I, r, f, !limited ? NULL : strcmp(kind, "envelope") == 0 ? "unpaid" : "excess");
    end_row(r, world_field(I, f, "detail"));
  }
  buf_puts(&r->out, "</tbody>\n</table>\n");
}

/* ---- the page ---------------------------------------------------------------------- */

static void put_page(Interp *I, void *ud) {
  Report *r = ud;
  int npaths = r->paths->items.count, nwhy = r->whys->items.count;
  buf_puts(&r->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta name=\"generator\" content=\"Clusim\">\n<link rel=\"icon\" href=\"data:,\">\n<title>");
  buf_puts(&r->out, "Clusim report: ");
  for (int i = 0; i < r->n; i++) {
    if (i) buf_puts(&r->out, ", ");
    put_text(&r->out, r->ss[i]->name->chars);
  }
  buf_printf(&r->out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", STYLE);
  for (int i = 0; i < r->n; i++) {
    if (i) buf_puts(&r->out, i == r->n - 1 ? " and " : ", ");
    put_text(&r->out, r->ss[i]->name->chars);
  }
  buf_printf(&r->out, "</h1>\n<p class=\"lead\">A Clusim report on %d scenario%s: %d comparison%s, what moved the "
                      "headline numbers, and the state-aid audit.</p>\n</header>\n",
             r->n, r->n == 1 ? "" : "s", npaths, npaths == 1 ? "" : "s");
  /* contents */
  buf_puts(&r->out, "<nav>\n<ol>\n<li><a href=\"#scenarios\">Scenarios</a></li>\n"
                    "<li><a href=\"#compare\">Comparisons</a><ol>\n");
  for (int p = 0; p < npaths; p++) {
    buf_printf(&r->out, "<li><a href=\"#compare-%d\">", p + 1);
    put_text(&r->out, AS_CSTRING(r->paths->items.items[p]));
    buf_puts(&r->out, "</a></li>\n");
  }
  buf_puts(&r->out, "</ol></li>\n<li><a href=\"#why\">What moved the headline numbers</a></li>\n"
                    "<li><a href=\"#audit\">State-aid audit</a></li>\n<li><a href=\"#params\">Params</a></li>\n</ol>\n</nav>\n"
                    "<main>\n");
  put_scenarios(I, r);
  put_params_set(I, r);
  buf_puts(&r->out, "<h2 id=\"compare\">Comparisons</h2>\n");
  if (r->n > 1)
    buf_puts(&r->out, "<p>Each table gives the scenarios' values year by year, then each scenario's change from the "
                      "first one.</p>\n");
  for (int p = 0; p < npaths; p++) put_compare(I, r, p);
  buf_puts(&r->out, "<h2 id=\"why\">What moved the headline numbers</h2>\n"
                    "<p>The change of each headline number in the last year, rule by rule (exact changes, "
                    "shown rounded).</p>\n");
  for (int p = 0; p < nwhy; p++)
    for (int i = 0; i < r->n; i++) put_why(I, r, p, i);
  buf_puts(&r->out, "<h2 id=\"audit\">State-aid audit</h2>\n");
  for (int i = 0; i < r->n; i++) put_audit(I, r, i);
  put_params_rest(I, r);
  buf_puts(&r->out, "</main>\n<footer>Written by Clusim.</footer>\n</body>\n</html>\n");
}

/* ---- computing the report ------------------------------------------------------------ */

typedef struct {
  ObjScenario *s;
  const char *path;
} Probe;

static void probe_series(Interp *I, void *ud) {
  Probe *p = ud;
  results_series_at(I, p->s, p->path);
}

/* Whether every scenario has a series at `path`. */
static bool all_have(Interp *I, ObjScenario **ss, int n, const char *path) {
  for (int i = 0; i < n; i++) {
    Probe p = {ss[i], path};
    if (!interp_pcall(I, probe_series, &p)) return false;
  }
  return true;
}

/* The paths a report compares when it is given none: total.jobs,
 * total.members.sme and the jobs of the first scenario's clusters (up to
 * MAX_CLUSTER_PATHS of them), those that every scenario has; failing
 * those (a world without the model's fields), every series of "total". */
static ObjList *default_paths(Interp *I, ObjScenario **ss, int n) {
  ObjList *paths = list_new(I);
  interp_push_root(I, OBJ_VAL(paths));
  ObjList *candidates = list_new(I);
  list_append(I, paths, OBJ_VAL(candidates)); /* rooted while we look */
  list_append(I, candidates, OBJ_VAL(str_new(I, "total.jobs")));
  list_append(I, candidates, OBJ_VAL(str_new(I, "total.members.sme")));
  ObjList *es = ss[0]->entities;
  int clusters = 0;
  for (int i = 0; es && i < es->items.count; i++) {
    ObjRecord *e = AS_RECORD(es->items.items[i]);
    if (e->tag != KIND_CLUSTER) continue;
    if (++clusters > MAX_CLUSTER_PATHS) break;
    list_append(I, candidates, OBJ_VAL(str_printf(I, "%s.jobs", world_entity_name(I, e))));
  }
  paths->items.count = 0;
  interp_push_root(I, OBJ_VAL(candidates));
  for (int i = 0; i < candidates->items.count; i++)
    if (all_have(I, ss, n, AS_CSTRING(candidates->items.items[i])))
      list_append(I, paths, candidates->items.items[i]);
  Value total;
  if (paths->items.count == 0 && record_get(ss[0]->results, str_new(I, "total"), &total) && IS_RECORD(total)) {
    ObjRecord *t = AS_RECORD(total);
    for (int i = 0; i < t->count; i++) {
      if (!IS_SERIES(t->values[i])) continue;
      ObjString *path = str_printf(I, "total.%s", t->keys[i]->chars);
      if (all_have(I, ss, n, path->chars)) list_append(I, paths, OBJ_VAL(path));
    }
  }
  interp_pop_roots(I, 2);
  return paths;
}

/* The findings of S's audit, as `audit(S)` gives them: %audit, quiet. */
static Value audit_findings(Interp *I, ObjScenario *s) {
  int g = global_find(I, str_new(I, "%audit"));
  if (g < 0) interp_throw(I, "report: the state-aid audit is not available");
  Value args[2] = {OBJ_VAL(s), BOOL_VAL(false)};
  Value found = vm_call(I, I->globals[g], 2, args);
  if (!IS_LIST(found)) interp_throw(I, "report: the state-aid audit of %s gave no list of findings", s->name->chars);
  return found;
}

typedef struct {
  ObjScenario *s;
  const char *path;
  Value result;
} WhyCall;

static void call_why(Interp *I, void *ud) {
  WhyCall *w = ud;
  w->result = report_why(I, w->s, w->path, w->s->last_year);
}

static void render(Interp *I, void *ud) { put_page(I, ud); }

/* %report(scenarios, file, paths or nil): writes the report and returns
 * {scenarios, file, comparisons, findings, bytes}: the number of
 * comparisons (paths), of audit findings over all the scenarios, and the
 * size of the page. */
static Value f_report(Interp *I, int argc, Value *args) {
  ObjScenario *ss[MAX_SCENARIOS];
  int n = 0;
  if (IS_LIST(args[0])) {
    ObjList *l = AS_LIST(args[0]);
    if (l->items.count == 0) interp_throw(I, "report: give at least one scenario");
    if (l->items.count > MAX_SCENARIOS) interp_throw(I, "report: at most %d scenarios at once", MAX_SCENARIOS);
    for (int i = 0; i < l->items.count; i++) ss[n++] = results_scenario(I, "report", l->items.items[i]);
  } else {
    ss[n++] = results_scenario(I, "report", args[0]);
  }
  if (!IS_STRING(args[1])) interp_throw(I, "report: the file name must be a string, such as \"report.html\"");
  const char *file = AS_CSTRING(args[1]);
  size_t flen = strlen(file);
  if (!((flen > 5 && strcasecmp(file + flen - 5, ".html") == 0) || (flen > 4 && strcasecmp(file + flen - 4, ".htm") == 0)))
    interp_throw(I, "report: '%s' does not end in .html: a report is an HTML page, such as \"report.html\"", file);

  ObjList *keep = list_new(I);
  interp_push_root(I, OBJ_VAL(keep));
  ObjList *paths;
  if (IS_NIL(args[2])) {
    paths = default_paths(I, ss, n);
    if (paths->items.count == 0)
      interp_throw(I, "report: %s has no total.jobs or other totals to compare; name the paths, as in report %s on "
                      "X.field to \"%s\"",
                   ss[0]->name->chars, ss[0]->name->chars, file);
  } else {
    if (!IS_LIST(args[2])) interp_throw(I, "report: the paths must be a list of strings, such as [\"total.jobs\"]");
    paths = AS_LIST(args[2]);
    for (int p = 0; p < paths->items.count; p++)
      if (!IS_STRING(paths->items.items[p]))
        interp_throw(I, "report: the paths must be a list of strings, such as [\"total.jobs\"]");
  }
  list_append(I, keep, OBJ_VAL(paths));
  Report r = {ss, n, paths, list_new(I), list_new(I), list_new(I), list_new(I), {NULL, 0, 0}, {NULL, 0, 0}};
  list_append(I, keep, OBJ_VAL(r.tables));
  list_append(I, keep, OBJ_VAL(r.charts));
  list_append(I, keep, OBJ_VAL(r.whys));
  list_append(I, keep, OBJ_VAL(r.audits));
  /* the audits first: they run Clusim code (the collector may run) */
  for (int i = 0; i < n; i++) list_append(I, r.audits, audit_findings(I, ss[i]));
  for (int p = 0; p < paths->items.count; p++) {
    list_append(I, r.tables, report_compare(I, ss, n, AS_CSTRING(paths->items.items[p])));
    list_append(I, r.charts, plot_chart(I, ss, n, AS_CSTRING(paths->items.items[p])));
  }
  for (int p = 0; p < paths->items.count && p < WHY_PATHS; p++) {
    ObjList *row = list_new(I);
    list_append(I, r.whys, OBJ_VAL(row));
    for (int i = 0; i < n; i++) {
      WhyCall w = {ss[i], AS_CSTRING(paths->items.items[p]), NIL_VAL};
      if (interp_pcall(I, call_why, &w)) {
        list_append(I, row, w.result);
        continue;
      }
      /* why's refusals (no change to explain, inf or nan, a path of a
       * statistic such as total.jobs.p5) are shown in its place; running
       * out of memory is not (report_why runs no Clusim code, so nothing
       * else can interrupt it) */
      const char *msg = interp_error_message(I);
      if (strcmp(msg, "out of memory") == 0) interp_rethrow(I);
      if (strncmp(msg, "why: ", 5) == 0) msg += 5;
      list_append(I, row, OBJ_VAL(str_new(I, msg)));
    }
  }

  buf_init(&r.out);
  buf_init(&r.text);
  bool ok = interp_pcall(I, render, &r);
  buf_free(&r.text);
  if (!ok) {
    buf_free(&r.out);
    interp_rethrow(I);
  }
  const char *why = lib_write_file(file, r.out.data, r.out.len);
  size_t bytes = r.out.len;
  buf_free(&r.out);
  if (why) interp_throw(I, "report: cannot write '%s': %s", file, why);

  int findings = 0;
  for (int i = 0; i < n; i++) findings += AS_LIST(r.audits->items.items[i])->items.count;
  ObjRecord *summary = record_new(I);
  list_append(I, keep, OBJ_VAL(summary));
  ObjList *names = list_new(I);
  world_set_field(I, summary, "scenarios", OBJ_VAL(names));
  for (int i = 0; i < n; i++) list_append(I, names, OBJ_VAL(ss[i]->name));
  world_set_field(I, summary, "file", args[1]);
  world_set_field(I, summary, "comparisons", INT_VAL(paths->items.count));
  world_set_field(I, summary, "findings", INT_VAL(findings));
  world_set_field(I, summary, "bytes", INT_VAL((int64_t)bytes));
  interp_pop_roots(I, 1);
  return OBJ_VAL(summary);
}

void world_html_open(Interp *I) {
  lib_register(I, "%report", f_report, 3, 3, NULL);
}
