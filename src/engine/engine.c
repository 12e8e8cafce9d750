/*
 * engine.c - the engine's life cycle and its configuration.
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
#include "config/embedded.h"
#include "engine/job_i.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "engine/registry.h"
#include "engine/tool.h"

#define FILES_MAX 1024

/* The kind that runs the servers of "mcpServers". */
#define SERVER_KIND "mcp"

static void on_tools_changed(void *ctx, const struct tx_toolset *old,
			     const struct tx_toolset *cur)
{
	if (tx_toolset_removed_count(cur))
		tx_runner_tools_removed(ctx, old, cur);
}

/* ------------------------------------------------------------------ */
/* Backends, by kind                                                    */

/* The engine's backend of a kind, NULL when the kind has none. */
static struct engine_backend *backend_of(struct tx_engine *e, const char *kind)
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

static void file_release(struct engine_file *f)
{
	file_ids_free(f);
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
	struct engine_backend *b = backend_of(e, spec->kind);

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

/* Registers what the batch holds, as one change of the tool set. */
static void batch_commit(struct tx_engine *e, struct engine_batch *b)
{
	int rc;

	if (!b->n)
		return; /* no file changed: the set stays as it is */
	rc = tx_registry_update(e->registry, b->u, b->n);

	for (size_t i = 0; i < b->n; i++)
		if (b->u[i].refused)
			tx_log(TX_LOG_ERROR, "%s: %s", b->files[i],
			       b->u[i].why);
	if (rc < 0)
		tx_log(TX_LOG_ERROR, "config: cannot register tools: %s",
		       strerror(-rc));
	batch_release(b);
}

/* Adds the tools of a file's current plan to the batch. */
static void file_apply_tools(struct tx_engine *e, struct engine_batch *b,
			     struct engine_file *f)
{
	struct tx_tool **tools = NULL;
	char source[512], err[1024];
	size_t n = 0;

	snprintf(source, sizeof(source), "file:%s", f->name);
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct tx_source_update *u = realloc(b->u, cap * sizeof(*u));
		char **files = u ? realloc(b->files, cap * sizeof(*files))
				 : NULL;

		if (u)
			b->u = u;
		if (!files) {
			tx_log(TX_LOG_ERROR, "%s: cannot register tools: %s",
			       f->name, strerror(ENOMEM));
			return;
		}
		b->files = files;
		b->cap = cap;
	}
	tools = calloc(f->plan && f->plan->ntools ? f->plan->ntools : 1,
		       sizeof(*tools));
	b->u[b->n] = (struct tx_source_update){ .source = strdup(source),
						.tools = tools };
	b->files[b->n] = strdup(f->name);
	if (!tools || !b->u[b->n].source || !b->files[b->n]) {
		free(tools);
		free((void *)b->u[b->n].source);
		free(b->files[b->n]);
		tx_log(TX_LOG_ERROR, "%s: cannot register tools: %s", f->name,
		       strerror(ENOMEM));
		return;
	}
	for (size_t i = 0; f->plan && i < f->plan->ntools; i++) {
		struct tx_tool *t = file_tool_new(e, &f->plan->tools[i],
						  f->name, err, sizeof(err));

		if (t)
			tools[n++] = t;
		else
			tx_log(TX_LOG_ERROR, "%s: %s", f->name, err);
	}
	/*
	 * The tools hold what they need now: the plan's specs and trees
	 * would only cost memory (a plan is applied once, when it is
	 * loaded; what stays is read for the IDs and the servers).
	 */
	file_ids_set(f);
	if (f->plan)
		tx_config_file_drop_tools(f->plan);
	b->u[b->n++].n = n;
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
static void server_stop(struct tx_engine *e, struct engine_server *s, bool wait)
{
	char source[512];

	/* Tools first, so that no new call reaches a dying server: a
	 * backend that publishes its own tools retires them itself (and
	 * never publishes again, so a successor of the same name is safe). */
	if (s->backend && s->backend->ops->retire) {
		s->backend->ops->retire(s->backend);
	} else {
		snprintf(source, sizeof(source), "%s:%s", SERVER_KIND, s->name);
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
	const struct tx_backend_kind *kind = tx_backend_kind_find(SERVER_KIND);
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
		server_stop(e, &e->servers[i], false);
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
				 SERVER_KIND);
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

/* Parses one file into f: keeps the last good plan on error. */
static bool file_load(struct engine_file *f, const char *buf, size_t len)
{
	struct tx_config_file *plan = NULL;
	char err[8192]; /* every error of the file, one per line */
	int rc;

	if (buf)
		rc = tx_config_parse_buffer(f->name, buf, len, &plan, err,
					    sizeof(err));
	else
		rc = tx_config_parse_file(f->path, &plan, err, sizeof(err));
	free(f->error);
	f->error = NULL;
	if (rc) {
		f->error = strdup(err);
		if (f->plan)
			tx_log(TX_LOG_ERROR,
			       "%s; keeping the last good version", err);
		else
			tx_log(TX_LOG_ERROR, "%s", err);
		return false;
	}
	tx_config_file_free(f->plan);
	f->plan = plan;
	return true;
}

static bool json_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && !strcmp(name + n - 5, ".json");
}

/* Re-reads one file of the directory (added, changed or removed); its
 * tools join the batch. */
static void reload_file(struct tx_engine *e, struct engine_batch *b,
			const char *name)
{
	struct engine_file *f;
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", e->config_dir, name);
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		f = file_get(e, name, false);
		if (!f)
			return;
		tx_log(TX_LOG_INFO, "config: %s removed", name);
		tx_config_file_free(f->plan);
		f->plan = NULL;
		file_apply_tools(e, b, f);
		file_release(f);
		*f = e->files[--e->nfiles];
		return;
	}
	f = file_get(e, name, true);
	if (!f)
		return;
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
		return;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	f->read_at = time(NULL);
	if (!f->path)
		f->path = strdup(path);
	if (f->path && file_load(f, NULL, 0)) {
		tx_log(TX_LOG_INFO, "config: %s loaded", name);
		file_apply_tools(e, b, f);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Re-reads the directory; waits for new servers only when wait. */
static int reload_dir(struct tx_engine *e, bool wait)
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
		bool present = false;

		for (size_t k = 0; k < n && !present; k++)
			present = !strcmp(names[k], e->files[i].name);
		if (present) {
			i++;
			continue;
		}
		reload_file(e, &b, e->files[i].name);
	}
	for (size_t k = 0; k < n; k++)
		reload_file(e, &b, names[k]);
	batch_commit(e, &b);
	servers_sync(e, wait);
	tx_code_sync_profiles(e);
	pthread_mutex_unlock(&e->config_lock);
	tx_strv_free(names, n);
	return 0;
}

int tx_engine_reload(struct tx_engine *e)
{
	const struct tx_backend_kind *kind = tx_backend_kind_find(SERVER_KIND);
	int rc = reload_dir(e, false);

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

static void on_config_changed(void *ctx, const char *path)
{
	struct tx_engine *e = ctx;
	const char *name = strrchr(path, '/');
	struct engine_batch b = { 0 };

	name = name ? name + 1 : path;
	if (!json_name(name))
		return;
	pthread_mutex_lock(&e->config_lock);
	reload_file(e, &b, name);
	batch_commit(e, &b);
	servers_sync(e, false);
	tx_code_sync_profiles(e);
	pthread_mutex_unlock(&e->config_lock);
}

static void load_embedded(struct tx_engine *e)
{
	struct engine_batch b = { 0 };

	pthread_mutex_lock(&e->config_lock);
	for (const struct tx_embedded_file *ef = tx_default_config; ef->name;
	     ef++) {
		struct engine_file *f = file_get(e, ef->name, true);

		if (f && file_load(f, ef->data, ef->len))
			file_apply_tools(e, &b, f);
	}
	batch_commit(e, &b);
	servers_sync(e, true);
	tx_code_sync_profiles(e);
	pthread_mutex_unlock(&e->config_lock);
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
		reload_dir(e, true);
		if (opts->watch) {
			e->watch = tx_config_watch_new(e->config_dir,
						       on_config_changed, e,
						       err, errlen);
			if (!e->watch)
				tx_log(TX_LOG_WARN,
				       "config: not watching %s: %s",
				       e->config_dir, err);
		}
	} else {
		load_embedded(e);
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
		server_stop(e, &e->servers[i], false);
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
		file_release(&e->files[i]);
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

		if (f->error) {
			/* A file's errors one per line: the first on the
			 * file's, the rest indented below it. */
			const char *e1 = f->error, *nl;

			nl = strchr(e1, '\n');
			tx_buf_printf(
				&b, "file %s error%s: %.*s\n", f->name,
				f->plan ? " (last good version in use)" : "",
				(int)(nl ? (size_t)(nl - e1) : strlen(e1)), e1);
			while (nl) {
				e1 = nl + 1;
				nl = strchr(e1, '\n');
				tx_buf_printf(&b, "  %.*s\n",
					      (int)(nl ? (size_t)(nl - e1)
						       : strlen(e1)),
					      e1);
			}
		} else
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
		if (!e->files[i].error)
			continue;
		tx_buf_printf(&b, "%s\n", e->files[i].error);
		(*count)++;
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
