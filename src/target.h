/* Which interpreter will be probed, and which file carries its markers. */
#ifndef PYTRACE_TARGET_H
#define PYTRACE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "markers.h"
#include "sdt.h"

struct py_target {
	char *exe;                 /* executable, symlinks followed (as seen from the host) */
	char *marker_file;         /* file carrying the markers: exe or libpython; NULL if none */
	bool in_library;           /* marker_file is a shared library (libpython) */
	char *library_name;        /* the library's own path as the target names it (for stap .library()) */
	struct sdt_file *sdt;      /* notes of marker_file (or of exe when none found) */
	int py_major, py_minor;    /* -1 when unknown */
	enum marker_health health;
	pid_t pid;                 /* from -p, else 0 */
	char *root;                /* "/proc/PID/root" prefix for a pid target, else NULL */
	bool guessed;              /* from a command line: what -c will most likely run */
};

/* From a path (symlinks followed; exe with markers or its DT_NEEDED libpython). */
int target_from_path(const char *path, struct py_target *t, char *err, size_t errlen);
/* From a running process: /proc/PID/exe and the libpython in /proc/PID/maps. */
int target_from_pid(pid_t pid, struct py_target *t, char *err, size_t errlen);
/* From a shell command: PATH lookup, #! lines, /usr/bin/env. A guess. */
int target_from_command(const char *cmd, struct py_target *t, char *err, size_t errlen);
void target_free(struct py_target *t);
/* a and b (either may be NULL) name the same file (device and inode). */
bool target_same_file(const char *a, const char *b);

/* A python run from its build tree (pybuilddir.txt beside the executable)
 * takes its stdlib from Lib/ beside it, or ../Lib/ for an out-of-tree build
 * (VPATH=..): those directories (the path and its real path), at most 4,
 * malloc'd into dirs.  Returns how many. */
size_t target_stdlib_dirs(const struct py_target *t, char *dirs[4]);

/* Resolve a DT_NEEDED name the way ld.so does for the object at `from`
 * (DT_RUNPATH/DT_RPATH with $ORIGIN, LD_LIBRARY_PATH, ld.so.cache, default
 * dirs). root is a path prefix (NULL for /). Returns malloc'd path or NULL. */
char *ldpath_resolve(const char *needed, const struct sdt_file *from, const char *root);
/* The same for another process's environment: library_path is its
 * LD_LIBRARY_PATH (NULL: unset), cwd a host path to its working directory
 * (e.g. "/proc/PID/cwd") for LD_LIBRARY_PATH's relative entries. */
char *ldpath_resolve_env(const char *needed, const struct sdt_file *from, const char *root,
			 const char *library_path, const char *cwd);

#endif
