/* Filters: duration and glob parsing, the path-tail glob rule, stdlib
 * detection, per-id filter decisions and --pid/--tid selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"

static char err[256];

static uint64_t dur(const char *s)
{
	uint64_t ns = 12345;
	err[0] = 0;
	if (parse_duration_ns(s, &ns, err, sizeof(err)) < 0)
		fail_msg("rejected %s: %s", s, err);
	return ns;
}

static void test_duration(void **state)
{
	(void)state;
	assert_true(dur("250us") == 250000);
	assert_true(dur("250\xc2\xb5s") == 250000);
	assert_true(dur("3ms") == 3000000);
	assert_true(dur("1.5s") == 1500000000);
	assert_true(dur("100ns") == 100);
	assert_true(dur("2m") == 120000000000ULL);
	assert_true(dur("0.25ms") == 250000);
	assert_true(dur("0ms") == 0);
	static const char *bad[] = { "", "250", "1.5", "ms", "3 ms", "-3ms", "3xs", "3msx",
				     "0x10ms", "1e3ms", "inf s", ".ms", "99999999999999999999s" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t ns;
		err[0] = 0;
		if (parse_duration_ns(bad[i], &ns, err, sizeof(err)) == 0)
			fail_msg("accepted bad duration '%s'", bad[i]);
		assert_true(err[0] != 0);
	}
	/* a bare number asks for a unit */
	uint64_t ns;
	parse_duration_ns("250", &ns, err, sizeof(err));
	assert_non_null(strstr(err, "250us"));
}

static void test_glob_parse(void **state)
{
	(void)state;
	static const char *good[] = { "*.py", "*/app/*", "[abc]*", "[!a]x", "[]]", "[!]]",
				      "a\\[b", "[[:alpha:]]*", "x" };
	static const char *bad[] = { "", "[abc", "*[", "a\\", "[!", "[]" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (parse_glob(good[i], err, sizeof(err)) < 0)
			fail_msg("rejected glob '%s': %s", good[i], err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_glob(bad[i], err, sizeof(err)) == 0)
			fail_msg("accepted glob '%s'", bad[i]);
}

static void test_glob_match(void **state)
{
	(void)state;
	assert_true(glob_match_path("app.py", "/srv/app.py"));
	assert_true(glob_match_path("app.py", "app.py"));
	assert_false(glob_match_path("app.py", "/srv/myapp.py"));
	assert_true(glob_match_path("*app.py", "/srv/myapp.py"));
	assert_true(glob_match_path("myapp/*", "/srv/myapp/x/y.py"));
	assert_false(glob_match_path("myapp/*", "/srv/notmyapp/x.py"));
	assert_true(glob_match_path("/usr/*", "/usr/lib/python3.11/os.py"));
	assert_false(glob_match_path("/usr/*", "/srv/usr/x.py"));
	assert_true(glob_match_path("*/site-packages/*", "/v/lib/python3.11/site-packages/a.py"));
	assert_true(glob_match_path("<frozen *>", "<frozen importlib._bootstrap>"));
}

static void test_stdlib(void **state)
{
	(void)state;
	static const char *yes[] = {
		"<frozen importlib._bootstrap>", "/usr/lib/python3.11/json/decoder.py",
		"/usr/lib64/python3.12/os.py", "/root/.pyenv/versions/3.11.9/lib/python3.11/re/_parser.py",
		"/opt/py/lib/python3.13t/threading.py", "lib/python3.11/abc.py",
	};
	static const char *no[] = {
		"/usr/lib/python3/dist-packages/requests/api.py",
		"/venv/lib/python3.11/site-packages/numpy/core.py",
		"/usr/local/lib/python3.11/dist-packages/x.py", "/srv/app.py", "<string>",
		"/srv/mylib/python3.11/x.py", "/usr/lib/python3.x/os.py", "/usr/lib/python3.11",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!path_is_stdlib(yes[i], strlen(yes[i])))
			fail_msg("not seen as stdlib: %s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (path_is_stdlib(no[i], strlen(no[i])))
			fail_msg("seen as stdlib: %s", no[i]);
}

static void test_code_filter(void **state)
{
	(void)state;
	struct filter_spec o;
	memset(&o, 0, sizeof(o));
	o.max_depth = -1;
	str_list_add(&o.include, "*/srv/*");
	str_list_add(&o.exclude, "*_test.py");
	str_list_add(&o.functions, "handle_*");
	str_list_add(&o.functions, "main");
	struct filter *f = filter_new(&o, err, sizeof(err));
	assert_non_null(f);
	struct intern *in = intern_new();
	uint32_t app = intern_id(in, "/srv/app.py", 11);
	uint32_t tst = intern_id(in, "/srv/app_test.py", 16);
	uint32_t lib = intern_id(in, "/usr/lib/x.py", 13);
	uint32_t h = intern_id(in, "handle_get", 10), m = intern_id(in, "main", 4);
	uint32_t other = intern_id(in, "helper", 6);
	for (int twice = 0; twice < 2; twice++) {   /* the second round uses the cache */
		assert_true(filter_code_ok(f, in, h, app));
		assert_true(filter_code_ok(f, in, m, app));
		assert_false(filter_code_ok(f, in, other, app));
		assert_false(filter_code_ok(f, in, h, tst));
		assert_false(filter_code_ok(f, in, h, lib));
	}
	assert_false(filter_code_all(f));
	filter_free(f);
	intern_free(in);
	free(o.include.v);
	free(o.exclude.v);
	free(o.functions.v);
}

static void test_threads(void **state)
{
	(void)state;
	struct filter_spec o;
	int32_t id;
	memset(&o, 0, sizeof(o));
	struct filter *f = filter_new(&o, err, sizeof(err));
	assert_true(filter_thread_ok(f, 1, 2));
	assert_true(filter_code_all(f));
	filter_free(f);
	id_list_add(&o.pids, 10);
	id_list_add(&o.pids, 20);
	id_list_add(&o.tids, 21);
	f = filter_new(&o, err, sizeof(err));
	assert_non_null(f);
	assert_true(filter_thread_ok(f, 10, 10));
	assert_true(filter_thread_ok(f, 20, 22));
	assert_true(filter_thread_ok(f, 30, 21));
	assert_false(filter_thread_ok(f, 30, 31));
	assert_true(filter_pid_ok(f, 10));
	filter_free(f);
	free(o.tids.v);
	memset(&o.tids, 0, sizeof(o.tids));
	f = filter_new(&o, err, sizeof(err));
	assert_false(filter_thread_ok(f, 30, 20));
	assert_false(filter_pid_ok(f, 11));
	filter_free(f);
	/* ids are parsed once, by parse_id (the CLI's --pid/--tid) */
	assert_int_equal(parse_id("x1", &id), -1);
	assert_int_equal(parse_id("0", &id), -1);
	assert_int_equal(parse_id("2147483648", &id), -1);
	assert_int_equal(parse_id("42", &id), 0);
	assert_int_equal(id, 42);
	free(o.pids.v);
	free(o.tids.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_glob_parse),
		cmocka_unit_test(test_glob_match),
		cmocka_unit_test(test_stdlib),
		cmocka_unit_test(test_code_filter),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
