/*
 * code.h - code runs (code.c, code_reap.c) as the rest of the engine
 * sees them: life cycle, profiles, and the two points where a job made
 * on behalf of a run is counted.  The faces use toolexec.h.
 */
#ifndef TX_CODE_H
#define TX_CODE_H

struct tx_engine;
struct tx_job;

/* engine.c, tx_engine_new: the code state (no thread yet: the reaper
 * starts with the first run).  0 or -ENOMEM. */
int tx_code_init(struct tx_engine *e);
/* engine.c, tx_engine_free, before the jobs are cancelled: kills every
 * run, waits for the reaper to reap them (bounded), joins it and
 * forgets every run. */
void tx_code_shutdown(struct tx_engine *e);
/* engine.c, tx_engine_free, after the job table is gone: frees. */
void tx_code_release(struct tx_engine *e);
/* engine_config.c, after every (re)load of configuration files, config_lock
 * held: rebuilds the profiles from the files' plans. */
void tx_code_sync_profiles(struct tx_engine *e);

/*
 * runner.c, tx_engine_job_new: job was just made with caller.run set.
 * Counts it against the run's max_tool_calls and lists it among the
 * run's tool calls, or, when the run may not make it, ends it at once
 * (ERROR: EDQUOT past the cap, ESRCH when the run has ended, EACCES when
 * the run's grants refuse the tool).
 */
void tx_code_job_made(struct tx_engine *e, struct tx_job *job);
/* runner.c, tx_runner_job_done: a job with caller.run set turned final. */
void tx_code_job_done(struct tx_engine *e, struct tx_job *job);

#endif
