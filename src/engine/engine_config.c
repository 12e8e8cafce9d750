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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/backend.h"
#include "engine/code.h"
#include "config/config.h"
#include "config/embedded.h"
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
		engine_file_release(f);
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
	reload_file(e, &b, name);
	batch_commit(e, &b);
	servers_sync(e, false);
	tx_code_sync_profiles(e);
	pthread_mutex_unlock(&e->config_lock);
}

void engine_load_embedded(struct tx_engine *e)
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
