/*
 * config_code.c - "codeProfiles": the security profiles of code runs
 * (docs/config.md, docs/security-profiles.md).
 *
 * Each file's entries are checked on their own when the file is parsed,
 * so an error names the file and stops it like any other error, and the
 * file's last good plan stays in use.  What is kept is the checked
 * object as text: the engine merges the entries of every file (a
 * profile set by two files is taken from the first, as an MCP server
 * is) and parses the merged object once per change into the structs
 * that runs use.  A base therefore names a built-in or a profile of the
 * same file: checked alone, a file can only see its own entries.
 */
#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_i.h"
#include "sandbox/sandbox.h"
#include "util/jsonu.h"
#include "util/log.h"

/* The sandbox's parser says "codeProfiles.NAME.KEY: what"; the
 * configuration says "FILE: $.codeProfiles.NAME.KEY: what". */
static int profile_error(struct tx_cfg *c, const char *why)
{
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s: $.%s", c->name, why);
	return -EINVAL;
}

int tx_cfg_parse_code_profiles(struct tx_cfg *c, struct json_object *v,
			       struct tx_config_file *cf)
{
	struct tx_sandbox_profiles *ps;
	char why[512] = "";

	if (!json_object_is_type(v, json_type_object)) {
		size_t mark = tx_cfg_push_key(c, "codeProfiles");
		int rc = tx_cfg_error(
			c,
			"expected an object of profiles "
			"(name -> settings), got %s",
			v ? json_type_to_name(json_object_get_type(v))
			  : "null");

		tx_cfg_pop(c, mark);
		return rc;
	}
	ps = tx_sandbox_profiles_parse(v, why, sizeof(why));
	if (!ps)
		return errno == ENOMEM ? -ENOMEM : profile_error(c, why);
	tx_sandbox_profiles_free(ps);
	cf->code_profiles = tx_json_compact(v);
	return cf->code_profiles ? 0 : -ENOMEM;
}

struct tx_sandbox_profiles *
tx_config_code_profiles(const struct tx_config_file *const *plans, size_t n,
			char *err, size_t errlen)
{
	struct json_object *merged = json_object_new_object();
	struct tx_sandbox_profiles *ps = NULL;
	char why[512];

	if (!merged) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tx_config_file *p = plans[i];
		struct json_object *o;

		if (!p || !p->code_profiles)
			continue;
		o = tx_json_parse(p->code_profiles, strlen(p->code_profiles),
				  TX_CONFIG_DEPTH_MAX, why, sizeof(why));
		if (!o)
			continue; /* checked when the file was read */
		json_object_object_foreach(o, name, entry)
		{
			if (json_object_object_get_ex(merged, name, NULL)) {
				tx_log(TX_LOG_ERROR,
				       "%s: code profile \"%s\" is already set "
				       "in another file; ignored",
				       p->path, name);
				continue;
			}
			json_object_object_add(merged, name,
					       json_object_get(entry));
		}
		json_object_put(o);
	}
	ps = tx_sandbox_profiles_parse(merged, why, sizeof(why));
	if (!ps)
		snprintf(err, errlen, "%s", why);
	json_object_put(merged);
	return ps;
}
