/* pytrace top's model and plain table, from hand-made engine tables:
 * calls/s is the difference of two cumulative tables over their elapsed
 * times, the three sort keys, the filters on rows (also of rows added
 * later), the table's shape, and the keys' bytes. */
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
#include "filter.h"
#include "top_keys.h"
#include "top_model.h"
#include "top_screen.h"
#include "top_table.h"

struct fixture {
	struct intern *in;     /* the engine's strings */
	struct agg_table t;
};

static void table_init(struct fixture *fx)
{
	fx->in = intern_new();
	agg_table_init(&fx->t, fx->in);
	fx->t.nprocs = 1;
}

static void table_free(struct fixture *fx)
{
	agg_table_free(&fx->t);
	intern_free(fx->in);
}

/* Set the row of func in file (pid 7) to these counters. */
static void put_row(struct fixture *fx, const char *func, const char *file, uint64_t calls,
		    uint64_t total, uint64_t self)
{
	struct agg_row *r = agg_table_row(&fx->t, 7, intern_id(fx->in, func, strlen(func)),
					  intern_id(fx->in, file, strlen(file)), 3);
	r->calls = calls;
	r->total_ns = total;
	r->self_ns = self;
	r->sum_ns = total;
	r->max_ns = calls ? total / calls : 0;
}

/* The functions of m->order, space-separated. */
static const char *order(const struct top_model *m)
{
	static char buf[256];
	buf[0] = '\0';
	for (size_t k = 0; k < m->norder; k++) {
		strcat(buf, k ? " " : "");
		strcat(buf, intern_str(m->in, m->rows[m->order[k]].a.func)->s);
	}
	return buf;
}

static const struct top_row *row_of(const struct top_model *m, const char *func)
{
	for (size_t i = 0; i < m->nrows; i++)
		if (strcmp(intern_str(m->in, m->rows[i].a.func)->s, func) == 0)
			return &m->rows[i];
	return NULL;
}

static void test_rates(void **state)
{
	(void)state;
	struct fixture fx;
	struct top_model m;

	table_init(&fx);
	top_model_init(&m, NULL);
	put_row(&fx, "f", "a.py", 100, 1000, 1000);
	fx.t.elapsed_ns = 500000000;       /* 0.5 s */
	fx.t.events = 200;
	top_model_update(&m, &fx.t);
	/* the first table: averages since the start */
	assert_true(row_of(&m, "f")->rate > 199.9 && row_of(&m, "f")->rate < 200.1);
	assert_true(m.events_rate > 399.9 && m.events_rate < 400.1);

	put_row(&fx, "f", "a.py", 400, 4000, 4000);
	put_row(&fx, "g", "a.py", 10, 50, 50);
	fx.t.elapsed_ns = 2500000000;      /* 2 s later */
	fx.t.events = 1020;
	top_model_update(&m, &fx.t);
	assert_true(row_of(&m, "f")->rate > 149.9 && row_of(&m, "f")->rate < 150.1);
	assert_true(row_of(&m, "g")->rate > 4.9 && row_of(&m, "g")->rate < 5.1);
	assert_true(m.events_rate > 409.9 && m.events_rate < 410.1);
	assert_int_equal(row_of(&m, "f")->a.calls, 400);
	assert_int_equal(m.tot.elapsed_ns, 2500000000);

	/* nothing new: 0 calls/s, the counts stay */
	fx.t.elapsed_ns = 3500000000;
	top_model_update(&m, &fx.t);
	assert_true(row_of(&m, "f")->rate == 0.0);
	assert_int_equal(row_of(&m, "f")->a.calls, 400);
	assert_int_equal(m.nrows, 2);
	top_model_free(&m);
	table_free(&fx);
}

static void test_sort(void **state)
{
	(void)state;
	struct fixture fx;
	struct top_model m;

	table_init(&fx);
	top_model_init(&m, NULL);
	put_row(&fx, "many", "a.py", 1000, 2000, 2000);
	put_row(&fx, "slow", "a.py", 2, 600000, 600000);
	put_row(&fx, "outer", "a.py", 1, 600100, 100);
	put_row(&fx, "idle", "a.py", 0, 0, 0);          /* never called: not shown */
	struct agg_row *running = agg_table_row(&fx.t, 7, intern_id(fx.in, "main", 4),
						intern_id(fx.in, "a.py", 4), 1);
	running->open = 1;                              /* running, no call done: shown */
	running->total_ns = 700000;
	running->self_ns = 10;
	fx.t.elapsed_ns = 1000000000;
	top_model_update(&m, &fx.t);
	top_model_sort(&m, TOP_SORT_CALLS);
	assert_string_equal(order(&m), "many slow outer main");
	top_model_sort(&m, TOP_SORT_TOTAL);
	assert_string_equal(order(&m), "main outer slow many");
	top_model_sort(&m, TOP_SORT_SELF);
	assert_string_equal(order(&m), "slow many outer main");
	top_model_free(&m);
	table_free(&fx);
}

static void test_filter(void **state)
{
	(void)state;
	struct fixture fx;
	struct top_model m;
	struct filter_spec spec = { .max_depth = -1 };
	char err[256];

	str_list_add(&spec.functions, "f*");
	struct filter *f = filter_new(&spec, err, sizeof(err));
	assert_non_null(f);
	table_init(&fx);
	top_model_init(&m, f);
	put_row(&fx, "fast", "a.py", 5, 10, 10);
	put_row(&fx, "g", "a.py", 9, 10, 10);
	put_row(&fx, "f", "<frozen os>", 1, 10, 10);
	fx.t.elapsed_ns = 1000000000;
	top_model_update(&m, &fx.t);
	top_model_sort(&m, TOP_SORT_CALLS);
	assert_string_equal(order(&m), "fast f");
	/* Rows the engine adds later, after the hidden one: each engine row
	 * goes on being found in its place (top_model reads only new ones). */
	put_row(&fx, "fast", "a.py", 7, 20, 20);
	put_row(&fx, "g", "a.py", 90, 100, 100);
	put_row(&fx, "fine", "b.py", 30, 10, 10);
	fx.t.elapsed_ns = 2000000000;
	top_model_update(&m, &fx.t);
	top_model_sort(&m, TOP_SORT_CALLS);
	assert_string_equal(order(&m), "fine fast f");
	assert_int_equal(m.nrows, 3);
	assert_true(row_of(&m, "fast")->rate > 1.9 && row_of(&m, "fast")->rate < 2.1);
	assert_string_equal(intern_str(m.in, row_of(&m, "fine")->a.file)->s, "b.py");
	top_model_free(&m);
	filter_free(f);
	filter_spec_free(&spec);
	table_free(&fx);
}

/* The plain table: a header, the column names, rows of 7 numbers then
 * "function (file:line)", a blank line; names escaped. */
static void test_table(void **state)
{
	(void)state;
	struct fixture fx;
	struct top_model m;
	char *text = NULL, func[32];
	size_t len = 0;
	unsigned long long calls, pid;
	double rate, tot, self, mean, max;

	table_init(&fx);
	top_model_init(&m, NULL);
	put_row(&fx, "f\x1b[2J", "a b.py", 4, 4000, 2000);
	fx.t.elapsed_ns = 2000000000;
	fx.t.events = 6;
	fx.t.lost = 3;
	fx.t.stack_overflow = 2;
	fx.t.map_full = 1;
	top_model_update(&m, &fx.t);
	top_model_sort(&m, TOP_SORT_CALLS);
	FILE *f = open_memstream(&text, &len);
	struct esc_cache esc;
	esc_cache_init(&esc, ESC_TEXT);
	assert_int_equal(top_table_print(f, &m, &esc, TOP_SORT_CALLS, true), 0);
	esc_cache_free(&esc);
	fclose(f);
	char *line2 = strchr(text, '\n') + 1, *line3 = strchr(line2, '\n') + 1;
	assert_memory_equal(text, "# pytrace top (final): 2.000 s, 1 process, 3 events/s, 3 lost "
			    "(2 deeper than the kept stack, 1 map full), sorted by calls\n",
			    (size_t)(line2 - text));
	assert_int_equal(sscanf(line3, "%llu %lf %lf %lf %lf %lf %llu %31s", &calls, &rate, &tot,
				&self, &mean, &max, &pid, func), 8);
	assert_int_equal(calls, 4);
	assert_true(rate > 1.9 && rate < 2.1);           /* final: over the whole run */
	assert_true(tot > 3.99 && tot < 4.01);          /* microseconds */
	assert_true(self > 1.99 && self < 2.01);
	assert_true(mean > 0.99 && mean < 1.01);
	assert_int_equal(pid, 7);
	assert_string_equal(func, "f\\x1b[2J");
	assert_non_null(strstr(line3, " (a b.py:3)\n\n"));
	assert_null(strchr(text, '\x1b'));
	free(text);
	top_model_free(&m);
	table_free(&fx);
}

/* m drawn as a cols x rows frame into buf (NUL-terminated); its length. */
static size_t frame(const struct top_model *m, const struct top_view *v, int cols, int rows,
		    char *buf, size_t len)
{
	struct top_screen scr;
	char path[] = "/tmp/test_top.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);

	assert_true(fd >= 0 && saved >= 0);
	top_screen_init(&scr);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	int rc = top_screen_draw(&scr, m, v, cols, rows);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	top_screen_free(&scr);
	ssize_t n = pread(fd, buf, len - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	return (size_t)n;
}

/* The frame's lines with escape sequences taken out: none wider than cols
 * cells, none with a character cut in half; returns how many. */
static int frame_lines(const char *buf, size_t n, size_t cols, char *first, size_t firstlen)
{
	char plain[8192];
	size_t o = 0;
	int lines = 0;

	for (size_t i = 0; i < n && o + 1 < sizeof(plain); i++) {
		if (buf[i] == '\033' && buf[i + 1] == '[') {
			for (i += 2; i < n && !(buf[i] >= 0x40 && buf[i] <= 0x7e); i++)
				;
			continue;
		}
		if (buf[i] != '\r')
			plain[o++] = buf[i];
	}
	plain[o] = '\0';
	for (char *line = strtok(plain, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		size_t cells = 0;
		for (const char *p = line; *p; p++)
			cells += ((unsigned char)*p & 0xc0) != 0x80;
		assert_true(cells <= cols);
		for (const unsigned char *p = (const unsigned char *)line; *p; p++)
			if (*p == 0xc3)
				assert_true((p[1] & 0xc0) == 0x80);
		if (lines == 0)
			snprintf(first, firstlen, "%s", line);
	}
	return lines;
}

/* Frames: lines never wider than the terminal (a wide one, a narrow one),
 * long UTF-8 names cut at a character, the header first, "N more
 * functions" when the rows do not fit. */
static void test_screen(void **state)
{
	(void)state;
	struct fixture fx;
	struct top_model m;
	struct top_view v = { .sort = TOP_SORT_TOTAL, .paused = true, .what = "python3 app.py" };
	char name[64], buf[8192], first[512];

	table_init(&fx);
	top_model_init(&m, NULL);
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "caf\u00e9_\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9_%02d", i);
		put_row(&fx, name, "/very/long/path/of/some/package/\u00e9\u00e9\u00e9/module.py",
			(uint64_t)i + 1, (uint64_t)i * 1000, 5);
	}
	fx.t.elapsed_ns = 1000000000;
	top_model_update(&m, &fx.t);
	top_model_sort(&m, v.sort);

	size_t n = frame(&m, &v, 90, 12, buf, sizeof(buf));
	/* 20 cells for names: the function 13, the file 6, each cut with "..." */
	assert_non_null(strstr(buf, " caf\u00e9_\u00e9\u00e9\u00e9\u00e9\u00e9... ...y:3"));
	assert_non_null(strstr(buf, "... 22 more functions"));
	assert_int_equal(frame_lines(buf, n, 90, first, sizeof(first)), 12);
	assert_non_null(strstr(first, "pytrace top  1.0 s  1 process"));
	assert_non_null(strstr(first, "sort: total  [paused]"));

	/* narrower than the numbers: every line cut, none wrapped */
	n = frame(&m, &v, 40, 8, buf, sizeof(buf));
	assert_int_equal(frame_lines(buf, n, 40, first, sizeof(first)), 8);
	assert_non_null(strstr(buf, "... 26 more functions"));
	top_model_free(&m);
	table_free(&fx);
}

static void test_keys(void **state)
{
	(void)state;
	assert_int_equal(top_key_of('c'), TOP_KEY_SORT_CALLS);
	assert_int_equal(top_key_of('T'), TOP_KEY_SORT_TOTAL);
	assert_int_equal(top_key_of('s'), TOP_KEY_SORT_SELF);
	assert_int_equal(top_key_of('p'), TOP_KEY_PAUSE);
	assert_int_equal(top_key_of(' '), TOP_KEY_PAUSE);
	assert_int_equal(top_key_of('q'), TOP_KEY_QUIT);
	assert_int_equal(top_key_of(0x03), TOP_KEY_QUIT);   /* Ctrl-C */
	assert_int_equal(top_key_of(0x0c), TOP_KEY_REDRAW); /* Ctrl-L */
	assert_int_equal(top_key_of('x'), TOP_KEY_NONE);
	assert_int_equal(top_key_of(0x1a), TOP_KEY_NONE);   /* Ctrl-Z: no stop */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_screen),
		cmocka_unit_test(test_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
