/*
 * links.c - the resource links of a job's result (MCP content blocks of
 * type "resource_link") as the names and targets of symbolic links into
 * resources/ (docs/filesystem.md, jobs/ID/links/).
 */
#include "engine/job_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/catalog.h"
#include "engine/tool.h"
#include "util/buf.h"

#define LINKS_MAX 1000 /* links shown of one result */

/* The content blocks of a final job's result; job->lock held. */
static struct json_object *content_locked(const struct tx_job *job)
{
	if (!tx_job_state_final(job->state) || !job->result)
		return NULL;
	return job->result->content;
}

/* Whether name is among the first n of v. */
static bool taken(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

int tx_job_links(const struct tx_job *job, char ***names, char ***targets,
		 size_t *count)
{
	struct tx_job *j = (struct tx_job *)job;
	struct json_object *content;
	const char *ns = j->tool && j->tool->ns_file ? j->tool->ns_file : NULL;
	char **nv = NULL, **tv = NULL;
	size_t n = 0, len;
	int rc = 0;

	*names = *targets = NULL;
	*count = 0;
	pthread_mutex_lock(&j->lock);
	content = content_locked(j);
	len = content && ns ? json_object_array_length(content) : 0;
	if (len > LINKS_MAX)
		len = LINKS_MAX;
	if (len && (!(nv = calloc(len, sizeof(*nv))) ||
		    !(tv = calloc(len, sizeof(*tv))))) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	for (size_t i = 0; i < len && !rc; i++) {
		struct json_object *b = json_object_array_get_idx(content, i);
		struct json_object *v;
		const char *uri, *base;
		char *path;

		if (!json_object_object_get_ex(b, "type", &v) ||
		    strcmp(json_object_get_string(v), "resource_link") ||
		    !json_object_object_get_ex(b, "uri", &v) ||
		    !json_object_is_type(v, json_type_string))
			continue;
		uri = json_object_get_string(v);
		path = tx_catalog_uri_path(uri);
		if (!path) {
			if (errno == ENOMEM)
				rc = -ENOMEM;
			continue; /* no scheme: not a path we can show */
		}
		/* Named after the path's last part; a name taken before
		 * gets "~N", N its place in the content. */
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		if (!base[0] || !strcmp(base, "%"))
			base = "link";
		if (taken(nv, n, base)) {
			if (asprintf(&nv[n], "%s~%zu", base, i + 1) < 0)
				nv[n] = NULL;
		} else {
			nv[n] = strdup(base);
		}
		/* From jobs/ID/links/ (or a run's /jobs/ID/links/) up to
		 * the top of the mount. */
		if (asprintf(&tv[n], "../../../resources/%s/%s", ns, path) < 0)
			tv[n] = NULL;
		free(path);
		if (!nv[n] || !tv[n]) {
			free(nv[n]);
			free(tv[n]);
			rc = -ENOMEM;
			break;
		}
		n++;
	}
out_unlock:
	pthread_mutex_unlock(&j->lock);
	if (rc) {
		tx_strv_free(nv, n);
		tx_strv_free(tv, n);
		return rc;
	}
	*names = nv;
	*targets = tv;
	*count = n;
	return 0;
}
