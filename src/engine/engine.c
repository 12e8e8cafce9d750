/*
 * engine.c - the engine's life cycle: one backend for each kind that has
 * one for the engine's life, the servers that are stopping, the tool set
 * and search, and the texts of status and introspection.
 *
 * Configuration files, and the MCP servers they define, are loaded and
 * reloaded in engine_config.c.
 */
#include "engine/engine_i.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/audit.h"
#include "engine/backend.h"
#include "engine/code.h"
#include "util/buf.h"
#include "util/clock.h"
#include "config/config.h"
#include "engine/job_i.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "engine/registry.h"
#include "engine/tool.h"

static void on_tools_changed(void *ctx, const struct tx_toolset *old,
			     const struct tx_toolset *cur)
{
	if (tx_toolset_removed_count(cur))
		tx_runner_tools_removed(ctx, old, cur);
}

/* ------------------------------------------------------------------ */
/* Backends, by kind                                                    */

/* The engine's backend of a kind, NULL when the kind has none. */
struct engine_backend *engine_backend_of(struct tx_engine *e, const char *kind)
{
	for (size_t i = 0; i < e->nbackends; i++)
		if (!strcmp(e->backends[i].kind->kind, kind))
			return &e->backends[i];
	return NULL;
}

/* One backend for each kind that has one for the engine's life. */
static int backends_start(struct tx_engine *e)
{
	const struct tx_backend_kind *const *kinds = tx_backend_kinds();
	size_t n = 0;

	while (kinds[n])
		n++;
	e->backends = calloc(n ? n : 1, sizeof(*e->backends));
	if (!e->backends)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct tx_backend *be;

		if (!kinds[i]->backend_new)
			continue;
		be = kinds[i]->backend_new();
		if (!be)
			return -ENOMEM;
		e->backends[e->nbackends++] = (struct engine_backend){
			.kind = kinds[i],
			.backend = be,
		};
	}
	return 0;
}

/* Every child of every backend ends here, before memory goes. */
static void backends_shutdown(struct tx_engine *e)
{
	for (size_t i = 0; i < e->nbackends; i++)
		if (e->backends[i].backend->ops->shutdown)
			e->backends[i].backend->ops->shutdown(
				e->backends[i].backend);
}

static void backends_release(struct tx_engine *e)
{
	for (size_t i = 0; i < e->nbackends; i++)
		tx_backend_unref(e->backends[i].backend);
	free(e->backends);
	e->backends = NULL;
	e->nbackends = 0;
}

/* The tools backends bring themselves, each kind a source of its own. */
static int backends_add_tools(struct tx_engine *e)
{
	for (size_t i = 0; i < e->nbackends; i++) {
		const struct tx_backend_kind *k = e->backends[i].kind;
		struct tx_tool **tools = NULL;
		char err[512];
		size_t n = 0;
		int rc;

		if (!k->tools)
			continue;
		rc = k->tools(e->backends[i].backend, &tools, &n);
		if (rc)
			return rc;
		rc = tx_registry_set_source(e->registry, k->kind, tools, n, err,
					    sizeof(err));
		for (size_t j = 0; j < n; j++)
			tx_tool_unref(tools[j]);
		free(tools);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Servers that are stopping                                            */

struct engine_retiring {
	struct engine_retiring *next; /* retire_lock */
	char *name;
	struct tx_backend *backend; /* the thread's until it ends */
	pthread_t thread;
	atomic_bool done;
};

static void *retire_main(void *arg)
{
	struct engine_retiring *r = arg;

	if (r->backend->ops->shutdown)
		r->backend->ops->shutdown(r->backend);
	tx_backend_unref(r->backend);
	atomic_store(&r->done, true);
	return NULL;
}

/* Joins the threads of servers that have stopped; every one when all. */
static void retire_reap(struct tx_engine *e, bool all)
{
	for (;;) {
		struct engine_retiring *r = NULL;

		pthread_mutex_lock(&e->retire_lock);
		for (struct engine_retiring **pp = &e->retiring; *pp;
		     pp = &(*pp)->next) {
			if (all || atomic_load(&(*pp)->done)) {
				r = *pp;
				*pp = r->next;
				break;
			}
		}
		pthread_mutex_unlock(&e->retire_lock);
		if (!r)
			return;
		pthread_join(r->thread, NULL);
		free(r->name);
		free(r);
	}
}

/* Hands a retired backend to a thread that shuts it down.  0, or -errno
 * (then the caller shuts it down itself). */
static int retire_async(struct tx_engine *e, const char *name,
			struct tx_backend *b)
{
	struct engine_retiring *r;

	retire_reap(e, false);
	r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(name))) {
		free(r);
		return -ENOMEM;
	}
	r->backend = b;
	atomic_init(&r->done, false);
	if (pthread_create(&r->thread, NULL, retire_main, r)) {
		free(r->name);
		free(r);
		return -EAGAIN;
	}
	pthread_mutex_lock(&e->retire_lock);
	r->next = e->retiring;
	e->retiring = r;
	pthread_mutex_unlock(&e->retire_lock);
	return 0;
}

/*
 * Stops a server.  Its tools leave the tool set at once, so that no new
 * call reaches a dying server and a successor of the same name may
 * publish; the process may take seconds to end (stdin closed, SIGTERM,
 * SIGKILL), which happens here only when wait, else on a thread.
 */
void engine_server_stop(struct tx_engine *e, struct engine_server *s, bool wait)
{
	char source[512];

	/* Tools first, so that no new call reaches a dying server: a
	 * backend that publishes its own tools retires them itself (and
	 * never publishes again, so a successor of the same name is safe). */
	if (s->backend && s->backend->ops->retire) {
		s->backend->ops->retire(s->backend);
	} else {
		snprintf(source, sizeof(source), "%s:%s", ENGINE_SERVER_KIND,
			 s->name);
		tx_registry_set_source(e->registry, source, NULL, 0, NULL, 0);
	}
	if (s->backend) {
		if (wait || retire_async(e, s->name, s->backend)) {
			if (s->backend->ops->shutdown)
				s->backend->ops->shutdown(s->backend);
			tx_backend_unref(s->backend);
		}
	}
	tx_mcp_spec_free(s->spec);
	free(s->name);
	free(s->file);
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

struct tx_engine *tx_engine_new(const struct tx_engine_options *opts, char *err,
				size_t errlen)
{
	struct tx_engine *e = calloc(1, sizeof(*e));
	struct stat st;
	int rc;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (opts)
		e->opts = *opts;
	e->opts.config_dir = NULL;
	e->opts.start_servers = NULL; /* borrowed: copied below */
	if (opts && opts->start_servers) {
		size_t n = 0;

		while (opts->start_servers[n])
			n++;
		e->start_servers = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; e->start_servers && i < n; i++)
			if ((e->start_servers[e->nstart_servers] =
				     strdup(opts->start_servers[i])))
				e->nstart_servers++;
		if (!e->start_servers || e->nstart_servers != n) {
			tx_strv_free(e->start_servers, e->nstart_servers);
			free(e);
			snprintf(err, errlen, "out of memory");
			errno = ENOMEM;
			return NULL;
		}
	}
	pthread_mutex_init(&e->config_lock, NULL);
	pthread_mutex_init(&e->retire_lock, NULL);
	if (opts && opts->log_stderr)
		tx_log_set_stderr(true, TX_LOG_INFO);
	if (opts && opts->config_dir) {
		if (stat(opts->config_dir, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: %s", opts->config_dir,
				 errno ? strerror(errno) : "not a directory");
			pthread_mutex_destroy(&e->config_lock);
			pthread_mutex_destroy(&e->retire_lock);
			tx_strv_free(e->start_servers, e->nstart_servers);
			free(e);
			errno = ENOENT;
			return NULL;
		}
		e->config_dir = realpath(opts->config_dir, NULL);
		if (!e->config_dir) {
			/* Before tx_runner_init: nothing for tx_engine_free. */
			rc = errno;
			snprintf(err, errlen, "%s: %s", opts->config_dir,
				 strerror(rc));
			pthread_mutex_destroy(&e->config_lock);
			pthread_mutex_destroy(&e->retire_lock);
			free(e);
			errno = rc;
			return NULL;
		}
	}
	rc = tx_runner_init(e);
	if (rc) {
		snprintf(err, errlen, "cannot start the timer thread");
		goto out_free;
	}
	if (tx_code_init(e))
		goto out_nomem;
	e->opts.audit_log = NULL; /* borrowed: the log keeps its own */
	if (opts && opts->audit_log &&
	    !(e->audit = tx_audit_open(opts->audit_log, opts->audit_log_max,
				       err, errlen)))
		goto out_free;
	e->registry = tx_registry_new();
	e->indexer = tx_indexer_new(opts && opts->index_behind);
	e->chain = tx_chain_backend_new(e);
	if (!e->registry || !e->indexer || !e->chain || backends_start(e))
		goto out_nomem;
	e->chain_tool = tx_chain_tool_new(e->chain);
	if (!e->chain_tool)
		goto out_nomem;
	tx_registry_listen_before(e->registry, tx_indexer_changed, e->indexer);
	tx_registry_listen(e->registry, on_tools_changed, e);
	if (backends_add_tools(e))
		goto out_nomem;
	if (e->config_dir) {
		/* The first load waits: the mount appears complete. */
		engine_reload_dir(e, true);
		if (opts->watch) {
			e->watch = tx_config_watch_new(e->config_dir,
						       engine_on_config_changed,
						       e, err, errlen);
			if (!e->watch)
				tx_log(TX_LOG_WARN,
				       "config: not watching %s: %s",
				       e->config_dir, err);
		}
	} else {
		engine_load_embedded(e);
	}
	err[0] = '\0';
	return e;

out_nomem:
	snprintf(err, errlen, "out of memory");
out_free:
	tx_engine_free(e);
	errno = ENOMEM;
	return NULL;
}

void tx_engine_free(struct tx_engine *e)
{
	if (!e)
		return;
	tx_config_watch_free(e->watch);
	e->watch = NULL;
	tx_code_shutdown(e); /* runs first: their jobs end with them */
	tx_runner_stop(e);
	pthread_mutex_lock(&e->config_lock);
	/* In parallel: each server may take seconds to end. */
	for (size_t i = 0; i < e->nservers; i++)
		engine_server_stop(e, &e->servers[i], false);
	free(e->servers);
	e->nservers = 0;
	pthread_mutex_unlock(&e->config_lock);
	retire_reap(e, true);
	/* Every child of every backend ends here, before memory goes. */
	backends_shutdown(e);
	if (e->chain && e->chain->ops->shutdown)
		e->chain->ops->shutdown(e->chain);
	tx_runner_release(e);
	tx_code_release(e);
	if (e->chain_tool)
		tx_tool_unref(e->chain_tool);
	/* Its queue holds tool references: before the tools' backends. */
	tx_indexer_free(e->indexer);
	tx_registry_free(e->registry);
	if (e->chain)
		tx_backend_unref(e->chain);
	backends_release(e);
	for (size_t i = 0; i < e->nfiles; i++)
		engine_file_release(&e->files[i]);
	free(e->files);
	free(e->config_dir);
	tx_strv_free(e->start_servers, e->nstart_servers);
	tx_audit_close(e->audit); /* after every job has ended */
	pthread_mutex_destroy(&e->config_lock);
	pthread_mutex_destroy(&e->retire_lock);
	free(e);
}

struct tx_toolset *tx_engine_tools(struct tx_engine *e)
{
	return tx_registry_snapshot(e->registry);
}

int tx_engine_watch_tools(struct tx_engine *e, tx_tools_changed_fn fn,
			  void *ctx)
{
	return tx_registry_listen(e->registry, fn, ctx);
}

int tx_engine_search(struct tx_engine *e, const char *query, size_t k,
		     struct tx_search_hit **hits)
{
	return tx_indexer_query(e->indexer, query, k, hits);
}

/* ------------------------------------------------------------------ */
/* Introspection                                                        */

char *tx_engine_log_text(struct tx_engine *e)
{
	(void)e;
	return tx_log_text();
}

/* "file NAME WHAT: FIRST" and the other lines of text indented below
 * it, for status. */
static void lines_indented(struct tx_buf *b, const char *name, const char *what,
			   const char *text)
{
	const char *line = text, *nl = strchr(line, '\n');

	tx_buf_printf(b, "file %s %s: %.*s\n", name, what,
		      (int)(nl ? (size_t)(nl - line) : strlen(line)), line);
	while (nl && nl[1]) {
		line = nl + 1;
		nl = strchr(line, '\n');
		tx_buf_printf(b, "  %.*s\n",
			      (int)(nl ? (size_t)(nl - line) : strlen(line)),
			      line);
	}
}

char *tx_engine_status_text(struct tx_engine *e)
{
	struct tx_toolset *set = tx_engine_tools(e);
	size_t running, njobs, fresh;
	struct tx_buf b;

	/* jobs: those jobs/ lists (started ones); new: cloned, not started. */
	tx_jobs_count(e, &njobs, &running, &fresh);
	tx_buf_init(&b, 0);
	tx_buf_printf(&b,
		      "version %s\nuptime_s %.0f\ntools %zu\njobs %zu\nrunning "
		      "%zu\nnew %zu\n",
		      TX_VERSION, (double)(tx_now_ns() - e->started_ns) / 1e9,
		      tx_toolset_count(set), njobs - fresh, running, fresh);
	/* Grows with every change of the tool set: a script that edits the
	 * configuration waits for it to move before its next call. */
	tx_buf_printf(&b, "generation %" PRIu64 "\n",
		      tx_toolset_generation(set));
	if (e->audit) {
		unsigned long long lines, lost;

		tx_audit_counts(e->audit, &lines, &lost);
		tx_buf_printf(&b, "audit_lines %llu\naudit_lost %llu\n", lines,
			      lost);
	}
	tx_toolset_unref(set);
	tx_buf_printf(&b, "config %s\n",
		      e->config_dir ? e->config_dir : "(embedded default)");
	pthread_mutex_lock(&e->config_lock);
	for (size_t i = 0; i < e->nfiles; i++) {
		struct engine_file *f = &e->files[i];

		if (f->error)
			lines_indented(&b, f->name,
				       f->plan ? "error (last good version in "
						 "use)"
					       : "error",
				       f->error);
		else if (f->left_out)
			lines_indented(&b, f->name, "ok; left out",
				       f->left_out);
		else
			tx_buf_printf(&b, "file %s ok\n", f->name);
	}
	for (size_t i = 0; i < e->nservers; i++) {
		struct engine_server *s = &e->servers[i];
		char *st = NULL;

		if (s->backend && s->backend->ops->status)
			st = s->backend->ops->status(s->backend);
		if (st) {
			tx_buf_adds(&b, st);
			free(st);
		} else {
			tx_buf_printf(&b, "server %s %s\n", s->name,
				      s->backend ? "configured"
						 : "failed to start");
		}
	}
	pthread_mutex_unlock(&e->config_lock);
	pthread_mutex_lock(&e->retire_lock);
	for (struct engine_retiring *r = e->retiring; r; r = r->next)
		if (!atomic_load(&r->done))
			tx_buf_printf(&b,
				      "mcp %s: stopping (no longer in the "
				      "configuration)\n",
				      r->name);
	pthread_mutex_unlock(&e->retire_lock);
	return tx_buf_detach(&b, NULL);
}

char *tx_engine_config_errors_text(struct tx_engine *e, size_t *count)
{
	struct tx_buf b;

	*count = 0;
	tx_buf_init(&b, 0);
	pthread_mutex_lock(&e->config_lock);
	for (size_t i = 0; i < e->nfiles; i++) {
		const struct engine_file *f = &e->files[i];
		const char *line, *nl;

		if (f->error) {
			tx_buf_printf(&b, "%s\n", f->error);
			(*count)++;
			continue;
		}
		/* A tool left out is the file's error too, named as the
		 * parser names its own (the path, else the name). */
		for (line = f->left_out; line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			tx_buf_printf(&b, "%s: %.*s (left out)\n",
				      f->path ? f->path : f->name,
				      (int)(nl - line), line);
		}
		*count += f->left_out != NULL;
	}
	pthread_mutex_unlock(&e->config_lock);
	return tx_buf_detach(&b, NULL);
}

char *tx_engine_config_text(struct tx_engine *e)
{
	struct json_object *root = json_object_new_object();
	struct json_object *files = json_object_new_array();
	struct json_object *settings = json_object_new_object();
	struct tx_toolset *set = tx_engine_tools(e);
	char *text;

	json_object_object_add(
		root, "config_dir",
		e->config_dir ? json_object_new_string(e->config_dir) : NULL);
	json_object_object_add(settings, "watch",
			       json_object_new_boolean(e->watch != NULL));
	json_object_object_add(
		settings, "job_keep_seconds",
		json_object_new_int(e->opts.job_keep_seconds
					    ? (int)e->opts.job_keep_seconds
					    : 600));
	json_object_object_add(
		settings, "job_keep_max",
		json_object_new_int(e->opts.job_keep_max
					    ? (int)e->opts.job_keep_max
					    : 1000));
	json_object_object_add(
		settings, "job_new_seconds",
		json_object_new_int(e->opts.job_new_seconds
					    ? (int)e->opts.job_new_seconds
					    : 600));
	json_object_object_add(root, "settings", settings);
	pthread_mutex_lock(&e->config_lock);
	for (size_t i = 0; i < e->nfiles; i++) {
		struct engine_file *f = &e->files[i];
		struct json_object *fo = json_object_new_object();
		struct json_object *tools = json_object_new_array();
		struct json_object *servers = json_object_new_array();

		json_object_object_add(fo, "name",
				       json_object_new_string(f->name));
		json_object_object_add(fo, "status",
				       json_object_new_string(f->error ? "error"
								       : "ok"));
		if (f->error)
			json_object_object_add(
				fo, "error", json_object_new_string(f->error));
		if (f->left_out) {
			struct json_object *lo = json_object_new_array();

			for (const char *l = f->left_out, *nl; *l; l = nl + 1) {
				nl = strchr(l, '\n');
				json_object_array_add(
					lo, json_object_new_string_len(
						    l, (int)(nl - l)));
			}
			json_object_object_add(fo, "left_out", lo);
		}
		for (size_t k = 0; k < f->ntool_ids; k++)
			json_object_array_add(
				tools, json_object_new_string(f->tool_ids[k]));
		for (size_t k = 0; f->plan && k < f->plan->nservers; k++)
			json_object_array_add(
				servers, json_object_new_string(
						 f->plan->servers[k].name));
		json_object_object_add(fo, "tools", tools);
		json_object_object_add(fo, "mcpServers", servers);
		json_object_array_add(files, fo);
	}
	pthread_mutex_unlock(&e->config_lock);
	json_object_object_add(root, "files", files);
	json_object_object_add(root, "tool_count",
			       json_object_new_int((int)tx_toolset_count(set)));
	tx_toolset_unref(set);
	text = tx_json_pretty(root);
	json_object_put(root);
	return text;
}
