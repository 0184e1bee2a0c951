/* world_export.c - `export S to "file.csv"`: every series of a run
 * scenario as rows of a CSV file (scenario, year, entity, field, value). */
#include "lib.h"
#include "num.h"
#include "world.h"
#include "world_results.h"

static void export_record(Interp *I, Buffer *b, ObjScenario *s, const char *entity, const char *prefix,
                          ObjRecord *r) {
  for (int i = 0; i < r->count; i++) {
    const char *path = prefix ? str_printf(I, "%s.%s", prefix, r->keys[i]->chars)->chars : r->keys[i]->chars;
    Value v = r->values[i];
    if (IS_RECORD(v)) {
      export_record(I, b, s, entity, path, AS_RECORD(v));
    } else if (IS_SERIES(v)) {
      ObjSeries *se = AS_SERIES(v);
      for (int k = 0; k < se->values.count; k++) {
        if (!num_is(se->values.items[k])) continue;
        buf_printf(b, "%s,%lld,%s,%s,", s->name->chars, (long long)(se->first_year + k), entity, path);
        results_format_csv(I, b, se->values.items[k]);
        buf_putc(b, '\n');
      }
    }
  }
}

static Value f_export(Interp *I, int argc, Value *args) {
  ObjScenario *s = results_scenario(I, "export", args[0]);
  if (!IS_STRING(args[1])) interp_throw(I, "export: the file name must be a string, such as \"results.csv\"");
  const char *path = AS_CSTRING(args[1]);
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "scenario,year,entity,field,value\n");
  for (int i = 0; i < s->results->count; i++) {
    Value v = s->results->values[i];
    if (IS_RECORD(v)) export_record(I, &b, s, s->results->keys[i]->chars, NULL, AS_RECORD(v));
  }
  const char *why = lib_write_file(path, b.data, b.len);
  buf_free(&b);
  if (why) interp_throw(I, "export: cannot write '%s': %s", path, why);
  return NIL_VAL;
}

void world_export_open(Interp *I) { lib_register(I, "%export", f_export, 2, 2, NULL); }
