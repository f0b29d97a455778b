/* Aggregate tables (agg.c), the stap aggregate stream's reader
 * (stap_agg_stream.c) and the summary table's printer (summary_table.c). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agg.h"
#include "intern.h"
#include "output.h"
#include "stap_agg_stream.h"
#include "summary_table.h"

/* f -> g -> f (recursion) open at 300: the user-space summary's sums of
 * calls never returned. */
static void test_open_calls(void **state)
{
	struct agg_open f[] = {
		{ .start = 100, .child = 0, .fn = 1, .outer = true },
		{ .start = 150, .child = 10, .fn = 2, .outer = true },
		{ .start = 200, .child = 0, .fn = 1, .outer = false },
		{ .start = 250, .child = 0, .fn = 9, .outer = true },   /* no such id: skipped */
	};
	struct agg_row by_id[3] = { 0 };

	(void)state;
	agg_add_open(f, 4, 300, by_id, 3);
	assert_int_equal(by_id[1].open, 2);
	assert_int_equal(by_id[1].total_ns, 200);        /* the outer one only */
	assert_int_equal(by_id[1].self_ns, 50 + 50);     /* 200-150 and 100-50 */
	assert_int_equal(by_id[2].open, 1);
	assert_int_equal(by_id[2].total_ns, 150);
	assert_int_equal(by_id[2].self_ns, 150 - 10 - 100);
	assert_int_equal(by_id[1].calls, 0);
}

static void test_fold_pids(void **state)
{
	struct intern *in = intern_new();
	struct agg_table t, folded;
	uint32_t f = intern_id(in, "f", 1), file = intern_id(in, "a.py", 4);
	struct agg_row *r;

	(void)state;
	agg_table_init(&t, in);
	r = agg_table_row(&t, 10, f, file, 3);
	r->calls = 2, r->total_ns = 20, r->self_ns = 5, r->sum_ns = 20, r->max_ns = 15;
	r = agg_table_row(&t, 11, f, file, 4);
	r->calls = 1, r->total_ns = 30, r->self_ns = 30, r->sum_ns = 30, r->max_ns = 30, r->open = 1;
	assert_ptr_equal(agg_table_row(&t, 10, f, file, 99), &t.rows[0]);
	t.events = 7;
	agg_table_fold_pids(&t, &folded);
	assert_int_equal(folded.nrows, 1);
	assert_int_equal(folded.rows[0].pid, 0);
	assert_int_equal(folded.rows[0].line, 3);
	assert_int_equal(folded.rows[0].calls, 3);
	assert_int_equal(folded.rows[0].total_ns, 50);
	assert_int_equal(folded.rows[0].max_ns, 30);
	assert_int_equal(folded.rows[0].open, 1);
	assert_int_equal(folded.events, 7);
	agg_table_free(&folded);
	agg_table_free(&t);
	intern_free(in);
}

struct seen {
	int tables, finals;
	bool stop_after_first;
	char rows[1024];
	uint64_t events, overflow, full;
	uint32_t nprocs;
};

static bool capture(void *arg, const struct agg_table *t, bool final)
{
	struct seen *s = arg;

	s->tables++;
	s->finals += final;
	s->rows[0] = '\0';
	for (size_t i = 0; i < t->nrows; i++) {
		const struct agg_row *r = &t->rows[i];

		snprintf(s->rows + strlen(s->rows), sizeof(s->rows) - strlen(s->rows),
			 "%d %s %s:%lld c%llu t%llu s%llu m%llu o%llu;", (int)r->pid,
			 intern_str(t->in, r->func)->s, intern_str(t->in, r->file)->s,
			 (long long)r->line, (unsigned long long)r->calls,
			 (unsigned long long)r->total_ns, (unsigned long long)r->self_ns,
			 (unsigned long long)r->max_ns, (unsigned long long)r->open);
	}
	s->events = t->events;
	s->overflow = t->stack_overflow;
	s->full = t->map_full;
	s->nprocs = t->nprocs;
	return !s->stop_after_first;
}

static void feed(struct stap_agg_stream *s, const char *text)
{
	const char *p = text;

	for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1)
		stap_agg_stream_line(s, p, (size_t)(nl - p));
}

static void test_stap_stream(void **state)
{
	struct seen seen = { 0 };
	struct agg_sink sink = { .snapshot = capture, .arg = &seen };
	struct stap_agg_stream s;

	(void)state;
	stap_agg_stream_init(&s, &sink);
	feed(&s, "pytrace-agg 1\n"
		 "#     \n"
		 "call 0 42 1 7 \"main\" \"app.py\"\n"
		 "               \n"
		 "call 0 42 2 12 0x0 \"app.py\"\n"
		 "T 1000 10 2 1 0\n"
		 "R 1 1 500 100 500 500\n"
		 "R 2 3 300 300 300 200   \n"
		 "O 5 0 1 900 0 1\n"
		 "O 5 1 2 950 20 1\n"
		 "E      \n");
	assert_int_equal(seen.tables, 1);
	assert_int_equal(seen.finals, 0);
	/* open at 1000: the <null> one 50 (self 30), main 100 (self 100-50) */
	assert_string_equal(seen.rows, "42 main app.py:7 c1 t600 s150 m500 o1;"
				       "42 <null> app.py:12 c3 t350 s330 m200 o1;");
	assert_int_equal(seen.events, 10);
	assert_int_equal(seen.overflow, 2);
	assert_int_equal(seen.full, 1);
	assert_int_equal(seen.nprocs, 1);
	feed(&s, "X what\nR 1 2 3\n"
		 "T 2000 12 2 1 1\nR 1 2 900 400 900 500\nR 2 4 400 400 400 200\nE\n");
	assert_int_equal(s.skipped, 2);
	assert_int_equal(seen.tables, 2);
	assert_int_equal(seen.finals, 1);
	assert_true(s.final_seen);
	assert_string_equal(seen.rows, "42 main app.py:7 c2 t900 s400 m500 o0;"
				       "42 <null> app.py:12 c4 t400 s400 m200 o0;");
	assert_false(s.stop);
	stap_agg_stream_free(&s);
}

static void test_stap_stream_bad_header_and_stop(void **state)
{
	struct seen seen = { .stop_after_first = true };
	struct agg_sink sink = { .snapshot = capture, .arg = &seen };
	struct stap_agg_stream s;

	(void)state;
	stap_agg_stream_init(&s, &sink);
	feed(&s, "pytrace-raw 1\n");
	assert_true(s.bad);
	stap_agg_stream_free(&s);
	stap_agg_stream_init(&s, &sink);
	feed(&s, "pytrace-agg 1\nT 1 0 0 0 0\nE\n");
	assert_true(s.stop);
	stap_agg_stream_free(&s);
}

/* The reader of stap's FIFO: a non-blocking fd, lines split across reads,
 * the end of the stream remembered, a last line without its newline
 * handled only when the caller says the writer is gone. */
static void test_stap_stream_drain(void **state)
{
	struct seen seen = { 0 };
	struct agg_sink sink = { .snapshot = capture, .arg = &seen };
	struct stap_agg_stream s;
	int fds[2];

	(void)state;
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	stap_agg_stream_init(&s, &sink);
	stap_agg_stream_drain(&s, fds[0], false);
	assert_false(s.eof);
	const char *head = "pytrace-agg 1\ncall 0 42 1 7 \"ma";
	assert_true(write(fds[1], head, strlen(head)) == (ssize_t)strlen(head));
	stap_agg_stream_drain(&s, fds[0], false);
	assert_true(s.header_seen);
	assert_false(s.eof);
	const char *rest = "in\" \"app.py\"\nT 1000 1 0 0 1\nR 1 1 500 500 500 500\nE";
	assert_true(write(fds[1], rest, strlen(rest)) == (ssize_t)strlen(rest));
	stap_agg_stream_drain(&s, fds[0], false);
	assert_int_equal(seen.tables, 0);   /* "E" has no newline yet */
	close(fds[1]);
	stap_agg_stream_drain(&s, fds[0], false);
	assert_true(s.eof);
	assert_int_equal(seen.tables, 0);
	stap_agg_stream_drain(&s, fds[0], true);
	assert_int_equal(seen.tables, 1);
	assert_int_equal(seen.finals, 1);
	assert_string_equal(seen.rows, "42 main app.py:7 c1 t500 s500 m500 o0;");
	assert_int_equal(s.skipped, 0);
	stap_agg_stream_free(&s);
	close(fds[0]);
}

static void test_printer(void **state)
{
	struct intern *in = intern_new();
	struct agg_table t;
	struct agg_row *r;
	struct out o;
	char path[] = "/tmp/pytrace-test-agg-XXXXXX", buf[1024] = "";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	agg_table_init(&t, in);
	r = agg_table_row(&t, 0, intern_id(in, "fast", 4), intern_id(in, "a.py", 4), 1);
	r->calls = 2, r->total_ns = 3000, r->self_ns = 3000, r->sum_ns = 3000, r->max_ns = 2000;
	r = agg_table_row(&t, 0, intern_id(in, "stuck", 5), intern_id(in, "a.py", 4), 9);
	r->total_ns = 1500500, r->self_ns = 1500500, r->open = 1;
	agg_table_row(&t, 0, intern_id(in, "never", 5), intern_id(in, "a.py", 4), 5);
	assert_int_equal(out_open(&o, path, buf, sizeof(buf)), 0);
	summary_table_print(&o, &t, SUMMARY_TABLE);
	assert_int_equal(out_close(&o, buf, sizeof(buf)), 0);
	f = fopen(path, "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	assert_string_equal(buf,
		"     calls       total us        self us        mean us         max us  function\n"
		"         0       1500.500       1500.500              -              -  stuck (a.py:9) [1 never returned]\n"
		"         2          3.000          3.000          1.500          2.000  fast (a.py:1)\n");
	agg_table_free(&t);
	intern_free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_calls),
		cmocka_unit_test(test_fold_pids),
		cmocka_unit_test(test_stap_stream),
		cmocka_unit_test(test_stap_stream_bad_header_and_stop),
		cmocka_unit_test(test_stap_stream_drain),
		cmocka_unit_test(test_printer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
