/* Find the file a DT_NEEDED name loads, the way glibc's ld.so searches:
 *
 *   1. a name with a '/' is a path, used as is;
 *   2. DT_RPATH of the object, only when it has no DT_RUNPATH;
 *   3. LD_LIBRARY_PATH: the environment of the process that will load it
 *      (ldpath_resolve_env: read from /proc/PID/environ, its relative
 *      directories taken from the process's cwd), or pytrace's own
 *      (ldpath_resolve; skipped under a root);
 *   4. DT_RUNPATH of the object;
 *   5. /etc/ld.so.cache;
 *   6. the default directories.
 *
 * $ORIGIN (the directory of the object), $LIB and $PLATFORM are expanded
 * in the paths of 2 and 4.  $LIB is "lib/x86_64-linux-gnu" on Debian and
 * "lib64" elsewhere; both are tried.  A candidate counts only if it is a
 * 64-bit ELF file, as ld.so skips libraries of the wrong class.
 *
 * root is a path prefix for looking inside another mount namespace
 * ("/proc/PID/root"): absolute directories from the object, the cache and
 * the defaults are looked up under it.  $ORIGIN comes from the object's
 * own path, which already carries the prefix.
 *
 * The cache is parsed here (no ldconfig -p): the "glibc-ld.so.cache1.1"
 * format, alone or after the old "ld.so-1.7.0" table. */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target.h"
#include "xmalloc.h"

#define CACHE_OLD_MAGIC "ld.so-1.7.0"
#define CACHE_NEW_MAGIC "glibc-ld.so.cache1.1"
#define CACHE_NEW_HEADER 48       /* magic[20] nlibs len_strings flags pad[3] ext unused[3] */
#define CACHE_NEW_ENTRY 24        /* i32 flags, u32 key, u32 value, u32 osversion, u64 hwcap */
#define CACHE_OLD_ENTRY 12        /* i32 flags, u32 key, u32 value */
#define CACHE_FLAG_ELF_LIBC6 0x0003
#define CACHE_FLAG_X8664_LIB64 0x0300

static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib",
	"/lib64", "/usr/lib64",
};

static const char *const lib_expansions[] = { "lib/x86_64-linux-gnu", "lib64" };

static bool is_elf64(const char *path)
{
	unsigned char ident[EI_NIDENT];
	struct stat st;
	int fd;
	bool ok;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = pread(fd, ident, sizeof(ident), 0) == (ssize_t)sizeof(ident) &&
	     memcmp(ident, ELFMAG, SELFMAG) == 0 && ident[EI_CLASS] == ELFCLASS64;
	close(fd);
	return ok;
}

static char *with_root(const char *root, const char *path)
{
	if (root && *root && path[0] == '/')
		return xasprintf("%s%s", root, path);
	return xstrdup(path);
}

/* cwd: the directory a relative dir is taken from (NULL: our own). */
static char *try_dir(const char *dir, const char *needed, const char *root, const char *cwd)
{
	char *cand, *full;

	if (cwd && dir[0] != '/') {
		cand = xasprintf("%s/%s/%s", cwd, *dir ? dir : ".", needed);
		full = cand;   /* cwd already names a host path */
	} else {
		cand = xasprintf("%s/%s", *dir ? dir : ".", needed);
		full = with_root(root, cand);
		free(cand);
	}
	if (is_elf64(full))
		return full;
	free(full);
	return NULL;
}

/* Replace $ORIGIN/${ORIGIN}, $LIB, $PLATFORM in one directory template. */
static char *expand_dst(const char *tmpl, const char *origin, const char *lib)
{
	static const struct { const char *name; int which; } tokens[] = {
		{"${ORIGIN}", 0}, {"$ORIGIN", 0}, {"${LIB}", 1}, {"$LIB", 1},
		{"${PLATFORM}", 2}, {"$PLATFORM", 2},
	};
	size_t cap = strlen(tmpl) * 4 + PATH_MAX, len = 0;
	char *out = xmalloc(cap);
	const char *p = tmpl;

	while (*p) {
		bool matched = false;
		for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]) && *p == '$'; i++) {
			size_t tl = strlen(tokens[i].name);
			if (strncmp(p, tokens[i].name, tl) != 0)
				continue;
			const char *val = tokens[i].which == 0 ? origin :
					  tokens[i].which == 1 ? lib : "x86_64";
			size_t vl = strlen(val);
			if (len + vl + 1 >= cap)
				out = xrealloc(out, cap = (len + vl + 1) * 2);
			memcpy(out + len, val, vl);
			len += vl;
			p += tl;
			matched = true;
			break;
		}
		if (matched)
			continue;
		if (len + 2 >= cap)
			out = xrealloc(out, cap *= 2);
		out[len++] = *p++;
	}
	out[len] = '\0';
	return out;
}

/* Search a ':'-separated list. origin is NULL for LD_LIBRARY_PATH, whose
 * relative directories are taken from cwd (NULL: ours). */
static char *search_list(const char *list, const char *needed, const char *origin,
			 const char *root, const char *cwd)
{
	char *copy, *save = NULL, *dir, *found = NULL;

	if (!list || !*list)
		return NULL;
	copy = xstrdup(list);
	for (dir = strtok_r(copy, ":;", &save); dir && !found; dir = strtok_r(NULL, ":;", &save)) {
		if (!origin) {
			found = try_dir(dir, needed, root, cwd);
			continue;
		}
		for (size_t i = 0; i < 2 && !found; i++) {
			char *exp = expand_dst(dir, origin, lib_expansions[i]);
			/* $ORIGIN already carries the root prefix: do not add it twice */
			bool from_origin = strstr(dir, "ORIGIN") != NULL;
			found = try_dir(exp, needed, from_origin ? NULL : root, NULL);
			free(exp);
			if (!strstr(dir, "LIB"))
				break;
		}
	}
	free(copy);
	return found;
}

static char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) <= 0 || n > (64L << 20) ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return NULL;
	}
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static uint32_t u32_at(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static char *search_cache(const char *needed, const char *root)
{
	char *cpath = with_root(root, "/etc/ld.so.cache");
	size_t size = 0, start = 0;
	char *buf = read_file(cpath, &size);
	char *found = NULL;

	free(cpath);
	if (!buf)
		return NULL;
	if (size >= sizeof(CACHE_OLD_MAGIC) - 1 + 5 &&
	    memcmp(buf, CACHE_OLD_MAGIC, sizeof(CACHE_OLD_MAGIC) - 1) == 0) {
		/* old table first: magic[11] (+pad) nlibs, entries; new header after, 8-aligned */
		uint32_t nold = u32_at(buf + 12);
		start = 16 + (size_t)nold * CACHE_OLD_ENTRY;
		start = (start + 7) & ~(size_t)7;
	}
	if (start + CACHE_NEW_HEADER > size ||
	    memcmp(buf + start, CACHE_NEW_MAGIC, sizeof(CACHE_NEW_MAGIC) - 1) != 0)
		goto out;
	uint32_t nlibs = u32_at(buf + start + 20);
	const char *base = buf + start;
	size_t avail = size - start;
	if ((size_t)nlibs > (avail - CACHE_NEW_HEADER) / CACHE_NEW_ENTRY)
		goto out;
	for (uint32_t i = 0; i < nlibs && !found; i++) {
		const char *e = base + CACHE_NEW_HEADER + (size_t)i * CACHE_NEW_ENTRY;
		uint32_t flags = u32_at(e), key = u32_at(e + 4), value = u32_at(e + 8);
		if ((flags & 0xff) != CACHE_FLAG_ELF_LIBC6 ||
		    (flags & 0xff00) != CACHE_FLAG_X8664_LIB64)
			continue;
		if (key >= avail || value >= avail || !memchr(base + key, '\0', avail - key) ||
		    !memchr(base + value, '\0', avail - value))
			continue;
		if (strcmp(base + key, needed) != 0)
			continue;
		char *full = with_root(root, base + value);
		if (is_elf64(full))
			found = full;
		else
			free(full);
	}
out:
	free(buf);
	return found;
}

char *ldpath_resolve_env(const char *needed, const struct sdt_file *from, const char *root,
			 const char *library_path, const char *cwd)
{
	char *found = NULL, *origin = NULL;

	if (!needed || !*needed)
		return NULL;
	if (strchr(needed, '/'))
		return is_elf64(needed) ? xstrdup(needed) : NULL;

	if (from && from->path) {
		char real[PATH_MAX];
		const char *p = realpath(from->path, real) ? real : from->path;
		const char *slash = strrchr(p, '/');
		origin = slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup(".");
		if (!*origin) {
			free(origin);
			origin = xstrdup("/");
		}
	}
	if (from && from->rpath && !from->runpath)
		found = search_list(from->rpath, needed, origin ? origin : ".", root, NULL);
	if (!found)
		found = search_list(library_path, needed, NULL, root, cwd);
	if (!found && from && from->runpath)
		found = search_list(from->runpath, needed, origin ? origin : ".", root, NULL);
	if (!found)
		found = search_cache(needed, root);
	for (size_t i = 0; !found && i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
		found = try_dir(default_dirs[i], needed, root, NULL);
	free(origin);
	return found;
}

char *ldpath_resolve(const char *needed, const struct sdt_file *from, const char *root)
{
	/* our environment says nothing about another namespace */
	return ldpath_resolve_env(needed, from, root,
				  root && *root ? NULL : getenv("LD_LIBRARY_PATH"), NULL);
}
