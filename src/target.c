/* Which interpreter will be probed, and which file carries its markers.
 *
 * A python's markers live either in its executable (a static build, e.g.
 * Debian's /usr/bin/python3.11) or in the libpython it loads (an
 * --enable-shared build: Fedora, pyenv).  So for every target we open the
 * executable's notes first, and when it has no "python" markers, the
 * libpython it needs: from a path, the DT_NEEDED entry resolved like ld.so
 * does (ldpath.c); from a running process, the libpython actually mapped in
 * /proc/PID/maps.
 *
 * Paths of a running process are read through /proc/PID/root, so a python
 * inside a container (another mount namespace) is found from the host.  When
 * the process shares our root, t->root stays NULL; otherwise it is
 * "/proc/PID/root".  Either way t->exe and t->marker_file are paths we can
 * open as they are (the kernel prints a chrooted process's paths from our
 * root; a container's from its own, which we then prefix with t->root), and
 * t->library_name is the path as the process's maps name it.  Every path is
 * checked against the mapping's device and inode; a file deleted or replaced
 * since the process started is read through /proc/PID/map_files/ (the
 * mapping itself, needs root) or reported.
 *
 * From a command (-c), the interpreter is a guess: PATH lookup, symlinks, and
 * "#!" lines including "/usr/bin/env python3" and "env -S".  pyenv shims and
 * other shell scripts choose their python at run time; we say so instead of
 * guessing.  The live engines make the final decision at exec time.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"
#include "target.h"
#include "xmalloc.h"

#define MAX_SHEBANG_DEPTH 4

static void target_init(struct py_target *t)
{
	memset(t, 0, sizeof(*t));
	t->py_major = t->py_minor = -1;
}

static bool is_libpython_name(const char *s)
{
	const char *base = strrchr(s, '/');
	base = base ? base + 1 : s;
	return strncmp(base, "libpython", 9) == 0 && strstr(base, ".so") != NULL;
}

/* Fill marker_file/sdt/version/health from the exe's notes and, when the exe
 * has no markers, from the library (lib_path = host path to open, lib_name =
 * the name the target uses). Takes ownership of exe_sdt. */
static int settle(struct py_target *t, struct sdt_file *exe_sdt, const char *lib_path,
		  const char *lib_name, char *err, size_t errlen)
{
	struct sdt_file *lib = NULL;

	t->py_major = exe_sdt->py_major;
	t->py_minor = exe_sdt->py_minor;
	if (has_python_markers(exe_sdt)) {
		t->sdt = exe_sdt;
		t->marker_file = xstrdup(t->exe);
	} else if (lib_path) {
		if (sdt_file_open(lib_path, &lib, err, errlen) < 0) {
			sdt_file_free(exe_sdt);
			return -1;
		}
		if (lib->py_major >= 0) {
			t->py_major = lib->py_major;
			t->py_minor = lib->py_minor;
		}
		if (has_python_markers(lib)) {
			t->sdt = lib;
			t->marker_file = xstrdup(lib_path);
			t->in_library = true;
			t->library_name = xstrdup(lib_name ? lib_name : lib_path);
			sdt_file_free(exe_sdt);
			lib = NULL;
		} else {
			t->sdt = exe_sdt;
		}
		sdt_file_free(lib);
	} else {
		t->sdt = exe_sdt;
	}
	t->health = marker_health_for(t->py_major, t->py_minor, t->sdt);
	return 0;
}

/* lp: the LD_LIBRARY_PATH the executable will run with; NULL: pytrace's own */
static int target_from_path_lp(const char *path, const char *lp, struct py_target *t,
			       char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct sdt_file *exe;
	char *lib = NULL;
	int rc;

	target_init(t);
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);   /* sdt_file_open says why */
	if (sdt_file_open(real, &exe, err, errlen) < 0) {
		if (strcmp(real, path) != 0 && strstr(err, real)) {
			char e2[512];
			snprintf(e2, sizeof(e2), "%s", err);
			err_set(err, errlen, "%s (via %s)", e2, path);
		}
		return -1;
	}
	t->exe = xstrdup(real);
	if (!has_python_markers(exe)) {
		for (size_t i = 0; i < exe->nneeded && !lib; i++)
			if (is_libpython_name(exe->needed[i]))
				lib = lp ? ldpath_resolve_env(exe->needed[i], exe, NULL, lp, NULL) :
				      ldpath_resolve(exe->needed[i], exe, NULL);
	}
	if (lib && lib[0] != '/' && realpath(lib, real)) {   /* LD_LIBRARY_PATH=. */
		free(lib);
		lib = xstrdup(real);
	}
	rc = settle(t, exe, lib, lib, err, errlen);
	free(lib);
	if (rc < 0)
		target_free(t);
	return rc;
}

int target_from_path(const char *path, struct py_target *t, char *err, size_t errlen)
{
	return target_from_path_lp(path, NULL, t, err, errlen);
}

/* ---- from a running process ---- */

bool target_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int pid_error(pid_t pid, int e, const char *what, char *err, size_t errlen)
{
	if (e == ENOENT || e == ESRCH)
		return err_set(err, errlen, "no process with PID %d; check the number with ps", (int)pid);
	if ((e == EACCES || e == EPERM) && geteuid() == 0)
		return err_set(err, errlen, "cannot inspect PID %d (%s): permission denied even to "
			       "root (a kernel thread, or a process the kernel shields); pick a python "
			       "process", (int)pid, what);
	if (e == EACCES || e == EPERM)
		return err_set(err, errlen, "cannot inspect PID %d (%s): permission denied; run "
			       "pytrace as root or as the process's user", (int)pid, what);
	return err_set(err, errlen, "cannot inspect PID %d (%s): %s", (int)pid, what, strerror(e));
}

struct mapping {
	unsigned long start, end;
	unsigned long ino;
	dev_t dev;
	char path[PATH_MAX];
	bool deleted;
};

/* The first mapping of a file whose path matches want (exact) or, when want
 * is NULL, a libpython. */
static bool find_mapping(FILE *maps, const char *want, struct mapping *m)
{
	char line[PATH_MAX + 256];

	rewind(maps);
	while (fgets(line, sizeof(line), maps)) {
		unsigned long start, end, off, ino;
		unsigned int dmaj, dmin;
		char perms[8];
		int n = 0;
		char *path;
		size_t len;

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &start, &end, perms, &off, &dmaj,
			   &dmin, &ino, &n) < 7 || n == 0)
			continue;
		path = line + n;
		len = strcspn(path, "\n");
		path[len] = '\0';
		if (path[0] != '/')
			continue;
		bool deleted = len > 10 && strcmp(path + len - 10, " (deleted)") == 0;
		if (deleted)
			path[len - 10] = '\0';
		if (want ? strcmp(path, want) != 0 : !is_libpython_name(path))
			continue;
		m->start = start;
		m->end = end;
		m->ino = ino;
		m->dev = makedev(dmaj, dmin);
		m->deleted = deleted;
		snprintf(m->path, sizeof(m->path), "%s", path);
		return true;
	}
	return false;
}

/* A path as the kernel printed it, seen from the process's own root: when
 * the process's root is reachable from ours (a chroot), the kernel printed
 * it with that root's path in front; strip it. */
static const char *process_view(pid_t pid, const char *path)
{
	char proc[64], rootlink[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/%d/root", (int)pid);
	n = readlink(proc, rootlink, sizeof(rootlink) - 1);
	if (n <= 1)
		return path;
	rootlink[n] = '\0';
	if (strncmp(path, rootlink, (size_t)n) == 0 && path[n] == '/')
		return path + n;
	return path;
}

static bool is_mapped_file(const char *path, const struct mapping *m)
{
	struct stat st;
	return stat(path, &st) == 0 && st.st_ino == m->ino && st.st_dev == m->dev;
}

/* A host path for a file mapped in pid.  The kernel prints maps paths
 * relative to the reader's root when it can (a chroot shows our path), else
 * relative to the process's; so try the path as printed, then under
 * /proc/PID/root, each only if it is still the mapped file (device and
 * inode), else /proc/PID/map_files/START-END. NULL + err when none. */
static char *host_path(pid_t pid, const char *root, const struct mapping *m, char *err,
		       size_t errlen)
{
	char *mf = xasprintf("/proc/%d/map_files/%lx-%lx", (int)pid, m->start, m->end);

	if (!m->deleted) {
		char *in_root = root ? xasprintf("%s%s", root, process_view(pid, m->path)) : NULL;
		if (is_mapped_file(m->path, m)) {
			free(in_root);
			free(mf);
			return xstrdup(m->path);
		}
		if (in_root && is_mapped_file(in_root, m)) {
			free(mf);
			return in_root;
		}
		free(in_root);
	}
	if (access(mf, R_OK) == 0) {
		return mf;
	}
	err_set(err, errlen, "PID %d runs %s, which was deleted or replaced on disk since it "
		"started; run pytrace as root so it can read the running copy through %s",
		(int)pid, m->path, mf);
	free(mf);
	return NULL;
}

/* One variable of a process's environment (/proc/PID/environ), malloc'd;
 * NULL when unset or unreadable. */
static char *process_getenv(pid_t pid, const char *name)
{
	char path[64], *buf = NULL, *val = NULL;
	size_t cap = 0, len = 0, nl = strlen(name);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap)
			buf = xgrow(buf, &cap, len + 4096 + 1, 1);
		size_t n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		if (strncmp(buf + i, name, nl) == 0 && buf[i + nl] == '=') {
			val = xstrdup(buf + i + nl + 1);
			break;
		}
	free(buf);
	return val;
}

/* The libpython the executable needs, resolved like ld.so will for pid:
 * its LD_LIBRARY_PATH (relative entries from its cwd), the exe's
 * RUNPATH/RPATH with $ORIGIN, the cache.  A host path, or NULL. */
static char *process_libpython(pid_t pid, const char *root, const struct sdt_file *exe)
{
	char cwd[64], *lp, *found = NULL;

	snprintf(cwd, sizeof(cwd), "/proc/%d/cwd", (int)pid);
	lp = process_getenv(pid, "LD_LIBRARY_PATH");
	for (size_t i = 0; i < exe->nneeded && !found; i++)
		if (is_libpython_name(exe->needed[i]))
			found = ldpath_resolve_env(exe->needed[i], exe, root, lp, cwd);
	free(lp);
	return found;
}

int target_from_pid(pid_t pid, struct py_target *t, char *err, size_t errlen)
{
	char proc[64], link[PATH_MAX];
	struct stat st_root, st_ours;
	struct mapping exe_map = {0}, lib_map = {0};
	struct sdt_file *exe_sdt = NULL;
	char *lib_host = NULL, *maps_path;
	FILE *maps;
	ssize_t n;
	int rc = -1;

	target_init(t);
	t->pid = pid;
	if (pid <= 0)
		return err_set(err, errlen, "PID %d is not a process ID; give a positive number", (int)pid);
	snprintf(proc, sizeof(proc), "/proc/%d", (int)pid);
	if (stat(proc, &st_root) < 0)
		return pid_error(pid, errno, "/proc entry", err, errlen);

	snprintf(proc, sizeof(proc), "/proc/%d/exe", (int)pid);
	n = readlink(proc, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno == ENOENT)
			return err_set(err, errlen, "PID %d is a kernel thread or a zombie, not a "
				       "python process", (int)pid);
		return pid_error(pid, errno, proc, err, errlen);
	}
	link[n] = '\0';
	if (n > 10 && strcmp(link + n - 10, " (deleted)") == 0)
		link[n - 10] = '\0';

	snprintf(proc, sizeof(proc), "/proc/%d/root", (int)pid);
	if (stat(proc, &st_root) == 0 && stat("/", &st_ours) == 0 &&
	    (st_root.st_dev != st_ours.st_dev || st_root.st_ino != st_ours.st_ino))
		t->root = xstrdup(proc);

	maps_path = xasprintf("/proc/%d/maps", (int)pid);
	maps = fopen(maps_path, "r");
	free(maps_path);
	if (!maps)
		return pid_error(pid, errno, "memory maps", err, errlen);

	if (!find_mapping(maps, link, &exe_map)) {
		/* no mapping of the exe path: fall back to the magic link */
		snprintf(proc, sizeof(proc), "/proc/%d/exe", (int)pid);
		t->exe = xstrdup(link);
		if (!target_same_file(t->exe, proc) && t->root) {
			free(t->exe);
			t->exe = xasprintf("%s%s", t->root, link);
		}
		if (!target_same_file(t->exe, proc)) {
			free(t->exe);
			t->exe = xstrdup(proc);
		}
	} else {
		t->exe = host_path(pid, t->root, &exe_map, err, errlen);
		if (!t->exe)
			goto out;
	}
	if (sdt_file_open(t->exe, &exe_sdt, err, errlen) < 0)
		goto out;
	if (!has_python_markers(exe_sdt) && find_mapping(maps, NULL, &lib_map)) {
		lib_host = host_path(pid, t->root, &lib_map, err, errlen);
		if (!lib_host) {
			sdt_file_free(exe_sdt);
			goto out;
		}
	} else if (!has_python_markers(exe_sdt)) {
		/* Not mapped yet (stopped at exec, before ld.so ran): the libpython
		 * ld.so will load for this process, in its own environment. */
		char *name = NULL;
		lib_host = process_libpython(pid, t->root, exe_sdt);
		if (lib_host) {
			name = t->root && strncmp(lib_host, t->root, strlen(t->root)) == 0 ?
			       lib_host + strlen(t->root) : lib_host;
			rc = settle(t, exe_sdt, lib_host, name, err, errlen);
			goto out;
		}
	}
	rc = settle(t, exe_sdt, lib_host, lib_host ? process_view(pid, lib_map.path) : NULL, err,
		    errlen);
out:
	fclose(maps);
	free(lib_host);
	if (rc < 0) {
		target_free(t);
		t->pid = pid;
	}
	return rc;
}

/* ---- from a command line ---- */

/* Split like a simple shell: whitespace, '...' and "..." quotes, backslash. */
static char **split_words(const char *s, size_t *count)
{
	char **v = NULL;
	size_t n = 0, cap = 0;

	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		char *w = xmalloc(strlen(s) + 1);
		size_t len = 0;
		char q = 0;
		while (*s && (q || !isspace((unsigned char)*s))) {
			if (q) {
				if (*s == q)
					q = 0;
				else if (*s == '\\' && q == '"' && s[1])
					w[len++] = *++s;
				else
					w[len++] = *s;
			} else if (*s == '\'' || *s == '"') {
				q = *s;
			} else if (*s == '\\' && s[1]) {
				w[len++] = *++s;
			} else {
				w[len++] = *s;
			}
			s++;
		}
		w[len] = '\0';
		v = xgrow(v, &cap, n + 2, sizeof(*v));
		v[n++] = w;
		v[n] = NULL;
	}
	*count = n;
	return v;
}

static void free_words(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool is_exec_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

static char *path_lookup(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *dir, *found = NULL;

	if (strchr(name, '/'))
		return xstrdup(name);
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (is_exec_file(cand))
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

/* The program env(1) would run, given its arguments (argv[0] is env). */
static const char *env_program(char **argv, size_t argc, size_t *index)
{
	for (size_t i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-u") == 0 || strcmp(a, "--unset") == 0 || strcmp(a, "-C") == 0 ||
		    strcmp(a, "--chdir") == 0) {
			i++;
			continue;
		}
		if (strcmp(a, "--") == 0)
			continue;
		if (a[0] == '-' || strchr(a, '='))
			continue;    /* -i, -S (words are already split), -0, VAR=value */
		*index = i;
		return a;
	}
	return NULL;
}

static bool is_elf_file(const char *p)
{
	unsigned char magic[4] = {0};
	FILE *f = fopen(p, "rb");
	bool ok;

	if (!f)
		return false;
	ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "\177ELF", 4) == 0;
	fclose(f);
	return ok;
}

static bool looks_like_pyenv_shim(const char *path, const char *text)
{
	return strstr(path, "/shims/") != NULL || strstr(text, "pyenv exec") != NULL ||
	       strstr(text, "PYENV_ROOT") != NULL;
}

static bool is_shell(const char *prog)
{
	static const char *const shells[] = {"sh", "bash", "dash", "zsh", "ksh", "fish", NULL};
	const char *base = strrchr(prog, '/');
	base = base ? base + 1 : prog;
	for (size_t i = 0; shells[i]; i++)
		if (strcmp(base, shells[i]) == 0)
			return true;
	return false;
}

static int resolve_program(const char *word, char **argv, size_t argc, size_t at, int depth,
			   const char *script, const char *lp, struct py_target *t, char *err,
			   size_t errlen);

/* prog is a file path; follow a "#!" line or hand an ELF to target_from_path. */
static int resolve_file(const char *prog, int depth, const char *lp, struct py_target *t,
			char *err, size_t errlen)
{
	char head[512] = {0};
	FILE *f;
	size_t got;

	f = fopen(prog, "rb");
	if (!f)
		return err_set(err, errlen, "%s: %s", prog, strerror(errno));
	got = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[got] = '\0';
	if (got < 2 || head[0] != '#' || head[1] != '!')
		return target_from_path_lp(prog, lp, t, err, errlen);

	if (depth >= MAX_SHEBANG_DEPTH)
		return err_set(err, errlen, "%s: too many nested #! interpreters", prog);
	if (looks_like_pyenv_shim(prog, head))
		return err_set(err, errlen, "%s is a pyenv shim: the python it runs is chosen at run "
			       "time (pyenv version) and cannot be known in advance; name the "
			       "interpreter (pyenv which python3) or trace a running one with -p PID",
			       prog);
	head[strcspn(head, "\n")] = '\0';
	size_t argc;
	char **argv = split_words(head + 2, &argc);
	int rc;
	if (argc == 0) {
		free_words(argv, argc);
		return err_set(err, errlen, "%s: empty #! line", prog);
	}
	rc = resolve_program(argv[0], argv, argc, 0, depth + 1, prog, lp, t, err, errlen);
	free_words(argv, argc);
	return rc;
}

/* The value of NAME in a "NAME=value" word, else NULL. */
static const char *assigned(const char *word, const char *name)
{
	size_t n = strlen(name);
	return strncmp(word, name, n) == 0 && word[n] == '=' ? word + n + 1 : NULL;
}

/* script: the file whose #! line named word, NULL for the command itself.
 * lp: the LD_LIBRARY_PATH the command sets for it (NULL: pytrace's own). */
static int resolve_program(const char *word, char **argv, size_t argc, size_t at, int depth,
			   const char *script, const char *lp, struct py_target *t, char *err,
			   size_t errlen)
{
	char *prog = path_lookup(word);
	const char *base;
	int rc;

	if (!prog)
		return err_set(err, errlen, "%s: command not found on PATH; give its full path", word);
	base = strrchr(prog, '/');
	base = base ? base + 1 : prog;
	if (strcmp(base, "env") == 0 && is_elf_file(prog)) {
		size_t next = 0;
		const char *p = env_program(argv + at, argc - at, &next);
		free(prog);
		if (!p)
			return err_set(err, errlen, "env runs no program in this command line");
		for (size_t k = at + 1; k < at + next && k < argc; k++)
			if (assigned(argv[k], "LD_LIBRARY_PATH"))
				lp = assigned(argv[k], "LD_LIBRARY_PATH");
		return resolve_program(p, argv, argc, at + next, depth, script, lp, t, err, errlen);
	}
	if (is_shell(prog) && is_elf_file(prog)) {
		if (script)
			rc = err_set(err, errlen, "%s is a shell script (#!%s): the python it starts "
				     "is only known at run time; name the interpreter or use -p PID",
				     script, prog);
		else
			rc = err_set(err, errlen, "the command runs the shell %s: the python it starts "
				     "is only known at run time; name the interpreter or use -p PID",
				     prog);
		free(prog);
		return rc;
	}
	rc = resolve_file(prog, depth, lp, t, err, errlen);
	free(prog);
	return rc;
}

int target_from_command(const char *cmd, struct py_target *t, char *err, size_t errlen)
{
	size_t argc, i = 0;
	char **argv;
	int rc;

	target_init(t);
	argv = split_words(cmd ? cmd : "", &argc);
	/* leading VAR=value assignments and `exec` are the shell's, not a program */
	const char *lp = NULL;
	while (i < argc && (strcmp(argv[i], "exec") == 0 ||
			    (strchr(argv[i], '=') && argv[i][0] != '=' && argv[i][0] != '/'))) {
		if (assigned(argv[i], "LD_LIBRARY_PATH"))
			lp = assigned(argv[i], "LD_LIBRARY_PATH");
		i++;
	}
	if (i >= argc) {
		free_words(argv, argc);
		return err_set(err, errlen, "the command line '%s' runs no program", cmd ? cmd : "");
	}
	rc = resolve_program(argv[i], argv, argc, i, 0, NULL, lp, t, err, errlen);
	free_words(argv, argc);
	if (rc == 0)
		t->guessed = true;
	return rc;
}

void target_free(struct py_target *t)
{
	if (!t)
		return;
	free(t->exe);
	free(t->marker_file);
	free(t->library_name);
	free(t->root);
	sdt_file_free(t->sdt);
	target_init(t);
}

size_t target_stdlib_dirs(const struct py_target *t, char *dirs[4])
{
	static const char *const rel[] = { "Lib", "../Lib" };
	size_t n = 0;
	char *dir, *slash, *marker;

	if (!t->exe)
		return 0;
	dir = xstrdup(t->exe);
	slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	marker = xasprintf("%s/pybuilddir.txt", dir);
	for (size_t i = 0; i < 2 && access(marker, R_OK) == 0; i++) {
		char *lib = xasprintf("%s/%s", dir, rel[i]), *os = xasprintf("%s/os.py", lib);
		char real[PATH_MAX];

		if (access(os, R_OK) == 0) {
			/* the path as the interpreter computes it: no "/.." */
			char *norm = i == 0 ? xstrdup(lib) : NULL;
			if (!norm) {
				char *up = xstrdup(dir), *s2 = strrchr(up, '/');
				if (s2 && s2 != up)
					*s2 = '\0';
				norm = xasprintf("%s/Lib", up);
				free(up);
			}
			dirs[n++] = norm;
			if (realpath(lib, real) && strcmp(real, norm) != 0)
				dirs[n++] = xstrdup(real);
		}
		free(os);
		free(lib);
		if (n)
			break;
	}
	free(marker);
	free(dir);
	return n;
}
