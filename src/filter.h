/* What is shown: the filters of the command line, applied to the call tree
 * before rendering.
 *
 * The rules (also in the man page):
 *  - --include/--exclude GLOB match a code object's file path. A glob
 *    matches the whole path or any tail of it that starts after a '/', so
 *    "app.py" matches /srv/app.py, "myapp/v*.py" matches /srv/myapp/views.py
 *    and "/usr/lib*" only absolute paths under /usr/lib. '*' also matches
 *    '/'. With --include, only matching files are shown; --exclude hides
 *    matches.
 *  - --function GLOB matches the function name (co_name) exactly, '*' etc.
 *    Only matching calls are shown (not their whole subtree).
 *  - --no-stdlib hides "<frozen ...>" modules and files under a
 *    .../lib/pythonX.Y/ (or lib64) directory, except under its
 *    site-packages/ and dist-packages/ (third-party code stays visible),
 *    and the traced interpreter's own stdlib directory when it is not laid
 *    out so (a build tree's Lib/: filter_add_stdlib_dir).
 *  - --max-depth N shows N levels: events at depth >= N are hidden.
 *  - --min-duration DUR hides calls that last less than DUR, together with
 *    everything that happened during them (their subtree, lines, gc...).
 *  - --pid/--tid keep only those processes and threads (a thread is kept
 *    when its process is a --pid or it is a --tid).
 *
 * Hidden calls still count on their thread's stack, but they do not take a
 * level: the children of a hidden call are shown one level up, under the
 * nearest shown ancestor, so the indentation of what is shown stays
 * consistent. A line event is shown when its own file and function pass
 * the filters; gc, import and audit events are shown at the depth of the
 * innermost shown call, and with a file/function filter only inside one. */
#ifndef PYTRACE_FILTER_H
#define PYTRACE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intern.h"

/* Strings as given on the command line (borrowed, not copied). */
struct str_list {
	const char **v;
	size_t n, cap;
};
void str_list_add(struct str_list *l, const char *s);

/* Process or thread ids. */
struct id_list {
	int32_t *v;
	size_t n, cap;
};
void id_list_add(struct id_list *l, int32_t id);
/* A process or thread id: a whole decimal number from 1 to INT32_MAX.
 * Returns 0, or -1 when s is not one. */
int parse_id(const char *s, int32_t *out);

/* What is shown: the rules above, as the command line gave them. */
struct filter_spec {
	struct str_list include;       /* --include GLOB on file path */
	struct str_list exclude;       /* --exclude GLOB on file path */
	struct str_list functions;     /* --function GLOB */
	bool no_stdlib;
	int max_depth;                 /* -1 = unlimited */
	uint64_t min_duration_ns;      /* 0 = off */
	struct id_list pids;           /* --pid N */
	struct id_list tids;           /* --tid N */
};
void filter_spec_free(struct filter_spec *s);

struct filter;

/* Fails (NULL, err filled) on a malformed glob. */
struct filter *filter_new(const struct filter_spec *s, char *err, size_t errlen);
void filter_free(struct filter *f);

/* Is this process/thread selected by --pid/--tid (true when neither is given)? */
bool filter_thread_ok(const struct filter *f, int32_t pid, int32_t tid);
/* May this process have selected threads (its name is worth keeping)? */
bool filter_pid_ok(const struct filter *f, int32_t pid);

/* Does a call (or line) in func/file pass the file, function and stdlib
 * filters? Cached per intern id. */
bool filter_code_ok(struct filter *f, const struct intern *in, uint32_t func, uint32_t file);

/* A directory --no-stdlib hides too (except its site-packages/): the
 * interpreter's Lib/ when it runs from a build tree. */
void filter_add_stdlib_dir(struct filter *f, const char *dir);
/* The same for every stdlib directory of t (target_stdlib_dirs). */
struct py_target;
void filter_add_target_stdlib(struct filter *f, const struct py_target *t);

/* True when no file/function/stdlib filter is set (everything passes). */
bool filter_code_all(const struct filter *f);

/* Building blocks, exported for the tests. */
bool glob_match_path(const char *glob, const char *path);
bool path_is_stdlib(const char *path, size_t len);

/* "250us", "3ms", "1.5s", "100ns", "2m" (minutes); units ns, us (or µs),
 * ms, s, m. A bare number is an error asking for a unit. */
int parse_duration_ns(const char *s, uint64_t *out_ns, char *err, size_t errlen);
/* Validate a glob: not empty, brackets balanced, no trailing lone '\'. */
int parse_glob(const char *s, char *err, size_t errlen);

#endif
