/*
 * engine_config.c - configuration files -> registry sources, and the
 * MCP servers they define.
 *
 * Every configuration file is one registry source ("file:NAME"), so a
 * change of one file swaps only that file's tools; a file that fails to
 * parse keeps its last good plan.  MCP servers are keyed by name across
 * all files; a reload restarts only servers whose definition changed.
 *
 * A reload never waits on a server.  It runs on a FUSE worker thread
 * (.ctl/reload) or the watcher's, under config_lock, which .ctl/status
 * needs too: a server that takes its startup_timeout_ms to answer
 * initialize, or seconds to exit, must hold up neither.  So new servers
 * start in the background (their tools appear when listed; status says
 * "starting"), and removed ones lose their tools at once while their
 * processes end on a thread of their own (status says "stopping").
 * Only the first load, before the mount appears, waits for servers.
 *
 * The engine knows no backend: it asks the table of kinds
 * (engine/backend.h) for the kind a tool spec or a server names.
 */
#include "engine/engine_i.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/backend.h"
#include "engine/code.h"
#include "config/config.h"
#include "config/embedded.h"
#include "util/buf.h"
#include "util/log.h"
#include "engine/registry.h"
#include "engine/tool.h"

#define FILES_MAX 1024

/* ------------------------------------------------------------------ */
/* Configuration files                                                  */

static struct engine_file *file_get(struct tx_engine *e, const char *name,
				    bool create)
{
	struct engine_file *grown;

	for (size_t i = 0; i < e->nfiles; i++)
		if (!strcmp(e->files[i].name, name))
			return &e->files[i];
	if (!create || e->nfiles >= FILES_MAX)
		return NULL;
	grown = realloc(e->files, (e->nfiles + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	e->files = grown;
	memset(&grown[e->nfiles], 0, sizeof(*grown));
	grown[e->nfiles].name = strdup(name);
	if (!grown[e->nfiles].name)
		return NULL;
	return &e->files[e->nfiles++];
}

static void file_ids_free(struct engine_file *f)
{
	for (size_t i = 0; i < f->ntool_ids; i++)
		free(f->tool_ids[i]);
	free(f->tool_ids);
	f->tool_ids = NULL;
	f->ntool_ids = 0;
}

/* The IDs of the plan's tools, for status, before they are dropped; an
 * ID that cannot be kept is left out of status only. */
static void file_ids_set(struct engine_file *f)
{
	size_t n = f->plan ? f->plan->ntools : 0;

	file_ids_free(f);
	if (!n || !(f->tool_ids = calloc(n, sizeof(*f->tool_ids))))
		return;
	for (size_t k = 0; k < n; k++) {
		const struct tx_tool_spec *t = &f->plan->tools[k];
		char *id;

		if (asprintf(&id, "%s:%s", t->ns, t->name) >= 0)
			f->tool_ids[f->ntool_ids++] = id;
	}
}

void engine_file_release(struct engine_file *f)
{
	file_ids_free(f);
	free(f->left_out);
	free(f->name);
	free(f->path);
	tx_config_file_free(f->plan);
	free(f->error);
}

/* A tool of a file, built by the backend of the kind its spec names. */
static struct tx_tool *file_tool_new(struct tx_engine *e,
				     const struct tx_tool_spec *spec,
				     const char *file, char *err, size_t errlen)
{
	struct engine_backend *b = engine_backend_of(e, spec->kind);

	if (!b || !b->kind->tool_new) {
		snprintf(err, errlen,
			 "%s:%s: no backend of kind \"%s\" runs "
			 "configured tools",
			 spec->ns, spec->name, spec->kind);
		errno = ENOENT;
		return NULL;
	}
	return b->kind->tool_new(b->backend, spec, file, err, errlen);
}

/*
 * The files a reload touched, registered together (config_lock): one
 * new tool set for the whole reload, not one per file, so loading N
 * tools from any number of files costs O(N).
 */
struct engine_batch {
	struct tx_source_update *u; /* source and tools are ours */
	char **files;               /* the file of each, for messages */
	size_t n, cap;
};

static void batch_release(struct engine_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		for (size_t j = 0; j < b->u[i].n; j++)
			tx_tool_unref(b->u[i].tools[j]);
		free((void *)b->u[i].tools);
		free((void *)b->u[i].source);
		free(b->u[i].why);
		free(b->files[i]);
	}
	free(b->u);
	free(b->files);
	memset(b, 0, sizeof(*b));
}

/* Adds the items of list, separated by sep, to the file's tools left
 * out, a line each. */
static void file_left_out(struct engine_file *f, const char *list,
			  const char *sep)
{
	struct tx_buf b;
	const char *p, *end;

	if (!f || !list || !*list)
		return;
	tx_buf_init(&b, 0);
	if (f->left_out)
		tx_buf_adds(&b, f->left_out);
	for (p = list; *p; p = *end ? end + strlen(sep) : end) {
		end = strstr(p, sep);
		if (!end)
			end = p + strlen(p);
		if (end > p)
			tx_buf_printf(&b, "%.*s\n", (int)(end - p), p);
	}
	if (b.data) {
		free(f->left_out);
		f->left_out = tx_buf_detach(&b, NULL);
	}
}

/* Registers what the batch holds, as one change of the tool set. */
static void batch_commit(struct tx_engine *e, struct engine_batch *b)
{
	int rc;

	if (!b->n)
		return; /* no file changed: the set stays as it is */
	rc = tx_registry_update(e->registry, b->u, b->n);

	for (size_t i = 0; i < b->n; i++) {
		struct engine_file *f;

		if (!b->u[i].refused)
			continue;
		tx_log(TX_LOG_ERROR, "%s: %s", b->files[i], b->u[i].why);
		f = file_get(e, b->files[i], false);
		file_left_out(f, b->u[i].why, "; ");
		if (f)
			f->duplicates = true;
	}
	if (rc < 0)
		tx_log(TX_LOG_ERROR, "config: cannot register tools: %s",
		       strerror(-rc));
	batch_release(b);
}

/*
 * Adds a file's tools to the batch: the array and its references are
 * the batch's then.  No tools: the file's tools leave the set.
 */
static void batch_add(struct engine_batch *b, const char *file,
		      struct tx_tool **tools, size_t n)
{
	char source[512];

	snprintf(source, sizeof(source), "file:%s", file);
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct tx_source_update *u = realloc(b->u, cap * sizeof(*u));
		char **files = u ? realloc(b->files, cap * sizeof(*files))
				 : NULL;

		if (u)
			b->u = u;
		if (!files)
			goto fail;
		b->files = files;
		b->cap = cap;
	}
	if (!tools && !(tools = calloc(1, sizeof(*tools))))
		goto fail;
	b->u[b->n] = (struct tx_source_update){ .source = strdup(source),
						.tools = tools,
						.n = n };
	b->files[b->n] = strdup(file);
	if (!b->u[b->n].source || !b->files[b->n]) {
		free((void *)b->u[b->n].source);
		free(b->files[b->n]);
		goto fail;
	}
	b->n++;
	return;
fail:
	for (size_t i = 0; i < n; i++)
		tx_tool_unref(tools[i]);
	free(tools);
	tx_log(TX_LOG_ERROR, "%s: cannot register tools: %s", file,
	       strerror(ENOMEM));
}

/*
 * Reading files on several threads.  Parsing a file and building its
 * tools is most of a start (JSON, compiled schemas), and one file's
 * work touches no other's, so a load of many files runs it on a
 * thread per CPU: a job per file, taken in turn.  The reload's own
 * thread then applies the jobs in the order of the files (the batch
 * and every message), so what a load does and says does not depend on
 * which thread read what.
 */
#define LOADERS_MAX 8

struct file_job {
	struct engine_file *f; /* the job's alone while loaders run */
	const char *buf;       /* an embedded file's text, or NULL */
	size_t len;
	bool parsed;            /* f->plan is the new plan */
	struct tx_tool **tools; /* its tools, each a reference */
	size_t ntools;
	struct tx_buf refused; /* the error of each tool not built, a line
				* each */
};

/* Parses a job's file into its engine_file (the last good plan stays
 * on error, the error in f->error) and builds the plan's tools. */
static void job_run(struct tx_engine *e, struct file_job *j)
{
	struct engine_file *f = j->f;
	struct tx_config_file *plan = NULL;
	char err[8192]; /* every error of the file, one per line */
	int rc;

	tx_buf_init(&j->refused, 0);
	if (j->buf)
		rc = tx_config_parse_buffer(f->name, j->buf, j->len, &plan, err,
					    sizeof(err));
	else
		rc = tx_config_parse_file(f->path, &plan, err, sizeof(err));
	free(f->error);
	f->error = rc ? strdup(err) : NULL;
	if (rc)
		return;
	tx_config_file_free(f->plan);
	f->plan = plan;
	j->parsed = true;
	j->tools = calloc(plan->ntools ? plan->ntools : 1, sizeof(*j->tools));
	if (!j->tools)
		tx_buf_printf(&j->refused, "cannot build tools: %s\n",
			      strerror(ENOMEM));
	for (size_t i = 0; j->tools && i < plan->ntools; i++) {
		struct tx_tool *t = file_tool_new(e, &plan->tools[i], f->name,
						  err, sizeof(err));

		if (t)
			j->tools[j->ntools++] = t;
		else
			tx_buf_printf(&j->refused, "%s\n", err);
	}
	/*
	 * The tools hold what they need now: the plan's specs and trees
	 * would only cost memory (a plan is applied once, when it is
	 * loaded; what stays is read for the IDs and the servers).
	 */
	file_ids_set(f);
	tx_config_file_drop_tools(plan);
}

struct loaders {
	struct tx_engine *e;
	struct file_job *jobs;
	size_t n;
	atomic_size_t next;
};

static void *loader(void *arg)
{
	struct loaders *l = arg;
	size_t i;

	while ((i = atomic_fetch_add(&l->next, 1)) < l->n)
		job_run(l->e, &l->jobs[i]);
	return NULL;
}

/* Threads for n jobs: as the options say, else one per CPU this
 * process may run on. */
static size_t loaders_wanted(const struct tx_engine *e, size_t n)
{
	size_t cpus = e->opts.load_threads;
	cpu_set_t set;

	if (!cpus) {
		cpus = 1;
		if (!sched_getaffinity(0, sizeof(set), &set))
			cpus = (size_t)CPU_COUNT(&set);
	}
	if (cpus > LOADERS_MAX)
		cpus = LOADERS_MAX;
	return n < cpus ? n : cpus;
}

/* Logs what a job's file said and adds its tools to the batch. */
static void job_apply(struct engine_batch *b, struct file_job *j)
{
	struct engine_file *f = j->f;
	char *line, *next;

	if (!j->parsed) {
		const char *err = f->error ? f->error : strerror(ENOMEM);

		if (f->plan)
			tx_log(TX_LOG_ERROR,
			       "%s; keeping the last good version", err);
		else
			tx_log(TX_LOG_ERROR, "%s", err);
		return;
	}
	if (f->path)
		tx_log(TX_LOG_INFO, "config: %s loaded", f->name);
	/* No array for the tools (no memory): the file's tools stay as
	 * they were. */
	if (j->tools)
		batch_add(b, f->name, j->tools, j->ntools);
	j->tools = NULL;
	free(f->left_out);
	f->left_out = NULL;
	f->duplicates = false;
	file_left_out(f, j->refused.data, "\n");
	for (line = j->refused.data; line && *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		tx_log(TX_LOG_ERROR, "%s: %s", f->name, line);
	}
	tx_buf_release(&j->refused);
}

/* Reads the jobs' files, on loader threads when there are several, and
 * applies them in order. */
static void jobs_load(struct tx_engine *e, struct engine_batch *b,
		      struct file_job *jobs, size_t n)
{
	struct loaders l = { .e = e, .jobs = jobs, .n = n };
	pthread_t threads[LOADERS_MAX];
	size_t nthreads = 0, want = loaders_wanted(e, n);

	atomic_init(&l.next, 0);
	/* This thread is one of them; one that cannot start is not
	 * needed (the others take its share). */
	while (nthreads + 1 < want &&
	       !pthread_create(&threads[nthreads], NULL, loader, &l))
		nthreads++;
	loader(&l);
	for (size_t i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	for (size_t i = 0; i < n; i++)
		job_apply(b, &jobs[i]);
}

/* False for a server the engine was asked not to start. */
static bool server_wanted(const struct tx_engine *e, const char *name)
{
	if (!e->start_servers)
		return true;
	for (size_t i = 0; i < e->nstart_servers; i++)
		if (!strcmp(e->start_servers[i], name))
			return true;
	return false;
}

/*
 * Brings the running MCP servers in line with the plans of all files:
 * stops servers that went away or changed, starts new ones (all in the
 * background, in parallel), then, only when wait, waits until each has
 * listed its tools.
 */
static void servers_sync(struct tx_engine *e, bool wait)
{
	const struct tx_backend_kind *kind =
		tx_backend_kind_find(ENGINE_SERVER_KIND);
	struct engine_server *want = NULL;
	size_t nwant = 0, cap = 0;
	bool *started;
	char **roots = NULL;
	const char *roots_file = NULL;

	/* The top-level "roots" (of one file only): every server without
	 * its own takes them; a reload that changes them reaches running
	 * servers as a change of their own roots does. */
	for (size_t i = 0; i < e->nfiles; i++) {
		struct tx_config_file *p = e->files[i].plan;

		if (!p || !p->roots)
			continue;
		if (roots_file) {
			tx_log(TX_LOG_ERROR,
			       "%s: \"roots\" is already given in %s; ignored",
			       e->files[i].name, roots_file);
			continue;
		}
		roots = p->roots;
		roots_file = e->files[i].name;
	}
	for (size_t i = 0; i < e->nfiles; i++) {
		struct tx_config_file *p = e->files[i].plan;

		for (size_t j = 0; p && j < p->nservers; j++)
			if (tx_mcp_spec_inherit_roots(&p->servers[j], roots))
				tx_log(TX_LOG_ERROR,
				       "%s: MCP server \"%s\": out of memory "
				       "for its roots",
				       e->files[i].name, p->servers[j].name);
	}

	for (size_t i = 0; i < e->nfiles; i++) {
		struct tx_config_file *p = e->files[i].plan;

		for (size_t j = 0; p && j < p->nservers; j++) {
			bool dup = false;

			if (!server_wanted(e, p->servers[j].name))
				continue;
			for (size_t k = 0; k < nwant; k++)
				if (!strcmp(want[k].name, p->servers[j].name))
					dup = true;
			if (dup) {
				tx_log(TX_LOG_ERROR,
				       "%s: MCP server \"%s\" is already defined in another file; ignored",
				       e->files[i].name, p->servers[j].name);
				continue;
			}
			if (nwant == cap) {
				struct engine_server *g;

				cap = cap ? cap * 2 : 8;
				g = realloc(want, cap * sizeof(*g));
				if (!g)
					goto out_free;
				want = g;
			}
			want[nwant++] = (struct engine_server){
				.name = p->servers[j].name,
				.file = e->files[i].name,
				.spec = &p->servers[j],
			};
		}
	}
	/* Stop what is gone or changed. */
	for (size_t i = 0; i < e->nservers;) {
		bool keep = false;

		for (size_t k = 0; k < nwant; k++)
			if (!strcmp(want[k].name, e->servers[i].name) &&
			    tx_mcp_spec_equal(want[k].spec,
					      e->servers[i].spec)) {
				keep = true;
				/* Roots apply without a restart. */
				if (kind && kind->server_update &&
				    e->servers[i].backend)
					kind->server_update(
						e->servers[i].backend,
						want[k].spec);
				want[k].spec = NULL; /* already running */
			}
		if (keep) {
			i++;
			continue;
		}
		tx_log(TX_LOG_INFO, "mcp: stopping server %s",
		       e->servers[i].name);
		engine_server_stop(e, &e->servers[i], false);
		e->servers[i] = e->servers[--e->nservers];
	}
	started = calloc(nwant ? nwant : 1, sizeof(*started));
	for (size_t k = 0; started && k < nwant; k++) {
		struct engine_server *grown, s = { 0 };
		char err[1024];

		if (!want[k].spec)
			continue;
		s.name = strdup(want[k].name);
		s.file = strdup(want[k].file);
		s.spec = tx_mcp_spec_dup(want[k].spec);
		grown = realloc(e->servers, (e->nservers + 1) * sizeof(*grown));
		if (!s.name || !s.file || !s.spec || !grown) {
			free(s.name);
			free(s.file);
			tx_mcp_spec_free(s.spec);
			if (grown)
				e->servers = grown;
			continue;
		}
		e->servers = grown;
		if (kind && kind->server_new)
			s.backend = kind->server_new(s.spec, e->registry, err,
						     sizeof(err));
		else
			snprintf(err, sizeof(err),
				 "no backend of kind \"%s\" "
				 "runs servers",
				 ENGINE_SERVER_KIND);
		if (!s.backend)
			tx_log(TX_LOG_ERROR, "%s: MCP server %s: %s", s.file,
			       s.name, err);
		else
			tx_log(TX_LOG_INFO, "mcp: starting server %s", s.name);
		e->servers[e->nservers++] = s;
		started[k] = true;
	}
	for (size_t i = 0; wait && started && i < e->nservers; i++) {
		struct engine_server *s = &e->servers[i];
		int rc;

		if (!s->backend || !kind->server_wait_ready ||
		    (s->spec->lazy && !e->opts.wait_lazy))
			continue;
		rc = kind->server_wait_ready(s->backend,
					     (int)s->spec->startup_timeout_ms);
		if (rc)
			tx_log(TX_LOG_WARN, "mcp: server %s is not ready: %s",
			       s->name, strerror(-rc));
	}
	free(started);
out_free:
	free(want);
}

static bool json_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && !strcmp(name + n - 5, ".json");
}

/* A file that is gone: its tools leave the set, and it the engine's
 * files (the last one takes its place). */
static void file_remove(struct tx_engine *e, struct engine_batch *b,
			struct engine_file *f)
{
	tx_log(TX_LOG_INFO, "config: %s removed", f->name);
	batch_add(b, f->name, NULL, 0);
	engine_file_release(f);
	*f = e->files[--e->nfiles];
}

/*
 * Looks at one file of the directory: a removed one's tools leave at
 * once (the batch); true for one that is new or changed, to be read
 * (jobs_load).
 */
static bool file_look(struct tx_engine *e, struct engine_batch *b,
		      const char *name)
{
	struct engine_file *f;
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", e->config_dir, name);
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		f = file_get(e, name, false);
		if (f)
			file_remove(e, b, f);
		return false;
	}
	f = file_get(e, name, true);
	if (!f)
		return false;
	/*
	 * Unchanged since it was read: nothing to do, so a reload of a
	 * directory of 500 files costs the files that changed.  File
	 * systems stamp times at a coarse tick, so a file modified within
	 * two seconds of being read may have changed again since with the
	 * same stamp (git's "racily clean" entries): it is read again.
	 */
	if (f->path && f->dev == st.st_dev && f->ino == st.st_ino &&
	    f->size == st.st_size && f->mtime.tv_sec == st.st_mtim.tv_sec &&
	    f->mtime.tv_nsec == st.st_mtim.tv_nsec &&
	    st.st_mtim.tv_sec + 2 < f->read_at)
		return false;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	f->read_at = time(NULL);
	if (!f->path)
		f->path = strdup(path);
	return f->path != NULL;
}

/* Looks at the named files of the directory and reads those that are
 * new or changed; their tools join the batch. */
static void files_read(struct tx_engine *e, struct engine_batch *b,
		       const char *const *names, size_t n)
{
	/* The named files, and the others that are read again. */
	size_t cap = n + e->nfiles + 1;
	struct file_job *jobs = calloc(cap, sizeof(*jobs));
	bool *changed = calloc(n ? n : 1, sizeof(*changed));
	size_t k = 0;

	if (!jobs || !changed) {
		tx_log(TX_LOG_ERROR, "config: cannot read: %s",
		       strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		changed[i] = file_look(e, b, names[i]);
	/* Looks add and remove files: the pointers are taken after. */
	for (size_t i = 0; i < n; i++)
		if (changed[i] && (jobs[k].f = file_get(e, names[i], false)))
			k++;
	/* Files that left a duplicate out, after the changed ones, which
	 * may have let its ID go. */
	for (size_t i = 0; i < e->nfiles && k < cap; i++) {
		bool queued = false;

		if (!e->files[i].duplicates || !e->files[i].path)
			continue;
		for (size_t q = 0; q < k && !queued; q++)
			queued = jobs[q].f == &e->files[i];
		if (!queued)
			jobs[k++].f = &e->files[i];
	}
	jobs_load(e, b, jobs, k);
out:
	free(changed);
	free(jobs);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Re-reads the directory; waits for new servers only when wait. */
int engine_reload_dir(struct tx_engine *e, bool wait)
{
	struct engine_batch b = { 0 };
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	DIR *d;

	if (!e->config_dir)
		return 0;
	d = opendir(e->config_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < FILES_MAX) {
		char **grown;

		if (!json_name(de->d_name))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	pthread_mutex_lock(&e->config_lock);
	/* Files that disappeared since the last look. */
	for (size_t i = 0; i < e->nfiles;) {
		if (n && bsearch(&e->files[i].name, names, n, sizeof(*names),
				 cmp_str))
			i++;
		else
			file_remove(e, &b, &e->files[i]);
	}
	files_read(e, &b, (const char *const *)names, n);
	batch_commit(e, &b);
	servers_sync(e, wait);
	tx_code_sync_profiles(e);
	pthread_mutex_unlock(&e->config_lock);
	tx_strv_free(names, n);
	return 0;
}

int tx_engine_reload(struct tx_engine *e)
{
	const struct tx_backend_kind *kind =
		tx_backend_kind_find(ENGINE_SERVER_KIND);
	int rc = engine_reload_dir(e, false);

	/* A reload is what a user does after fixing what made a server
	 * fail (a download, a missing file): unchanged servers that are
	 * down start again now, not after their back-off. */
	if (!kind || !kind->server_retry)
		return rc;
	pthread_mutex_lock(&e->config_lock);
	for (size_t i = 0; i < e->nservers; i++)
		if (e->servers[i].backend)
			kind->server_retry(e->servers[i].backend);
	pthread_mutex_unlock(&e->config_lock);
	return rc;
}

void engine_on_config_changed(void *ctx, const char *path)
{
	struct tx_engine *e = ctx;
	const char *name = strrchr(path, '/');
	struct engine_batch b = { 0 };

	name = name ? name + 1 : path;
	if (!json_name(name))
		return;
	pthread_mutex_lock(&e->config_lock);
	files_read(e, &b, &name, 1);
	batch_commit(e, &b);
	servers_sync(e, false);
	tx_code_sync_profiles(e);
	pthread_mutex_unlock(&e->config_lock);
}

void engine_load_embedded(struct tx_engine *e)
{
	struct engine_batch b = { 0 };
	struct file_job *jobs;
	size_t n = 0, k = 0;

	while (tx_default_config[n].name)
		n++;
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	pthread_mutex_lock(&e->config_lock);
	for (size_t i = 0; jobs && i < n; i++)
		file_get(e, tx_default_config[i].name, true);
	/* Now that no file is added, the pointers stay. */
	for (size_t i = 0; jobs && i < n; i++) {
		const struct tx_embedded_file *ef = &tx_default_config[i];

		jobs[k].f = file_get(e, ef->name, false);
		jobs[k].buf = ef->data;
		jobs[k].len = ef->len;
		k += jobs[k].f != NULL;
	}
	if (!jobs)
		tx_log(TX_LOG_ERROR, "config: cannot load the default: %s",
		       strerror(ENOMEM));
	jobs_load(e, &b, jobs, k);
	free(jobs);
	batch_commit(e, &b);
	servers_sync(e, true);
	tx_code_sync_profiles(e);
	pthread_mutex_unlock(&e->config_lock);
}
