/*
 * schema_format.c - the `format` keyword: RFC 3339 dates and times,
 * RFC 5321 mail addresses, RFC 1123 host names, IPv4 and IPv6 addresses,
 * RFC 3986 URIs (and RFC 3987 IRIs), RFC 6570 URI templates, UUIDs,
 * RFC 6901 JSON pointers, relative JSON pointers, ECMA-262 regexes and
 * ISO 8601 durations.
 *
 * Formats are annotations unless the schema was compiled with
 * assert_format.  Unknown formats always pass: a newer format name in a
 * tool's schema must not make the tool uncallable.
 */
#include "schema/schema_i.h"

#include <arpa/inet.h>
#include <string.h>

static const char *const fmt_names[] = {
	[SX_FMT_DATE_TIME] = "date-time",
	[SX_FMT_DATE] = "date",
	[SX_FMT_TIME] = "time",
	[SX_FMT_EMAIL] = "email",
	[SX_FMT_IDN_EMAIL] = "idn-email",
	[SX_FMT_HOSTNAME] = "hostname",
	[SX_FMT_IPV4] = "ipv4",
	[SX_FMT_IPV6] = "ipv6",
	[SX_FMT_URI] = "uri",
	[SX_FMT_URI_REFERENCE] = "uri-reference",
	[SX_FMT_IRI] = "iri",
	[SX_FMT_IRI_REFERENCE] = "iri-reference",
	[SX_FMT_URI_TEMPLATE] = "uri-template",
	[SX_FMT_UUID] = "uuid",
	[SX_FMT_JSON_POINTER] = "json-pointer",
	[SX_FMT_RELATIVE_JSON_POINTER] = "relative-json-pointer",
	[SX_FMT_REGEX] = "regex",
	[SX_FMT_DURATION] = "duration",
};

int sx_format_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++)
		if (strcmp(fmt_names[i], name) == 0)
			return (int)i;
	/* draft-03 names, still seen in old schemas. */
	if (strcmp(name, "ip-address") == 0)
		return SX_FMT_IPV4;
	if (strcmp(name, "host-name") == 0)
		return SX_FMT_HOSTNAME;
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n decimal digits at s[*i], advancing; -1 if they are not there. */
static int digits(const char *s, size_t len, size_t *i, int n)
{
	int v = 0;

	if (*i + (size_t)n > len)
		return -1;
	while (n--) {
		if (!is_digit(s[*i]))
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	return v;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool parse_date(const char *s, size_t len, size_t *i)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int y, m, d, max;

	y = digits(s, len, i, 4);
	if (y < 0 || *i >= len || s[(*i)++] != '-')
		return false;
	m = digits(s, len, i, 2);
	if (m < 1 || m > 12 || *i >= len || s[(*i)++] != '-')
		return false;
	d = digits(s, len, i, 2);
	max = mdays[m - 1] + (m == 2 && is_leap(y));
	return d >= 1 && d <= max;
}

/* RFC 3339 full-time: partial-time time-offset. */
static bool parse_time(const char *s, size_t len, size_t *i)
{
	int h, m, sec, oh = 0, om = 0, sign = 0, utc;

	h = digits(s, len, i, 2);
	if (h < 0 || h > 23 || *i >= len || s[(*i)++] != ':')
		return false;
	m = digits(s, len, i, 2);
	if (m < 0 || m > 59 || *i >= len || s[(*i)++] != ':')
		return false;
	sec = digits(s, len, i, 2);
	if (sec < 0 || sec > 60)
		return false;
	if (*i < len && s[*i] == '.') {
		size_t start = ++(*i);

		while (*i < len && is_digit(s[*i]))
			(*i)++;
		if (*i == start)
			return false;
	}
	if (*i >= len)
		return false;
	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
	} else if (s[*i] == '+' || s[*i] == '-') {
		sign = s[(*i)++] == '+' ? 1 : -1;
		oh = digits(s, len, i, 2);
		if (oh < 0 || oh > 23 || *i >= len || s[(*i)++] != ':')
			return false;
		om = digits(s, len, i, 2);
		if (om < 0 || om > 59)
			return false;
	} else {
		return false;
	}
	if (sec == 60) {
		/* A leap second exists only at 23:59:60 UTC. */
		utc = ((h * 60 + m - sign * (oh * 60 + om)) % 1440 + 1440) %
		      1440;
		if (utc != 23 * 60 + 59)
			return false;
	}
	return true;
}

static bool check_date_time(const char *s, size_t len, int fmt)
{
	size_t i = 0;

	if (fmt != SX_FMT_TIME) {
		if (!parse_date(s, len, &i))
			return false;
		if (fmt == SX_FMT_DATE)
			return i == len;
		if (i >= len || (s[i] != 'T' && s[i] != 't'))
			return false;
		i++;
	}
	return parse_time(s, len, &i) && i == len;
}

static bool check_hostname(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}

static bool check_ipv4(const char *s, size_t len)
{
	size_t i = 0;
	int part, n;

	for (part = 0; part < 4; part++) {
		size_t start = i;

		if (part && (i >= len || s[i++] != '.'))
			return false;
		start = i;
		n = 0;
		while (i < len && is_digit(s[i]) && i - start < 3)
			n = n * 10 + (s[i++] - '0');
		/* No leading zeros: "010" is octal to some parsers. */
		if (i == start || n > 255 || (s[start] == '0' && i - start > 1))
			return false;
	}
	return i == len;
}

static bool check_ipv6(const char *s, size_t len)
{
	char buf[64];
	unsigned char addr[16];
	size_t i;

	if (len == 0 || len >= sizeof(buf))
		return false;
	for (i = 0; i < len; i++)
		if (!is_hex(s[i]) && s[i] != ':' && s[i] != '.')
			return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1;
}

static bool check_uuid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return false;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_hex(s[i])) {
			return false;
		}
	}
	return true;
}

static bool is_unreserved(char c, bool iri)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("-._~", c)) ||
	       (iri && (unsigned char)c >= 0x80);
}

static bool is_sub_delim(char c)
{
	return c && strchr("!$&'()*+,;=", c);
}

/* Characters of a URI part; extra lists what else the part allows.
 * Advances *i to the first character that is not part of it. */
static bool scan_part(const char *s, size_t len, size_t *i, const char *extra,
		      const char *stop, bool iri)
{
	while (*i < len && !strchr(stop, s[*i])) {
		char c = s[*i];

		if (c == '%') {
			if (*i + 2 >= len || !is_hex(s[*i + 1]) ||
			    !is_hex(s[*i + 2]))
				return false;
			*i += 3;
			continue;
		}
		if (c == '\0' || (!is_unreserved(c, iri) && !is_sub_delim(c) &&
				  !strchr(extra, c)))
			return false;
		(*i)++;
	}
	return true;
}

static bool check_authority(const char *s, size_t len, bool iri)
{
	const char *at = NULL;
	size_t i = 0, j;

	for (j = 0; j < len; j++)
		if (s[j] == '@')
			at = s + j;
	if (at) {
		size_t ulen = (size_t)(at - s);

		if (!scan_part(s, ulen, &i, ":", "", iri) || i != ulen)
			return false;
		i = ulen + 1;
	}
	if (i < len && s[i] == '[') {
		const char *close = memchr(s + i, ']', len - i);

		if (!close)
			return false;
		j = (size_t)(close - s);
		if (j > i + 1 && (s[i + 1] == 'v' || s[i + 1] == 'V')) {
			size_t k = i + 2;

			/* IPvFuture: "v" HEXDIG+ "." ... */
			if (!scan_part(s, j, &k, ":", "", false) || k != j)
				return false;
		} else if (!check_ipv6(s + i + 1, j - i - 1)) {
			return false;
		}
		i = j + 1;
	} else if (!scan_part(s, len, &i, "", ":", iri)) {
		return false;
	}
	if (i < len) {
		if (s[i++] != ':')
			return false;
		while (i < len)
			if (!is_digit(s[i++]))
				return false;
	}
	return true;
}

static bool check_uri(const char *s, size_t len, bool need_scheme, bool iri)
{
	size_t i = 0, start;
	bool scheme = false;

	if (len && is_alpha(s[0])) {
		for (i = 1; i < len; i++)
			if (!is_alpha(s[i]) && !is_digit(s[i]) &&
			    !strchr("+-.", s[i]))
				break;
		if (i < len && s[i] == ':') {
			scheme = true;
			i++;
		} else {
			i = 0;
		}
	}
	if (!scheme && need_scheme)
		return false;
	if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		start = i;
		while (i < len && !strchr("/?#", s[i]))
			i++;
		if (!check_authority(s + start, i - start, iri))
			return false;
	} else if (!scheme) {
		/* path-noscheme: no ':' in the first segment. */
		for (start = i; start < len && !strchr("/?#", s[start]);
		     start++)
			if (s[start] == ':')
				return false;
	}
	if (!scan_part(s, len, &i, ":@/", "?#", iri))
		return false;
	if (i < len && s[i] == '?') {
		i++;
		if (!scan_part(s, len, &i, ":@/?", "#", iri))
			return false;
	}
	if (i < len && s[i] == '#') {
		i++;
		if (!scan_part(s, len, &i, ":@/?", "", iri))
			return false;
	}
	return i == len;
}

static bool check_uri_template(const char *s, size_t len)
{
	size_t i;
	bool in_expr = false;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '{') {
			if (in_expr)
				return false;
			in_expr = true;
		} else if (c == '}') {
			if (!in_expr || s[i - 1] == '{')
				return false;
			in_expr = false;
		} else if ((unsigned char)c <= ' ' || strchr("\"'<>\\^`|", c)) {
			return false;
		}
	}
	return !in_expr;
}

static bool check_email(const char *s, size_t len, bool idn)
{
	const char *at = NULL;
	size_t i, local;

	for (i = 0; i < len; i++)
		if (s[i] == '@')
			at = s + i;
	if (!at)
		return false;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || local + 1 >= len)
		return false;
	if (s[0] == '"') {
		/* quoted-string local part */
		if (local < 2 || s[local - 1] != '"')
			return false;
		for (i = 1; i + 1 < local; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == '"')
				return false;
	} else {
		if (s[0] == '.' || s[local - 1] == '.')
			return false;
		for (i = 0; i < local; i++) {
			char c = s[i];

			if (c == '.' && s[i + 1] == '.')
				return false;
			if (!is_alpha(c) && !is_digit(c) &&
			    !(c && strchr(".!#$%&'*+-/=?^_`{|}~", c)) &&
			    !(idn && (unsigned char)c >= 0x80))
				return false;
		}
	}
	s += local + 1;
	len -= local + 1;
	if (s[0] == '[') {
		if (s[len - 1] != ']')
			return false;
		if (len > 6 && strncmp(s + 1, "IPv6:", 5) == 0)
			return check_ipv6(s + 6, len - 7);
		return check_ipv4(s + 1, len - 2);
	}
	if (idn) {
		for (i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x80 && !is_alpha(s[i]) &&
			    !is_digit(s[i]) && s[i] != '.' && s[i] != '-')
				return false;
		return s[0] != '.' && s[len - 1] != '.';
	}
	return check_hostname(s, len);
}

static bool check_json_pointer(const char *s, size_t len)
{
	size_t i;

	if (len && s[0] != '/')
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '~' &&
		    (i + 1 >= len || (s[i + 1] != '0' && s[i + 1] != '1')))
			return false;
	return true;
}

static bool check_relative_json_pointer(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_digit(s[i]))
		i++;
	if (i == 0 || (s[0] == '0' && i > 1))
		return false;
	if (i < len && s[i] == '#')
		return i + 1 == len;
	return check_json_pointer(s + i, len - i);
}

/* ISO 8601 duration as in RFC 3339 appendix A. */
static bool check_duration(const char *s, size_t len)
{
	static const char date_units[] = "YMD", time_units[] = "HMS";
	size_t i = 1;
	const char *units = date_units, *u;
	bool any = false, in_time = false, week = false;

	if (len < 3 || s[0] != 'P')
		return false;
	while (i < len) {
		size_t start = i;

		if (s[i] == 'T') {
			if (in_time || i + 1 >= len)
				return false;
			in_time = true;
			units = time_units;
			i++;
			continue;
		}
		while (i < len && is_digit(s[i]))
			i++;
		if (i == start || i >= len)
			return false;
		if (!in_time && s[i] == 'W' && !any) {
			week = true;
		} else {
			u = strchr(units, s[i]);
			if (!u || week)
				return false;
			units = u + 1; /* units must come in order */
		}
		any = true;
		i++;
	}
	return any && s[len - 1] != 'T';
}

bool sx_format_check(int fmt, const char *s, size_t len)
{
	switch (fmt) {
	case SX_FMT_DATE_TIME:
	case SX_FMT_DATE:
	case SX_FMT_TIME:
		return check_date_time(s, len, fmt);
	case SX_FMT_EMAIL:
		return check_email(s, len, false);
	case SX_FMT_IDN_EMAIL:
		return check_email(s, len, true);
	case SX_FMT_HOSTNAME:
		return check_hostname(s, len);
	case SX_FMT_IPV4:
		return check_ipv4(s, len);
	case SX_FMT_IPV6:
		return check_ipv6(s, len);
	case SX_FMT_URI:
		return check_uri(s, len, true, false);
	case SX_FMT_URI_REFERENCE:
		return check_uri(s, len, false, false);
	case SX_FMT_IRI:
		return check_uri(s, len, true, true);
	case SX_FMT_IRI_REFERENCE:
		return check_uri(s, len, false, true);
	case SX_FMT_URI_TEMPLATE:
		return check_uri_template(s, len);
	case SX_FMT_UUID:
		return check_uuid(s, len);
	case SX_FMT_JSON_POINTER:
		return check_json_pointer(s, len);
	case SX_FMT_RELATIVE_JSON_POINTER:
		return check_relative_json_pointer(s, len);
	case SX_FMT_REGEX:
		return sx_regex_is_ecma(s, len);
	case SX_FMT_DURATION:
		return check_duration(s, len);
	default:
		return true;
	}
}
