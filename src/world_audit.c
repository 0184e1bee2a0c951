/* world_audit.c - `audit`: the state-aid audit, written in Clusim
 * (stdlib/stateaid.clu), called on a run scenario with that scenario's
 * params. */
#include "lib.h"
#include "vm.h"
#include "world.h"
#include "world_results.h"

typedef struct {
  Value fn;
  Value *args;
  Value result;
} AuditJob;

static void audit_job(Interp *I, void *ud) {
  AuditJob *job = ud;
  job->result = vm_call(I, job->fn, 2, job->args);
}

/* %audit(S, print): the state-aid audit (stdlib/stateaid.clu), run with
 * the params that S's scenario `set` (so a scenario's own thresholds count;
 * every other threshold is the current one, so a law changed after the run
 * applies); the params are put back afterwards, error or not. */
static Value f_audit(Interp *I, int argc, Value *args) {
  ObjScenario *s = results_scenario(I, "audit", args[0]);
  int fg = global_find(I, world_name(I, "state_aid_audit"));
  if ((fg < 0 || !lib_is_callable(I->globals[fg])) && interp_autoload(I, "state_aid_audit"))
    fg = global_find(I, world_name(I, "state_aid_audit"));
  if (fg < 0 || !lib_is_callable(I->globals[fg]))
    interp_throw(I, "audit: the state-aid audit (stdlib/stateaid.clu) is not loaded");
  ObjList *saved = interp_save_begin(I);
  ObjRecord *sets = s->set_params;
  for (int i = 0; sets && i < sets->count; i++) {
    int g = global_find(I, sets->keys[i]);
    if (g < 0) continue;
    interp_save_global(I, saved, g);
    I->globals[g] = sets->values[i];
  }
  AuditJob job = {I->globals[fg], args, NIL_VAL};
  bool ok = interp_pcall(I, audit_job, &job);
  interp_restore_globals(I, saved);
  if (!ok) interp_rethrow(I);
  interp_pop_roots(I, 1);
  return job.result;
}


void world_audit_open(Interp *I) { lib_register(I, "%audit", f_audit, 2, 2, NULL); }
