/* pytrace top's plain table: what it prints per interval without a
 * terminal (a pipe, a file, a CI log) and once at the end.  One header
 * line starting with '#', one line of column names, one line per function:
 *   calls  calls/s  total_us  self_us  mean_us  max_us  pid  function (file:line)
 * whitespace-separated numbers first (awk $1..$7), times in microseconds
 * to the nanosecond as in -f summary, names escaped (no control bytes). */
#ifndef PYTRACE_TOP_TABLE_H
#define PYTRACE_TOP_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "escape.h"
#include "top_model.h"

/* The rows of m in m->order (top_model_sort first).  final: the table at
 * the end, its calls/s the average over the whole run, and a function still
 * running marked "[N never returned]".  esc: names escaped once per intern
 * id (ESC_TEXT, the screen's cache serves).  Returns 0, or -1 on a write error. */
int top_table_print(FILE *f, const struct top_model *m, struct esc_cache *esc,
		    enum top_sort key, bool final);

/* The headers' lost part into buf, with its causes when there are any:
 * "3 lost (2 deeper than the kept stack, 1 map full)". */
void top_lost_text(char *buf, size_t len, const struct top_model *m);

#endif
