/* markers: the kind table (names, notes, argument positions), the version
 * table, and marker_check on the real Debian interpreter and on made-up
 * targets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "markers.h"
#include "target.h"

#define PY311 "/usr/bin/python3.11"

static void test_kind_table(void **state)
{
	(void)state;
	for (int k = 0; k < EV__COUNT; k++) {
		const struct marker_kind *m = marker_kind(k);

		assert_non_null(m);
		assert_non_null(m->raw_name);
		/* names round-trip through the raw format's lookup */
		assert_int_equal(ev_kind_from_name(m->raw_name, strlen(m->raw_name)), k);
		assert_true(!m->note == (k == EV_COMM || k == EV_LOST));
		/* argument positions are 1-based, distinct, and within the
		 * variables the tapset names for the note */
		int nvars = 0;
		while (nvars < 4 && m->tapset_vars[nvars])
			nvars++;
		assert_true(m->func_arg <= nvars && m->file_arg <= nvars && m->num_arg <= nvars);
		if (m->func_arg && m->file_arg)
			assert_int_not_equal(m->func_arg, m->file_arg);
		assert_true(!m->func_arg || m->has_func);
		assert_true((m->num == NUM_LINE || m->num == NUM_VALUE) == (m->num_arg != 0));
		if (m->note)
			assert_non_null(m->tapset_alias);
	}
	assert_null(marker_kind(EV__COUNT));
	assert_string_equal(marker_note_name(EV_CALL), "function__entry");
	assert_int_equal(marker_kind(EV_CALL)->file_arg, 1);
	assert_int_equal(marker_kind(EV_CALL)->func_arg, 2);
	assert_int_equal(marker_kind(EV_CALL)->num_arg, 3);
	assert_int_equal(marker_kind(EV_IMPORT_DONE)->num_arg, 2);
	assert_null(marker_note_name(EV_LOST));
	assert_string_equal(ev_kind_name(EV__COUNT), "unknown");
	assert_int_equal(ev_kind_from_name("nope", 4), -1);
}

/* Every version from 2.0 to 3.40 is in exactly one row, in order. */
static void test_version_rows(void **state)
{
	(void)state;
	const struct marker_version *prev = NULL;

	assert_null(marker_version_of(-1, -1));
	for (int major = 2; major <= 3; major++)
		for (int minor = 0; minor <= 40; minor++) {
			const struct marker_version *v = marker_version_of(major, minor);
			assert_non_null(v);
			assert_true(!prev || v >= prev);
			prev = v;
		}
	assert_int_equal(marker_version_of(3, 13)->health, HEALTH_NO_CALL_MARKERS);
	assert_true(marker_version_of(3, 13)->absent & MARK(EV_CALL));
	assert_false(marker_version_of(3, 13)->absent & MARK(EV_GC_START));
	assert_true(marker_version_of(3, 15)->absent & MARK(EV_LINE));
	assert_false(marker_version_of(3, 15)->absent & MARK(EV_CALL));
	assert_string_equal(marker_health_name(HEALTH_ENTRY_NEEDS_LINE), "entry_needs_line");
	assert_true(marker_entry_fix_needed(HEALTH_ENTRY_NEEDS_LINE, MARKS_CALLS));
	assert_false(marker_entry_fix_needed(HEALTH_ENTRY_NEEDS_LINE, MARKS_GC));
	assert_false(marker_entry_fix_needed(HEALTH_FULL, MARKS_CALLS));
}

static void test_check(void **state)
{
	(void)state;
	struct py_target t;
	char err[256];
	struct marker_check c;

	/* nothing known at all: not a python */
	memset(&t, 0, sizeof(t));
	t.py_major = t.py_minor = -1;
	c = marker_check(&t, MARKS_CALLS);
	assert_int_equal(c.fit, FIT_NOT_PYTHON);
	assert_int_equal(c.missing, EV_CALL);
	/* a version but no notes: built without --with-dtrace */
	t.py_major = 3;
	t.py_minor = 13;
	c = marker_check(&t, 0);
	assert_int_equal(c.fit, FIT_NO_MARKERS);
	assert_int_equal(c.missing, -1);

	if (access(PY311, R_OK) != 0) {
		printf("# SKIP %s is not installed\n", PY311);
		skip();
	}
	assert_int_equal(target_from_path(PY311, &t, err, sizeof(err)), 0);
	c = marker_check(&t, MARKS_ALL);
	assert_int_equal(c.fit, FIT_OK);
	assert_int_equal(c.missing, -1);
	/* pretend it is 3.13: its notes still have the markers, so it fits;
	 * a note that is gone is "removed" by 3.12-3.14 */
	t.py_minor = 13;
	t.health = marker_health_for(3, 13, t.sdt);
	assert_int_equal(marker_check(&t, MARKS_CALLS).fit, FIT_OK);
	/* hide every function__entry note */
	char *saved[64] = { NULL };
	int hidden = 0;
	for (size_t i = 0; i < t.sdt->nnotes && i < 64; i++)
		if (strcmp(t.sdt->notes[i].name, "function__entry") == 0) {
			saved[i] = t.sdt->notes[i].name;
			t.sdt->notes[i].name = (char *)"renamed";
			hidden++;
		}
	assert_true(hidden > 0);
	c = marker_check(&t, MARKS_CALLS | MARKS_GC);
	assert_int_equal(c.fit, FIT_MISSING);
	assert_int_equal(c.missing, EV_CALL);
	assert_non_null(c.removed);
	assert_string_equal(c.removed->label, "3.12-3.14");
	/* the same gap on a 3.11 is a plain missing marker */
	t.py_minor = 11;
	c = marker_check(&t, MARKS_CALLS);
	assert_int_equal(c.fit, FIT_MISSING);
	assert_null(c.removed);
	for (size_t i = 0; i < t.sdt->nnotes && i < 64; i++)
		if (saved[i])
			t.sdt->notes[i].name = saved[i];
	target_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_table),
		cmocka_unit_test(test_version_rows),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
