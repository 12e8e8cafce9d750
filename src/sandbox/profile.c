/*
 * profile.c - the security profiles: built-in defaults and the
 * "codeProfiles" configuration on top of them.
 *
 * A profile is parsed once into a flat struct; runs never look at JSON.
 * Inheritance is resolved at parse time (an entry starts from a copy of
 * its base, then applies its own keys), so a reload gives a complete new
 * set and old runs keep the profile they started with.
 */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/jsonu.h"

#define MAX_PROFILES 64
#define KiB          1024ull
#define MiB          (1024ull * KiB)
#define GiB          (1024ull * MiB)

struct tx_sandbox_profiles {
	size_t n;
	struct tx_sandbox_profile p[MAX_PROFILES];
};

static const struct tx_sandbox_profile builtin[3] = {
	{
		.name = "dev",
		.kind = TX_SANDBOX_DEV,
		.enabled = false,
		.timeout_ms = 30000,
		.kill_grace_ms = 1000,
		.max_tool_calls = 100,
		.memory = 4 * GiB,
		.pids = 512,
		.cpu = 30,
		.file_size = 1 * GiB,
		.nofile = 1024,
		.stdout_max = 16 * MiB,
		.stderr_max = 4 * MiB,
		.work_size = 256 * MiB,
		.tmp_size = 64 * MiB,
	},
	{
		.name = "standard",
		.kind = TX_SANDBOX_STANDARD,
		.enabled = true,
		.timeout_ms = 30000,
		.kill_grace_ms = 1000,
		.max_tool_calls = 100,
		.memory = 4 * GiB,
		.pids = 256,
		.cpu = 30,
		.file_size = 256 * MiB,
		.nofile = 1024,
		.stdout_max = 16 * MiB,
		.stderr_max = 4 * MiB,
		.work_size = 256 * MiB,
		.tmp_size = 64 * MiB,
	},
	{
		.name = "hardened",
		.kind = TX_SANDBOX_HARDENED,
		.enabled = true,
		.timeout_ms = 30000,
		.kill_grace_ms = 1000,
		.max_tool_calls = 100,
		.memory = 512 * MiB,
		.address_space = 2 * GiB,
		.pids = 64,
		.cpu = 10,
		.file_size = 64 * MiB,
		.nofile = 256,
		.stdout_max = 4 * MiB,
		.stderr_max = 1 * MiB,
		.work_size = 64 * MiB,
		.tmp_size = 16 * MiB,
	},
};

const char *tx_sandbox_kind_name(enum tx_sandbox_kind k)
{
	switch (k) {
	case TX_SANDBOX_DEV:
		return "dev";
	case TX_SANDBOX_STANDARD:
		return "standard";
	case TX_SANDBOX_HARDENED:
		return "hardened";
	}
	return "?";
}

static void profile_release(struct tx_sandbox_profile *p)
{
	for (size_t i = 0; i < p->nenv; i++)
		free(p->env[i]);
	p->nenv = 0;
}

/* Deep copy of src into dst (dst's name is kept). */
static int profile_copy(struct tx_sandbox_profile *dst,
			const struct tx_sandbox_profile *src)
{
	char name[sizeof(dst->name)];

	memcpy(name, dst->name, sizeof(name));
	profile_release(dst);
	*dst = *src;
	memcpy(dst->name, name, sizeof(name));
	dst->nenv = 0;
	for (size_t i = 0; i < src->nenv; i++) {
		dst->env[i] = strdup(src->env[i]);
		if (!dst->env[i])
			return -ENOMEM;
		dst->nenv++;
	}
	return 0;
}

void tx_sandbox_profiles_free(struct tx_sandbox_profiles *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++)
		profile_release(&ps->p[i]);
	free(ps);
}

size_t tx_sandbox_profiles_count(const struct tx_sandbox_profiles *ps)
{
	return ps ? ps->n : 0;
}

const struct tx_sandbox_profile *
tx_sandbox_profiles_at(const struct tx_sandbox_profiles *ps, size_t i)
{
	return ps && i < ps->n ? &ps->p[i] : NULL;
}

const struct tx_sandbox_profile *
tx_sandbox_profiles_get(const struct tx_sandbox_profiles *ps, const char *name)
{
	for (size_t i = 0; ps && name && i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i];
	return NULL;
}

/* A name becomes a directory under code/: keep it to a safe alphabet. */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TX_SANDBOX_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

/*
 * A number of at least min and at most max: a JSON integer, or for byte
 * sizes (suffix_ok) a string such as "512M".
 */
static int get_num(struct json_object *v, const char *pname, const char *key,
		   bool suffix_ok, uint64_t min, uint64_t max, uint64_t *out,
		   char *err, size_t errlen)
{
	uint64_t x;

	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i < 0)
			goto range;
		x = (uint64_t)i;
	} else if (suffix_ok && json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		char *end;
		unsigned long long m = 1;

		if (s[0] < '0' || s[0] > '9')
			goto type;
		errno = 0;
		x = strtoull(s, &end, 10);
		if (errno)
			goto range;
		switch (*end) {
		case 'k':
		case 'K':
			m = KiB;
			end++;
			break;
		case 'm':
		case 'M':
			m = MiB;
			end++;
			break;
		case 'g':
		case 'G':
			m = GiB;
			end++;
			break;
		default:
			break;
		}
		if (*end == 'i' && m > 1)
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			goto type;
		if (x > UINT64_MAX / m)
			goto range;
		x *= m;
	} else {
		goto type;
	}
	if (x < min || x > max)
		goto range;
	*out = x;
	return 0;
type:
	snprintf(err, errlen, "codeProfiles.%s.%s: expected %s", pname, key,
		 suffix_ok ? "an integer or a size such as \"512M\""
			   : "an integer");
	return -EINVAL;
range:
	snprintf(err, errlen,
		 "codeProfiles.%s.%s: out of range (%" PRIu64 " to %" PRIu64
		 ")",
		 pname, key, min, max);
	return -EINVAL;
}

/* The keys an entry may carry, with their bounds; the offsets say where
 * each lands (32- or 64-bit fields). */
struct numkey {
	const char *key;
	size_t off;
	bool wide; /* uint64_t, else uint32_t */
	bool size; /* accepts "512M" */
	uint64_t min, max;
};

#define N32(k, f, lo, hi)                                                    \
	{                                                                    \
		k, offsetof(struct tx_sandbox_profile, f), false, false, lo, \
			hi                                                   \
	}
#define N64(k, f, lo, hi)                                                     \
	{                                                                     \
		k, offsetof(struct tx_sandbox_profile, f), true, true, lo, hi \
	}

static const struct numkey numkeys[] = {
	N32("timeout_ms", timeout_ms, 1, 24u * 3600 * 1000),
	N32("kill_grace_ms", kill_grace_ms, 0, 60000),
	N32("max_tool_calls", max_tool_calls, 0, 1000000),
	N64("memory", memory, 16 * MiB, 1024 * GiB),
	N64("address_space", address_space, 0, 1024 * GiB),
	N32("pids", pids, 2, 1000000),
	N32("cpu", cpu, 1, 24 * 3600),
	N64("file_size", file_size, 4 * KiB, 16384 * GiB),
	N32("nofile", nofile, 16, 1048576),
	N64("stdout_max", stdout_max, 1, 64 * GiB),
	N64("stderr_max", stderr_max, 1, 64 * GiB),
	N64("work_size", work_size, 1 * MiB, 1024 * GiB),
	N64("tmp_size", tmp_size, 1 * MiB, 1024 * GiB),
};

static int apply_env(struct tx_sandbox_profile *p, struct json_object *v,
		     char *err, size_t errlen)
{
	if (!json_object_is_type(v, json_type_object)) {
		snprintf(err, errlen, "codeProfiles.%s.env: expected an object",
			 p->name);
		return -EINVAL;
	}
	json_object_object_foreach(v, k, val)
	{
		size_t kl = strlen(k);
		const char *s;
		char *e;
		size_t slot;

		if (kl == 0 || strchr(k, '=') || kl > 255) {
			snprintf(
				err, errlen,
				"codeProfiles.%s.env: bad variable name \"%s\"",
				p->name, k);
			return -EINVAL;
		}
		if (!json_object_is_type(val, json_type_string)) {
			snprintf(err, errlen,
				 "codeProfiles.%s.env.%s: expected a string",
				 p->name, k);
			return -EINVAL;
		}
		s = json_object_get_string(val);
		if (strlen(s) > 4096) {
			snprintf(err, errlen,
				 "codeProfiles.%s.env.%s: longer than 4096",
				 p->name, k);
			return -EINVAL;
		}
		/* A key given again (by a derived profile) replaces. */
		for (slot = 0; slot < p->nenv; slot++)
			if (!strncmp(p->env[slot], k, kl) &&
			    p->env[slot][kl] == '=')
				break;
		if (slot == p->nenv && p->nenv == TX_SANDBOX_ENV_MAX) {
			snprintf(err, errlen,
				 "codeProfiles.%s.env: more than %d variables",
				 p->name, TX_SANDBOX_ENV_MAX);
			return -EINVAL;
		}
		if (asprintf(&e, "%s=%s", k, s) < 0)
			return -ENOMEM;
		if (slot == p->nenv)
			p->nenv++;
		else
			free(p->env[slot]);
		p->env[slot] = e;
	}
	return 0;
}

/* Applies an entry's own keys (not base) to p. */
static int apply_keys(struct tx_sandbox_profile *p, struct json_object *o,
		      char *err, size_t errlen)
{
	int rc;

	json_object_object_foreach(o, key, v)
	{
		const struct numkey *nk = NULL;
		uint64_t x;

		if (!strcmp(key, "base"))
			continue;
		if (!strcmp(key, "enabled")) {
			if (!json_object_is_type(v, json_type_boolean)) {
				snprintf(err, errlen,
					 "codeProfiles.%s.enabled: expected "
					 "true or false",
					 p->name);
				return -EINVAL;
			}
			p->enabled = json_object_get_boolean(v);
			continue;
		}
		if (!strcmp(key, "env")) {
			rc = apply_env(p, v, err, errlen);
			if (rc < 0)
				return rc;
			continue;
		}
		for (size_t i = 0; i < sizeof(numkeys) / sizeof(numkeys[0]);
		     i++)
			if (!strcmp(numkeys[i].key, key))
				nk = &numkeys[i];
		if (!nk) {
			snprintf(err, errlen,
				 "codeProfiles.%s: unknown key \"%s\"", p->name,
				 key);
			return -EINVAL;
		}
		rc = get_num(v, p->name, key, nk->size, nk->min, nk->max, &x,
			     err, errlen);
		if (rc < 0)
			return rc;
		if (nk->wide)
			*(uint64_t *)((char *)p + nk->off) = x;
		else
			*(uint32_t *)((char *)p + nk->off) = (uint32_t)x;
	}
	return 0;
}

static int builtin_index(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(builtin[i].name, name))
			return i;
	return -1;
}

/*
 * Resolves entry `name` into ps (recursively through its base).  state:
 * 0 not seen, 1 in progress (a cycle when met again), 2 done.
 */
static int resolve(struct tx_sandbox_profiles *ps, struct json_object *cfg,
		   const char *name, unsigned char *state, char *err,
		   size_t errlen)
{
	struct json_object *o = NULL, *b = NULL;
	struct tx_sandbox_profile *p = NULL;
	size_t idx = 0;
	int rc, bi;

	json_object_object_get_ex(cfg, name, &o);
	/* Its slot: built-ins are 0..2, the others in object order. */
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name)) {
			p = &ps->p[i];
			idx = i;
		}
	if (!p)
		return -ENOENT;
	if (state[idx] == 2)
		return 0;
	if (state[idx] == 1) {
		snprintf(err, errlen, "codeProfiles.%s: base cycle", name);
		return -EINVAL;
	}
	state[idx] = 1;
	bi = builtin_index(name);
	if (o && json_object_object_get_ex(o, "base", &b)) {
		const char *base;
		const struct tx_sandbox_profile *bp;

		if (!json_object_is_type(b, json_type_string)) {
			snprintf(
				err, errlen,
				"codeProfiles.%s.base: expected a profile name",
				name);
			return -EINVAL;
		}
		base = json_object_get_string(b);
		if (bi >= 0 && strcmp(base, name)) {
			snprintf(err, errlen,
				 "codeProfiles.%s: a built-in profile cannot "
				 "change its base",
				 name);
			return -EINVAL;
		}
		if (bi < 0) {
			rc = resolve(ps, cfg, base, state, err, errlen);
			if (rc == -ENOENT) {
				snprintf(err, errlen,
					 "codeProfiles.%s.base: no profile "
					 "\"%s\"",
					 name, base);
				return -EINVAL;
			}
			if (rc < 0)
				return rc;
			bp = tx_sandbox_profiles_get(ps, base);
			rc = profile_copy(p, bp);
			if (rc < 0)
				return rc;
			/* A derived profile is on unless it says so, even
			 * when its base (dev) is off. */
			p->enabled = true;
		}
	} else if (bi < 0) {
		snprintf(err, errlen,
			 "codeProfiles.%s: needs a \"base\" (dev, standard, "
			 "hardened or another profile)",
			 name);
		return -EINVAL;
	}
	if (o) {
		rc = apply_keys(p, o, err, errlen);
		if (rc < 0)
			return rc;
	}
	state[idx] = 2;
	return 0;
}

struct tx_sandbox_profiles *tx_sandbox_profiles_parse(struct json_object *cfg,
						      char *err, size_t errlen)
{
	struct tx_sandbox_profiles *ps = calloc(1, sizeof(*ps));
	unsigned char state[MAX_PROFILES] = { 0 };
	int rc = 0;

	if (!ps) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < 3; i++)
		ps->p[ps->n++] = builtin[i];
	if (cfg && !json_object_is_type(cfg, json_type_object)) {
		snprintf(err, errlen, "codeProfiles: expected an object");
		rc = -EINVAL;
		goto out_fail;
	}
	if (cfg) {
		json_object_object_foreach(cfg, name, v)
		{
			if (!json_object_is_type(v, json_type_object)) {
				snprintf(err, errlen,
					 "codeProfiles.%s: expected an object",
					 name);
				rc = -EINVAL;
				goto out_fail;
			}
			if (!name_ok(name)) {
				snprintf(err, errlen,
					 "codeProfiles: bad profile name "
					 "\"%s\" (letters, digits, '-', '_', "
					 "'.'; at most %d)",
					 name, TX_SANDBOX_NAME_MAX);
				rc = -EINVAL;
				goto out_fail;
			}
			if (builtin_index(name) >= 0)
				continue;
			if (ps->n == MAX_PROFILES) {
				snprintf(err, errlen,
					 "codeProfiles: more than %d profiles",
					 MAX_PROFILES - 3);
				rc = -EINVAL;
				goto out_fail;
			}
			memset(&ps->p[ps->n], 0, sizeof(ps->p[0]));
			snprintf(ps->p[ps->n].name, sizeof(ps->p[0].name), "%s",
				 name);
			ps->n++;
		}
		for (size_t i = 0; i < ps->n; i++) {
			rc = resolve(ps, cfg, ps->p[i].name, state, err,
				     errlen);
			if (rc < 0)
				goto out_fail;
		}
	}
	/* Sort the user's profiles by name after the built-ins, so that
	 * code/ lists the same order whatever the file's order. */
	for (size_t i = 4; i < ps->n; i++)
		for (size_t j = i;
		     j > 3 && strcmp(ps->p[j - 1].name, ps->p[j].name) > 0;
		     j--) {
			struct tx_sandbox_profile t = ps->p[j];

			ps->p[j] = ps->p[j - 1];
			ps->p[j - 1] = t;
		}
	return ps;
out_fail:
	tx_sandbox_profiles_free(ps);
	/* The steps that run out of memory leave err to us. */
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	errno = rc == -ENOMEM ? ENOMEM : EINVAL;
	return NULL;
}

struct tx_sandbox_profiles *tx_sandbox_profiles_parse_text(const char *json,
							   size_t len,
							   char *err,
							   size_t errlen)
{
	struct tx_sandbox_profiles *ps;
	struct json_object *o;

	o = tx_json_parse(json, len, 16, err, errlen);
	if (!o && err[0]) {
		errno = EINVAL;
		return NULL;
	}
	ps = tx_sandbox_profiles_parse(o, err, errlen);
	json_object_put(o);
	return ps;
}
