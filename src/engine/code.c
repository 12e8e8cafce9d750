/*
 * code.c - code runs (DESIGN 2.7): making a run, the table of runs, and
 * the accounting of the tool calls a run makes.
 *
 * A run is a job of the pseudo tool "code:PROFILE" (code_run.c starts
 * and ends it; code_reap.c watches it; code_read.c serves what a face
 * reads; code_profiles.c keeps the profiles), plus what a job does not
 * have: stdout and stderr apart, the result JSON, /work, and its tool
 * calls.
 *
 * Tool calls are counted where jobs are made (tx_code_job_made), not in
 * a face: whatever way a script calls a tool (a call file, a clone, a
 * chain whose steps are jobs too), the job carries the run's number in
 * its caller, and the one past max_tool_calls ends at once with EDQUOT.
 * So a face only has to tell which run a request comes from
 * (tx_run_caller); the cap and the list in the result follow.
 */
#include "engine/code_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/backend.h"
#include "engine/engine_i.h"
#include "engine/job_i.h"
#include "engine/tool.h"
#include "util/jsonu.h"
#include "util/log.h"

/* Nesting past this in a dev run's /work is left on disk (logged)
 * rather than recursed into without bound. */
#define WORK_DEPTH_MAX 128

/* ------------------------------------------------------------------ */
/* Runs: life cycle                                                     */

/*
 * Removes a dev run's /work.  The script wrote it with the dropper's
 * rights, so nothing in it is followed: every step is relative to a
 * descriptor opened O_NOFOLLOW, and a symbolic link is unlinked, never
 * entered.
 */
static void remove_tree_at(int dirfd, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
		return;
	if (depth >= WORK_DEPTH_MAX) {
		tx_log(TX_LOG_WARN,
		       "code: a run's /work nests deeper than %d; "
		       "left in place",
		       WORK_DEPTH_MAX);
		return;
	}
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			remove_tree_at(fd, de->d_name, depth + 1);
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void remove_work_dir(const char *path)
{
	char *copy = strdup(path), *slash;
	int fd;

	if (!copy)
		return;
	slash = strrchr(copy, '/');
	if (slash && slash != copy) {
		*slash = '\0';
		fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			remove_tree_at(fd, slash + 1, 0);
			close(fd);
		}
	}
	free(copy);
}

static void run_free(struct tx_run *run)
{
	for (size_t i = 0; i < run->ncalls; i++) {
		tx_job_unref(run->calls[i].job);
		free(run->calls[i].tool_id);
		free(run->calls[i].error);
	}
	free(run->calls);
	if (run->sb) /* only when its starter gave up on it */
		tx_sandbox_run_free(run->sb);
	if (run->work_fd >= 0)
		close(run->work_fd);
	if (run->work_dir) {
		remove_work_dir(run->work_dir);
		free(run->work_dir);
	}
	if (run->uid_owned)
		tx_sandbox_uid_release(run->uid);
	tx_job_unref(run->job);
	code_profiles_unref(run->profiles);
	tx_buf_release(&run->out);
	tx_buf_release(&run->err);
	free(run->listeners);
	free(run->firing);
	free(run->result_text);
	free(run->name);
	free(run->script);
	tx_strv_free(run->args, run->nargs);
	for (size_t i = 0; i < run->nbinds; i++) {
		free((char *)run->binds[i].src);
		free((char *)run->binds[i].dst);
	}
	free(run->binds);
	tx_strv_free(run->env, run->nenv);
	pthread_mutex_destroy(&run->lock);
	pthread_cond_destroy(&run->cond);
	free(run);
}

struct tx_run *tx_run_ref(struct tx_run *run)
{
	atomic_fetch_add(&run->refs, 1);
	return run;
}

void tx_run_unref(struct tx_run *run)
{
	if (run && atomic_fetch_sub(&run->refs, 1) == 1)
		run_free(run);
}

/* A file name a script may have: shown as /run/code/NAME inside, and as
 * NAME, NAME.out, ... in a directory outside. */
static bool script_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TX_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return false;
	return tx_utf8_valid(s, n);
}

/* The primary group of uid (a dev run runs as its dropper). */
static gid_t primary_gid(uid_t uid)
{
	char buf[4096];
	struct passwd pw, *res = NULL;

	if (uid == getuid())
		return getgid();
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		return pw.pw_gid;
	return (gid_t)uid;
}

/* A dev run's /work: a fresh directory of the dropper's, 0700. */
static int make_work_dir(struct tx_run *run, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	int rc;

	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/toolexec-run-XXXXXX", tmp);
	if (!mkdtemp(path)) {
		rc = -errno;
		snprintf(err, errlen, "cannot make the run's /work in %s: %s",
			 tmp, strerror(errno));
		return rc;
	}
	run->work_dir = strdup(path);
	if (!run->work_dir) {
		rmdir(path);
		return -ENOMEM;
	}
	run->work_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (run->work_fd < 0 ||
	    (geteuid() == 0 && fchown(run->work_fd, run->uid, run->gid) < 0)) {
		rc = -errno;
		snprintf(err, errlen, "cannot prepare the run's /work %s: %s",
			 path, strerror(errno));
		return rc;
	}
	return 0;
}

static int run_list(struct tx_code *c, struct tx_run *run)
{
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->stopping) {
		rc = -ESHUTDOWN;
	} else if (c->nruns == c->runs_cap) {
		size_t cap = c->runs_cap ? c->runs_cap * 2 : 16;
		struct tx_run **g = realloc(c->runs, cap * sizeof(*g));

		if (!g)
			rc = -ENOMEM;
		else {
			c->runs = g;
			c->runs_cap = cap;
		}
	}
	if (!rc) {
		c->runs[c->nruns++] = tx_run_ref(run);
		run->listed = true;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Takes run off the table; returns the table's reference or NULL. */
static struct tx_run *run_unlist(struct tx_code *c, struct tx_run *run)
{
	struct tx_run *held = NULL;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->nruns; i++)
		if (c->runs[i] == run) {
			memmove(&c->runs[i], &c->runs[i + 1],
				(c->nruns - i - 1) * sizeof(*c->runs));
			c->nruns--;
			run->listed = false;
			held = run;
			break;
		}
	pthread_mutex_unlock(&c->lock);
	return held;
}

static struct tx_run *run_find_num(struct tx_code *c, uint64_t num)
{
	struct tx_run *run = NULL;

	pthread_mutex_lock(&c->lock);
	for (size_t i = c->nruns; i-- > 0;)
		if (c->runs[i]->num == num) {
			run = tx_run_ref(c->runs[i]);
			break;
		}
	pthread_mutex_unlock(&c->lock);
	return run;
}

struct tx_run *tx_engine_code_new(struct tx_engine *e, const char *profile,
				  const char *name, const void *script,
				  size_t len, const char *const *args,
				  size_t nargs, const struct tx_caller *caller,
				  char *err, size_t errlen)
{
	struct tx_code *c = e->code;
	struct tx_caller who = { 0 };
	struct tx_run *run = NULL;
	char tool_id[TX_SANDBOX_NAME_MAX + 8];
	size_t argbytes = 0;
	int rc = -ENOMEM;

	err[0] = '\0';
	if (caller)
		who = *caller;
	else
		who = (struct tx_caller){ .uid = getuid(),
					  .pid = getpid(),
					  .sid = getsid(0) };
	/* A run's own job is its starter's, never a tool call of a run. */
	who.run = 0;
	if (!name || !script_name_ok(name)) {
		snprintf(err, errlen,
			 "bad script name \"%s\": a file name, no "
			 "'/', no control characters, at most %d bytes",
			 name ? name : "", TX_NAME_MAX);
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < nargs; i++)
		argbytes += strlen(args[i]) + 1;
	if (len > TX_SCRIPT_MAX || nargs > TX_SCRIPT_ARGS_MAX ||
	    argbytes > TX_ARGS_MAX) {
		snprintf(
			err, errlen,
			len > TX_SCRIPT_MAX
				? "the script is larger than %u bytes"
				: "too many arguments (at most %u, of %u bytes)",
			len > TX_SCRIPT_MAX ? TX_SCRIPT_MAX
					    : TX_SCRIPT_ARGS_MAX,
			TX_ARGS_MAX);
		errno = EFBIG;
		return NULL;
	}
	run = calloc(1, sizeof(*run));
	if (!run)
		goto out_nomem;
	atomic_init(&run->refs, 1);
	run->code = c;
	run->work_fd = -1;
	run->caller = who;
	pthread_mutex_init(&run->lock, NULL);
	pthread_cond_init(&run->cond, NULL);
	run->profiles = code_profiles_get(c);
	run->profile = tx_sandbox_profiles_get(run->profiles->ps,
					       profile ? profile : "");
	if (!run->profile || !run->profile->enabled) {
		snprintf(err, errlen,
			 run->profile
				 ? "profile %s is not enabled (enable it under "
				   "\"codeProfiles\" in the configuration)"
				 : "no profile \"%s\"",
			 profile ? profile : "");
		rc = run->profile ? -EPERM : -ENOENT;
		goto out_free;
	}
	tx_buf_init(&run->out, run->profile->stdout_max);
	tx_buf_init(&run->err, run->profile->stderr_max);
	run->name = strdup(name);
	run->script = malloc(len ? len : 1);
	run->args = calloc(nargs ? nargs : 1, sizeof(*run->args));
	if (!run->name || !run->script || !run->args)
		goto out_nomem;
	memcpy(run->script, script, len);
	run->script_len = len;
	for (; run->nargs < nargs; run->nargs++)
		if (!(run->args[run->nargs] = strdup(args[run->nargs])))
			goto out_nomem;

	if (run->profile->kind == TX_SANDBOX_DEV) {
		run->uid = who.uid;
		run->gid = primary_gid(who.uid);
		rc = make_work_dir(run, err, errlen);
	} else {
		rc = tx_sandbox_uid_alloc(&run->uid);
		if (rc < 0) {
			snprintf(err, errlen,
				 "no uid left for another run "
				 "(%u runs at once)",
				 TX_SANDBOX_UID_COUNT);
			goto out_free;
		}
		run->uid_owned = true;
		run->gid = (gid_t)run->uid;
		rc = tx_sandbox_work_new(run->profile->work_size, run->uid,
					 run->gid);
		if (rc < 0)
			snprintf(err, errlen,
				 "cannot make the run's /work (a "
				 "tmpfs; %s runs need root): %s",
				 run->profile->name, strerror(-rc));
		else
			run->work_fd = rc;
	}
	if (rc < 0)
		goto out_free;

	snprintf(tool_id, sizeof(tool_id), "code:%s", run->profile->name);
	run->job = tx_runner_job_new(e, c->tool, tool_id, &who);
	if (!run->job)
		goto out_nomem;
	run->num = run->job->num;
	rc = code_reap_start(c);
	if (!rc)
		rc = run_list(c, run);
	if (!rc)
		code_reap_wake(c); /* it looks at listed runs each second */
	if (rc < 0) {
		snprintf(err, errlen,
			 rc == -ESHUTDOWN
				 ? "the engine is stopping"
				 : "cannot start the engine's run reaper: %s",
			 strerror(-rc));
		tx_engine_job_remove(e, run->job->id);
		goto out_free;
	}
	return run;

out_nomem:
	rc = -ENOMEM;
	snprintf(err, errlen, "out of memory");
out_free:
	tx_run_unref(run);
	errno = -rc;
	return NULL;
}

struct tx_run *
tx_engine_code_start(struct tx_engine *e, const char *profile, const char *name,
		     const void *script, size_t len, const char *const *args,
		     size_t nargs, const struct tx_caller *caller,
		     const struct tx_run_view *view, char *err, size_t errlen)
{
	struct tx_run *run = tx_engine_code_new(e, profile, name, script, len,
						args, nargs, caller, err,
						errlen);

	if (run)
		tx_run_start(run, view);
	return run;
}

struct tx_run *tx_engine_run_find(struct tx_engine *e, const char *id)
{
	struct tx_run *run = NULL;
	uint64_t num;
	char *end;

	errno = 0;
	num = strtoull(id, &end, 10);
	if (*id && !*end && !errno && !(id[0] == '0' && id[1]) && num)
		run = run_find_num(e->code, num);
	if (!run)
		errno = ENOENT;
	return run;
}

size_t tx_engine_run_ids(struct tx_engine *e, char ***ids)
{
	struct tx_code *c = e->code;
	size_t n = 0;

	pthread_mutex_lock(&c->lock);
	*ids = calloc(c->nruns ? c->nruns : 1, sizeof(**ids));
	for (size_t i = 0; *ids && i < c->nruns; i++) {
		(*ids)[n] = strdup(c->runs[i]->job->id);
		if (!(*ids)[n])
			break;
		n++;
	}
	pthread_mutex_unlock(&c->lock);
	return *ids ? n : 0;
}

int tx_engine_run_remove(struct tx_engine *e, const char *id)
{
	struct tx_run *run = tx_engine_run_find(e, id), *held;

	if (!run)
		return -ENOENT;
	tx_run_cancel(run, true);
	held = run_unlist(e->code, run);
	if (held) {
		code_notify(e->code, TX_CODE_RUN_FORGOTTEN, run);
		tx_run_unref(held);
	}
	tx_run_unref(run);
	return held ? 0 : -ENOENT;
}

/* Ended runs past job_keep_seconds or past TX_RUN_KEEP_MAX (oldest end
 * first) leave the table; runs whose job ended before they started
 * (removed, expired) end. */
void code_gc(struct tx_code *c)
{
	struct tx_engine *e = c->engine;
	uint64_t keep_ns = (uint64_t)(e->opts.job_keep_seconds
					      ? e->opts.job_keep_seconds
					      : 600) *
			   1000000000u;
	uint64_t now = tx_now_ns();
	struct tx_run **drop = NULL, **stale = NULL;
	size_t ndrop = 0, nstale = 0, nended = 0;

	pthread_mutex_lock(&c->lock);
	if (c->nruns) {
		drop = calloc(c->nruns, sizeof(*drop));
		stale = calloc(c->nruns, sizeof(*stale));
	}
	for (size_t i = 0; drop && stale && i < c->nruns; i++) {
		struct tx_run *r = c->runs[i];
		enum run_phase ph;
		uint64_t ended;

		pthread_mutex_lock(&r->lock);
		ph = r->phase;
		ended = r->ended_ns;
		pthread_mutex_unlock(&r->lock);
		if (ph == RUN_ENDED) {
			nended++;
			if (now - ended > keep_ns)
				drop[ndrop++] = tx_run_ref(r);
		} else if (ph == RUN_NEW && tx_job_is_final(r->job)) {
			stale[nstale++] = tx_run_ref(r);
		}
	}
	/* Past the count: the ended runs that ended first go.  Runs end in
	 * about the order they were made, and the table is in that order,
	 * so walking it from the oldest is close enough and costs nothing. */
	for (size_t i = 0;
	     drop && stale && i < c->nruns && nended - ndrop > TX_RUN_KEEP_MAX;
	     i++) {
		struct tx_run *r = c->runs[i];
		bool listed = false;

		if (__atomic_load_n(&r->phase, __ATOMIC_ACQUIRE) != RUN_ENDED)
			continue;
		for (size_t k = 0; k < ndrop; k++)
			listed |= drop[k] == r;
		if (!listed)
			drop[ndrop++] = tx_run_ref(r);
	}
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < nstale; i++) {
		tx_run_cancel(stale[i], true);
		tx_run_unref(stale[i]);
	}
	for (size_t i = 0; i < ndrop; i++) {
		struct tx_run *held = run_unlist(c, drop[i]);

		if (held) {
			code_notify(c, TX_CODE_RUN_FORGOTTEN, drop[i]);
			tx_run_unref(held);
		}
		tx_run_unref(drop[i]);
	}
	free(drop);
	free(stale);
}

bool code_gc_pending(struct tx_code *c)
{
	bool any;

	pthread_mutex_lock(&c->lock);
	any = c->nruns > 0;
	pthread_mutex_unlock(&c->lock);
	return any;
}

/* ------------------------------------------------------------------ */
/* Tool calls made on behalf of a run                                   */

void tx_code_job_made(struct tx_engine *e, struct tx_job *job)
{
	struct tx_run *run = run_find_num(e->code, job->caller.run);
	const char *code = NULL;
	char msg[512];
	int err = 0;

	if (!run) {
		snprintf(msg, sizeof(msg),
			 "no code run %" PRIu64 " (it ended "
			 "or was removed): its calls are refused",
			 job->caller.run);
		tx_job_finish_new(job, TX_JOB_ERROR, ESRCH, "run_ended", msg);
		return;
	}
	pthread_mutex_lock(&run->lock);
	if (run->phase == RUN_ENDED) {
		err = ESRCH;
		code = "run_ended";
		snprintf(msg, sizeof(msg),
			 "code run %s has ended: its calls "
			 "are refused",
			 run->job->id);
	} else if (!tx_run_may_use(run, job->tool, TX_RUN_CALL)) {
		err = EACCES;
		code = "not_granted";
		snprintf(msg, sizeof(msg), "profile %s does not grant %s",
			 run->profile->name, job->tool_id);
	} else if (run->nadmitted >= run->profile->max_tool_calls) {
		err = EDQUOT;
		code = "max_tool_calls";
		snprintf(msg, sizeof(msg),
			 "this run has made its %u tool "
			 "calls (max_tool_calls of profile %s); no more are "
			 "allowed",
			 run->profile->max_tool_calls, run->profile->name);
		run->quota_hit = true;
	}
	if (!err || run->nrefused < TX_RUN_REFUSED_LISTED) {
		struct run_call *g =
			realloc(run->calls, (run->ncalls + 1) * sizeof(*g));

		if (g) {
			run->calls = g;
			g = &run->calls[run->ncalls];
			memset(g, 0, sizeof(*g));
			snprintf(g->job_id, sizeof(g->job_id), "%s", job->id);
			g->job_num = job->num;
			g->tool_id = strdup(job->tool_id);
			g->status = err ? "refused"
					: tx_job_state_name(TX_JOB_NEW);
			g->refused = err != 0;
			g->quota = err == EDQUOT;
			g->job = err ? NULL : tx_job_ref(job);
			run->ncalls++;
		}
	}
	if (err)
		run->nrefused++;
	else
		run->nadmitted++;
	pthread_mutex_unlock(&run->lock);
	if (err)
		tx_job_finish_new(job, TX_JOB_ERROR, err, code, msg);
	tx_run_unref(run);
}

void code_call_record(struct run_call *k, struct tx_job *job)
{
	if (!k->refused)
		k->status = tx_job_state_name(tx_job_state(job));
	k->start_ns = job->start_ns;
	k->end_ns = job->finished_ns;
	free(k->error);
	k->error = NULL;
	/* Written once, when the job turned final, and never after. */
	if (tx_job_state(job) != TX_JOB_OK &&
	    asprintf(&k->error, "%s: %s", job->code ? job->code : "error",
		     job->message ? job->message : "") < 0)
		k->error = NULL;
}

void tx_code_job_done(struct tx_engine *e, struct tx_job *job)
{
	struct tx_run *run = run_find_num(e->code, job->caller.run);
	struct tx_job *drop = NULL;

	if (!run)
		return; /* forgotten: code_run_end records its calls itself */
	pthread_mutex_lock(&run->lock);
	for (size_t i = run->ncalls; i-- > 0 && run->phase != RUN_ENDED;) {
		struct run_call *k = &run->calls[i];

		if (k->job_num != job->num)
			continue;
		code_call_record(k, job);
		drop = k->job;
		k->job = NULL;
		break;
	}
	pthread_mutex_unlock(&run->lock);
	tx_job_unref(drop);
	tx_run_unref(run);
}

/* ------------------------------------------------------------------ */
/* Life cycle of the code state                                         */

int tx_code_init(struct tx_engine *e)
{
	struct tx_code *c = calloc(1, sizeof(*c));
	struct tx_sandbox_profiles *ps;
	char err[512];

	if (!c)
		return -ENOMEM;
	c->engine = e;
	c->epfd = c->evfd = -1;
	pthread_mutex_init(&c->lock, NULL);
	e->code = c;
	ps = tx_sandbox_profiles_parse(NULL, err, sizeof(err));
	c->profiles = ps ? code_profiles_wrap(ps) : NULL;
	c->backend = code_backend_new(c);
	c->tool = c->backend ? code_tool_new(c->backend) : NULL;
	if (!c->profiles || !c->backend || !c->tool)
		return -ENOMEM;
	return 0;
}

void tx_code_shutdown(struct tx_engine *e)
{
	struct tx_code *c = e->code;
	struct tx_run **runs;
	size_t n;

	if (!c)
		return;
	code_reap_stop(c);
	/* Every run has ended or never started; end those, forget all. */
	pthread_mutex_lock(&c->lock);
	runs = c->runs;
	n = c->nruns;
	c->runs = NULL;
	c->nruns = c->runs_cap = 0;
	for (size_t i = 0; i < n; i++)
		runs[i]->listed = false;
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		tx_run_cancel(runs[i], true);
		tx_run_unref(runs[i]);
	}
	free(runs);
}

void tx_code_release(struct tx_engine *e)
{
	struct tx_code *c = e->code;

	if (!c)
		return;
	if (c->tool)
		tx_tool_unref(c->tool);
	if (c->backend)
		tx_backend_unref(c->backend);
	code_profiles_unref(c->profiles);
	free(c->active);
	free(c->runs);
	free(c->watchers);
	pthread_mutex_destroy(&c->lock);
	free(c);
	e->code = NULL;
}
