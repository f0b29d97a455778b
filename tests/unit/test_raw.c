/* The raw format: parsing every field and escape SystemTap's
 * string_quoted() can produce, truncation and address tokens, rejection of
 * damaged lines, and a byte-exact round trip of raw_quote for all bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "raw.h"

static char scratch[1 << 16];
static char err[256];

static int parse(const char *line, struct event *ev)
{
	return raw_parse_line(line, strlen(line), ev, scratch, sizeof(scratch), err, sizeof(err));
}

static void assert_str(const char *s, uint32_t len, const char *want, size_t want_len)
{
	assert_int_equal(len, want_len);
	assert_memory_equal(s, want, want_len);
}

static void test_fields(void **state)
{
	(void)state;
	struct event ev;
	assert_int_equal(parse("call 123456789012 4242 4243 17 \"fib\" \"/srv/fib.py\"", &ev), 0);
	assert_int_equal(ev.kind, EV_CALL);
	assert_true(ev.ts == 123456789012ULL);
	assert_int_equal(ev.pid, 4242);
	assert_int_equal(ev.tid, 4243);
	assert_int_equal(ev.num, 17);
	assert_int_equal(ev.flags, 0);
	assert_str(ev.func, ev.func_len, "fib", 3);
	assert_str(ev.file, ev.file_len, "/srv/fib.py", 11);

	assert_int_equal(parse("gc-done 5 1 1 -3 \"\" \"\"", &ev), 0);
	assert_int_equal(ev.kind, EV_GC_DONE);
	assert_int_equal(ev.num, -3);
	assert_int_equal(ev.func_len, 0);
	assert_int_equal(parse("import-done 5 1 1 1 \"json.decoder\" \"\"", &ev), 0);
	assert_int_equal(ev.kind, EV_IMPORT_DONE);
	/* Windows line ends and trailing blanks are tolerated. */
	assert_int_equal(parse("return 5 1 1 1 \"f\" \"g\"  \r", &ev), 0);
}

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = 0; k < EV__COUNT; k++) {
		const char *n = ev_kind_name(k);
		assert_int_equal(ev_kind_from_name(n, strlen(n)), k);
	}
	assert_int_equal(ev_kind_from_name("calls", 5), -1);
	assert_int_equal(ev_kind_from_name("cal", 3), -1);
}

static void test_escapes(void **state)
{
	(void)state;
	struct event ev;
	assert_int_equal(parse("call 1 1 1 1 \"\\a\\b\\f\\n\\r\\t\\v\\\"\\\\\" "
			       "\"\\000\\177\\200\\377x\\1\\12\"", &ev), 0);
	assert_str(ev.func, ev.func_len, "\a\b\f\n\r\t\v\"\\", 9);
	assert_str(ev.file, ev.file_len, "\0\177\200\377x\1\n", 7);
	/* \u and \U become UTF-8 */
	assert_int_equal(parse("call 1 1 1 1 \"\\u00e9\\u20ac\" \"\\U0001F600\"", &ev), 0);
	assert_str(ev.func, ev.func_len, "\xc3\xa9\xe2\x82\xac", 5);
	assert_str(ev.file, ev.file_len, "\xf0\x9f\x98\x80", 4);
	/* spaces and raw non-ASCII bytes inside quotes are plain bytes */
	assert_int_equal(parse("call 1 1 1 1 \"a b\" \"caf\xc3\xa9 \xff.py\"", &ev), 0);
	assert_str(ev.func, ev.func_len, "a b", 3);
	assert_str(ev.file, ev.file_len, "caf\xc3\xa9 \xff.py", 10);
}

static void test_trunc_and_addresses(void **state)
{
	(void)state;
	struct event ev;
	assert_int_equal(parse("call 1 1 1 1 \"abc\"... \"x.py\"...", &ev), 0);
	assert_int_equal(ev.flags, EVF_FUNC_TRUNC | EVF_FILE_TRUNC);
	assert_str(ev.func, ev.func_len, "abc", 3);
	assert_int_equal(parse("call 1 1 1 1 0x0 \"x.py\"", &ev), 0);
	assert_int_equal(ev.flags, EVF_FUNC_NULL);
	assert_int_equal(parse("call 1 1 1 1 \"f\" 0x00", &ev), 0);
	assert_int_equal(ev.flags, EVF_FILE_NULL);
	assert_int_equal(parse("call 1 1 1 1 \"f\" 0x7ffe1234", &ev), 0);
	assert_int_equal(ev.flags, 0);
	assert_str(ev.file, ev.file_len, "<unreadable 0x7ffe1234>", 23);
}

static void test_bad_lines(void **state)
{
	(void)state;
	struct event ev;
	static const char *bad[] = {
		"",
		"call",
		"bogus 1 1 1 1 \"f\" \"g\"",
		"call x 1 1 1 \"f\" \"g\"",
		"call 1 1 1 \"f\" \"g\"",
		"call 1 1 1 1 \"f\"",
		"call 1 1 1 1 \"f\" \"g",
		"call 1 1 1 1 \"f\" \"g\" extra",
		"call 1 1 1 1 f \"g\"",
		"call 1 1 1 1 \"f\" \"g\\q\"",
		"call 1 1 1 1 \"f\" \"g\\u12\"",
		"call 1 1 1 1 \"f\" \"g\\400\"",
		"call 1 1 1 1 \"f\" \"g\\\"",
		"call 1 99999999999 1 1 \"f\" \"g\"",
		"call 99999999999999999999999 1 1 1 \"f\" \"g\"",
		"call 1 1 1 1 0x \"g\"",
		"call  1 1 1 1 \"f\" \"g\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (parse(bad[i], &ev) == 0)
			fail_msg("accepted bad line: %s", bad[i]);
		assert_true(err[0] != 0);
	}
}

static void test_quote_roundtrip(void **state)
{
	(void)state;
	char s[256], q[4 * 256 + 3], line[4 * 256 * 2 + 100];
	struct event ev;
	for (int i = 0; i < 256; i++)
		s[i] = (char)i;
	size_t n = raw_quote(q, s, sizeof(s));
	q[n] = 0;
	/* only printable ASCII in the quoted form */
	for (size_t i = 0; i < n; i++)
		assert_true(q[i] >= 0x20 && q[i] < 0x7f);
	snprintf(line, sizeof(line), "line 7 1 2 3 %s %s", q, q);
	assert_int_equal(parse(line, &ev), 0);
	assert_str(ev.func, ev.func_len, s, sizeof(s));
	assert_str(ev.file, ev.file_len, s, sizeof(s));
	/* the writer's escapes are exactly stap's */
	n = raw_quote(q, "a\"b\\c\n\x80", 7);
	assert_int_equal(n, 15);
	assert_memory_equal(q, "\"a\\\"b\\\\c\\n\\200\"", 15);
}

static void test_random_roundtrip(void **state)
{
	(void)state;
	char s[600], q[4 * 600 + 3], line[2 * (4 * 600 + 3) + 100];
	struct event ev;
	srand(7);
	for (int iter = 0; iter < 2000; iter++) {
		size_t len = (size_t)(rand() % 600);
		for (size_t i = 0; i < len; i++)
			s[i] = (char)(rand() % 256);
		size_t n = raw_quote(q, s, len);
		q[n] = 0;
		snprintf(line, sizeof(line), "call 1 1 1 1 %s \"x\"", q);
		assert_int_equal(parse(line, &ev), 0);
		assert_str(ev.func, ev.func_len, s, len);
	}
}

static size_t long_events;
static uint32_t long_func_len;

static void count_event(void *ctx, const struct event *ev)
{
	(void)ctx;
	long_events++;
	long_func_len = ev->func_len;
}

/* A line far longer than one read from a pipe (64 KiB at a time): every
 * byte is searched for the line end once, not once per read (a 64 MB line
 * took 5.4 s when each read searched the line again from its start). */
static void test_long_line_from_pipe(void **state)
{
	(void)state;
	const size_t name_len = 8u << 20;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		static char chunk[1 << 16];
		const char *head = "pytrace-raw 1\ncall 1 2 2 3 \"", *tail = "\" \"/a.py\"\n";
		close(fds[0]);
		memset(chunk, 'f', sizeof(chunk));
		if (write(fds[1], head, strlen(head)) < 0)
			_exit(1);
		for (size_t left = name_len; left;) {
			size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
			ssize_t w = write(fds[1], chunk, n);
			if (w <= 0)
				_exit(1);
			left -= (size_t)w;
		}
		_exit(write(fds[1], tail, strlen(tail)) < 0);
	}
	close(fds[1]);
	struct raw_lines l;
	uint64_t total = 0;
	enum raw_read r;
	raw_lines_init(&l, "pipe", NULL, count_event, NULL);
	while ((r = raw_lines_read(&l, fds[0], err, sizeof(err))) == RAW_DATA)
		;
	assert_int_equal(r, RAW_EOF);
	total = strlen("pytrace-raw 1\ncall 1 2 2 3 \"") + name_len + strlen("\" \"/a.py\"\n");
	assert_int_equal(long_events, 1);
	assert_int_equal(long_func_len, name_len);
	assert_true(l.in.searched <= total);
	raw_lines_free(&l);
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_trunc_and_addresses),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_quote_roundtrip),
		cmocka_unit_test(test_random_roundtrip),
		cmocka_unit_test(test_long_line_from_pipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
