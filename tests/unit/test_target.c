/* target: the marker-health table, caveats, and interpreter discovery from
 * a path (exe or libpython), a PID and a command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glob.h>
#include <limits.h>

#include <cmocka.h>

#include "target.h"

#define PY311 "/usr/bin/python3.11"
#define SKIP(...) do { printf("# SKIP " __VA_ARGS__); printf("\n"); skip(); } while (0)

static char tmp[64];

static void test_health_table(void **state)
{
	(void)state;
	assert_int_equal(marker_health_for(-1, -1, NULL), HEALTH_UNKNOWN);
	assert_int_equal(marker_health_for(2, 7, NULL), HEALTH_FULL);
	assert_int_equal(marker_health_for(3, 6, NULL), HEALTH_FULL);
	assert_int_equal(marker_health_for(3, 10, NULL), HEALTH_FULL);
	assert_int_equal(marker_health_for(3, 11, NULL), HEALTH_ENTRY_NEEDS_LINE);
	assert_int_equal(marker_health_for(3, 12, NULL), HEALTH_NO_CALL_MARKERS);
	assert_int_equal(marker_health_for(3, 14, NULL), HEALTH_NO_CALL_MARKERS);
	assert_int_equal(marker_health_for(3, 15, NULL), HEALTH_RETURN_ON_YIELD);
	assert_int_equal(marker_health_for(3, 16, NULL), HEALTH_RETURN_ON_YIELD);
	/* a file without python markers trumps the version */
	struct sdt_file empty = {.path = (char *)"x"};
	assert_int_equal(marker_health_for(3, 11, &empty), HEALTH_NO_MARKERS);

	assert_null(marker_health_caveat(HEALTH_FULL));
	assert_non_null(strstr(marker_health_caveat(HEALTH_ENTRY_NEEDS_LINE), "--no-entry-fix"));
	assert_non_null(strstr(marker_health_caveat(HEALTH_NO_CALL_MARKERS), "3.12"));
	assert_non_null(strstr(marker_health_caveat(HEALTH_NO_MARKERS), "--with-dtrace"));
	assert_non_null(marker_health_caveat(HEALTH_RETURN_ON_YIELD));
	assert_non_null(marker_health_caveat(HEALTH_UNKNOWN));
}

static void test_from_path(void **state)
{
	(void)state;
	struct py_target t;
	char err[512];

	if (access(PY311, X_OK) != 0)
		SKIP("%s not installed", PY311);
	assert_int_equal(target_from_path(PY311, &t, err, sizeof(err)), 0);
	assert_string_equal(t.exe, PY311);
	assert_string_equal(t.marker_file, PY311);
	assert_false(t.in_library);
	assert_int_equal(t.py_major, 3);
	assert_int_equal(t.py_minor, 11);
	assert_int_equal(t.health, HEALTH_ENTRY_NEEDS_LINE);
	assert_non_null(sdt_find(t.sdt, "python", "function__entry"));
	assert_false(t.guessed);
	target_free(&t);

	/* /usr/bin/python3 is a symlink: followed */
	if (access("/usr/bin/python3", X_OK) == 0) {
		assert_int_equal(target_from_path("/usr/bin/python3", &t, err, sizeof(err)), 0);
		assert_string_equal(t.exe, PY311);
		target_free(&t);
	}
	assert_int_equal(target_from_path("/nonexistent/python", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such file"));
}

/* pyenv: markers would be in the DT_NEEDED libpython (found via RUNPATH);
 * they have none, and the version comes from the library. */
static void expect_no_markers(const char *path, int minor)
{
	struct py_target t;
	char err[512];

	assert_int_equal(target_from_path(path, &t, err, sizeof(err)), 0);
	assert_null(t.marker_file);
	assert_int_equal(t.py_major, 3);
	assert_int_equal(t.py_minor, minor);
	assert_int_equal(t.health, HEALTH_NO_MARKERS);
	target_free(&t);
}

/* Pythons without markers: the fixture tests/fixtures/nomarker/, and
 * pyenv's 3.1x builds when $PYENV_ROOT names a pyenv. */
static void test_nomarker_path(void **state)
{
	(void)state;
	const char *fx = getenv("FIXTURES"), *root = getenv("PYENV_ROOT");
	char exe[PATH_MAX], pattern[PATH_MAX];
	size_t checked = 0;
	glob_t g;

	snprintf(exe, sizeof(exe), "%s/nomarker/python3.12", fx ? fx : "build/fixtures");
	if (access(exe, X_OK) == 0) {
		expect_no_markers(exe, 12);
		checked++;
	}
	snprintf(pattern, sizeof(pattern), "%s/versions/3.1[0-9]*/bin/python3.1[0-9]", root ? root : "");
	if (root && *root && glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++, checked++)
			expect_no_markers(g.gl_pathv[i], atoi(strrchr(g.gl_pathv[i], '.') + 1));
		globfree(&g);
	}
	if (!checked)
		SKIP("no python without markers: %s not built, and no pyenv in $PYENV_ROOT", exe);
}

static void test_from_pid(void **state)
{
	(void)state;
	struct py_target t;
	char err[512];
	pid_t pid;

	if (access(PY311, X_OK) != 0)
		SKIP("%s not installed", PY311);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(PY311, PY311, "-c", "import time; time.sleep(30)", (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	int rc = target_from_pid(pid, &t, err, sizeof(err));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (rc != 0)
		fail_msg("target_from_pid: %s", err);
	assert_string_equal(t.exe, PY311);
	assert_int_equal(t.pid, pid);
	assert_null(t.root);
	assert_int_equal(t.health, HEALTH_ENTRY_NEEDS_LINE);
	target_free(&t);

	/* a reaped pid does not exist any more */
	assert_int_equal(target_from_pid(pid, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no process"));
	assert_int_equal(target_from_pid(0, &t, err, sizeof(err)), -1);
}

static void write_script(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, 0755);
}

static int from_cmd(const char *cmd, struct py_target *t, char *err, size_t len)
{
	char full[512];
	snprintf(full, sizeof(full), cmd, tmp);
	return target_from_command(full, t, err, len);
}

static void test_from_command(void **state)
{
	(void)state;
	struct py_target t;
	char err[512];

	if (access(PY311, X_OK) != 0)
		SKIP("%s not installed", PY311);
	write_script("direct", "#!" PY311 " -u\nprint(1)\n");
	write_script("env", "#!/usr/bin/env " PY311 "\nprint(1)\n");
	write_script("envS", "#!/usr/bin/env -S " PY311 " -X dev\nprint(1)\n");
	write_script("shell", "#!/bin/sh\nexec python3 \"$@\"\n");
	write_script("shim", "#!/usr/bin/env bash\nset -e\nexport PYENV_ROOT=\"/root/.pyenv\"\n"
		     "exec \"/usr/bin/pyenv\" exec \"$program\" \"$@\"\n");

	assert_int_equal(target_from_command(PY311 " -c pass", &t, err, sizeof(err)), 0);
	assert_true(t.guessed);
	assert_string_equal(t.exe, PY311);
	target_free(&t);

	static const char *const good[] = {
		"%s/direct a b", "%s/env", "%s/envS", "FOO=1 %s/direct", "env -i A=1 %s/direct",
		"exec %s/env",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (from_cmd(good[i], &t, err, sizeof(err)) != 0)
			fail_msg("%s: %s", good[i], err);
		assert_string_equal(t.exe, PY311);
		assert_true(t.guessed);
		target_free(&t);
	}

	assert_int_equal(from_cmd("%s/shell x.py", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "shell script"));
	assert_int_equal(from_cmd("%s/shim x.py", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pyenv shim"));
	assert_int_equal(from_cmd("no-such-program-xyz", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not found on PATH"));
	assert_int_equal(from_cmd("", &t, err, sizeof(err)), -1);
	assert_int_equal(from_cmd("sh -c 'python3 x'", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "shell"));
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/pytrace-test-target.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_table),
		cmocka_unit_test(test_from_path),
		cmocka_unit_test(test_nomarker_path),
		cmocka_unit_test(test_from_pid),
		cmocka_unit_test(test_from_command),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
