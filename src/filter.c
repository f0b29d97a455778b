#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "log.h"
#include "target.h"
#include "xmalloc.h"

enum { UNKNOWN = 0, PASS = 1, FAIL = 2 };

struct filter {
	const struct str_list *include, *exclude, *functions;
	bool no_stdlib;
	bool code_all;
	const struct id_list *pids, *tids;
	char **stdlib_dirs;           /* filter_add_stdlib_dir, each ending in '/' */
	size_t nstdlib_dirs, stdlib_cap;
	uint8_t *file_ok, *func_ok;   /* per intern id: UNKNOWN/PASS/FAIL */
	size_t file_cap, func_cap;
};

void str_list_add(struct str_list *l, const char *s)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

void id_list_add(struct id_list *l, int32_t id)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = id;
}

int parse_id(const char *s, int32_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

void filter_spec_free(struct filter_spec *s)
{
	free(s->include.v);
	free(s->exclude.v);
	free(s->functions.v);
	free(s->pids.v);
	free(s->tids.v);
	memset(s, 0, sizeof(*s));
}

/* The spec is borrowed: it outlives the filter. */
struct filter *filter_new(const struct filter_spec *s, char *err, size_t errlen)
{
	struct filter *f = xcalloc(1, sizeof(*f));
	f->include = &s->include;
	f->exclude = &s->exclude;
	f->functions = &s->functions;
	f->no_stdlib = s->no_stdlib;
	f->code_all = !s->include.n && !s->exclude.n && !s->functions.n && !s->no_stdlib;
	f->pids = &s->pids;
	f->tids = &s->tids;
	const struct str_list *lists[] = { &s->include, &s->exclude, &s->functions };
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < lists[k]->n; i++)
			if (parse_glob(lists[k]->v[i], err, errlen) < 0) {
				filter_free(f);
				return NULL;
			}
	return f;
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nstdlib_dirs; i++)
		free(f->stdlib_dirs[i]);
	free(f->stdlib_dirs);
	free(f->file_ok);
	free(f->func_ok);
	free(f);
}

void filter_add_stdlib_dir(struct filter *f, const char *dir)
{
	size_t len = strlen(dir);
	char *d;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	d = xasprintf("%.*s/", (int)len, dir);
	for (size_t i = 0; i < f->nstdlib_dirs; i++)
		if (strcmp(f->stdlib_dirs[i], d) == 0) {
			free(d);
			return;
		}
	f->stdlib_dirs = xgrow(f->stdlib_dirs, &f->stdlib_cap, f->nstdlib_dirs + 1,
			       sizeof(*f->stdlib_dirs));
	f->stdlib_dirs[f->nstdlib_dirs++] = d;
	if (f->file_cap)   /* files seen before are decided again */
		memset(f->file_ok, UNKNOWN, f->file_cap);
}

void filter_add_target_stdlib(struct filter *f, const struct py_target *t)
{
	char *dirs[4];
	size_t n = target_stdlib_dirs(t, dirs);

	for (size_t i = 0; i < n; i++) {
		filter_add_stdlib_dir(f, dirs[i]);
		free(dirs[i]);
	}
}

static bool in_stdlib_dir(const struct filter *f, const char *path, size_t len)
{
	for (size_t i = 0; i < f->nstdlib_dirs; i++) {
		size_t dl = strlen(f->stdlib_dirs[i]);
		if (len > dl && memcmp(path, f->stdlib_dirs[i], dl) == 0)
			return !(len - dl >= 14 && memcmp(path + dl, "site-packages/", 14) == 0);
	}
	return false;
}

static bool in_set(const struct id_list *s, int32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

/* --pid and --tid add up: a thread is kept when its process is one of the
 * --pid values or the thread is one of the --tid values. */
bool filter_thread_ok(const struct filter *f, int32_t pid, int32_t tid)
{
	if (!f->pids->n && !f->tids->n)
		return true;
	return in_set(f->pids, pid) || in_set(f->tids, tid);
}

bool filter_pid_ok(const struct filter *f, int32_t pid)
{
	return (!f->pids->n && !f->tids->n) || in_set(f->pids, pid) || f->tids->n;
}

bool glob_match_path(const char *glob, const char *path)
{
	if (fnmatch(glob, path, 0) == 0)
		return true;
	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
		if (s[1] && fnmatch(glob, s + 1, 0) == 0)
			return true;
	return false;
}

static bool any_match_path(const struct str_list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (glob_match_path(l->v[i], path))
			return true;
	return false;
}

/* lib/pythonX.Y/ (or lib64, and a build suffix such as 3.13t) followed by
 * something other than site-packages/ or dist-packages/. */
bool path_is_stdlib(const char *path, size_t len)
{
	static const char frozen[] = "<frozen ";
	if (len >= sizeof(frozen) - 1 && memcmp(path, frozen, sizeof(frozen) - 1) == 0)
		return true;
	const char *end = path + len;
	for (const char *p = path; (p = memmem(p, (size_t)(end - p), "lib", 3)); p += 3) {
		if (p != path && p[-1] != '/')
			continue;
		const char *q = p + 3;
		if (end - q >= 2 && q[0] == '6' && q[1] == '4')
			q += 2;
		if (end - q < 7 || memcmp(q, "/python", 7) != 0)
			continue;
		q += 7;
		const char *d = q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == d || q >= end || *q != '.')
			continue;
		d = ++q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q == d)
			continue;
		while (q < end && *q >= 'a' && *q <= 'z')   /* abiflags: 3.13t, 3.7m */
			q++;
		if (q >= end || *q != '/')
			continue;
		q++;
		size_t rest = (size_t)(end - q);
		if ((rest >= 14 && memcmp(q, "site-packages/", 14) == 0) ||
		    (rest >= 14 && memcmp(q, "dist-packages/", 14) == 0))
			return false;
		return true;
	}
	return false;
}

static uint8_t *cache_slot(uint8_t **v, size_t *cap, uint32_t id)
{
	if (id >= *cap) {
		size_t old = *cap;
		*v = xgrow(*v, cap, (size_t)id + 1, 1);
		memset(*v + old, 0, *cap - old);
	}
	return &(*v)[id];
}

bool filter_code_all(const struct filter *f)
{
	return f->code_all;
}

bool filter_code_ok(struct filter *f, const struct intern *in, uint32_t func, uint32_t file)
{
	if (f->code_all)
		return true;
	uint8_t *fs = cache_slot(&f->file_ok, &f->file_cap, file);
	if (*fs == UNKNOWN) {
		const struct istr *p = intern_str(in, file);
		bool ok = true;
		if (f->include->n && !any_match_path(f->include, p->s))
			ok = false;
		if (ok && f->exclude->n && any_match_path(f->exclude, p->s))
			ok = false;
		if (ok && f->no_stdlib &&
		    (path_is_stdlib(p->s, p->len) || in_stdlib_dir(f, p->s, p->len)))
			ok = false;
		*fs = ok ? PASS : FAIL;
	}
	if (*fs == FAIL)
		return false;
	if (!f->functions->n)
		return true;
	uint8_t *ns = cache_slot(&f->func_ok, &f->func_cap, func);
	if (*ns == UNKNOWN) {
		const char *name = intern_str(in, func)->s;
		bool ok = false;
		for (size_t i = 0; i < f->functions->n && !ok; i++)
			ok = fnmatch(f->functions->v[i], name, 0) == 0;
		*ns = ok ? PASS : FAIL;
	}
	return *ns == PASS;
}

int parse_duration_ns(const char *s, uint64_t *out_ns, char *err, size_t errlen)
{
	static const struct { const char *name; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 },
		{ "s", 1e9 }, { "m", 60e9 }, { "min", 60e9 },
	};
	const char *p = s;
	if (!s || !*s)
		return err_set(err, errlen, "empty duration: give a number and a unit, e.g. 250us, 3ms, 1.5s");
	/* Digits with an optional fraction; strtod would also take hex, inf, nan and exponents. */
	const char *num = p;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (p == num || (p == num + 1 && *num == '.'))
		return err_set(err, errlen, "bad duration '%s': give a number and a unit, e.g. 250us, 3ms, 1.5s", s);
	if (!*p)
		return err_set(err, errlen, "duration '%s' has no unit: write %sus, %sms or %ss (units: ns, us, ms, s, m)", s, s, s, s);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].name) != 0)
			continue;
		double v = strtod(num, NULL) * units[i].ns;
		if (!(v < 1.8e19))
			return err_set(err, errlen, "duration '%s' is too long", s);
		*out_ns = (uint64_t)llround(v);
		return 0;
	}
	return err_set(err, errlen, "bad duration unit in '%s': use ns, us, ms, s or m (minutes)", s);
}

int parse_glob(const char *s, char *err, size_t errlen)
{
	if (!s || !*s)
		return err_set(err, errlen, "empty glob: give a pattern such as '*/myapp/*'");
	for (const char *p = s; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return err_set(err, errlen, "glob '%s' ends with a lone backslash", s);
			p++;
			continue;
		}
		if (*p != '[')
			continue;
		/* A bracket expression: ']' right after '[' or '[!' / '[^' is literal. */
		const char *q = p + 1;
		if (*q == '!' || *q == '^')
			q++;
		if (*q == ']')
			q++;
		while (*q && *q != ']')
			q++;
		if (!*q)
			return err_set(err, errlen, "glob '%s' has an unclosed '[' (write '[[]' for a literal '[')", s);
		p = q;
	}
	return 0;
}
