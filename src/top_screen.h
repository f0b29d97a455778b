/* pytrace top's full screen: one frame drawn from the model — a header
 * (elapsed, processes, events/s, lost, the sort key, paused), the keys, the
 * column names and as many rows as fit, each cut to the terminal's width so
 * that nothing wraps. */
#ifndef PYTRACE_TOP_SCREEN_H
#define PYTRACE_TOP_SCREEN_H

#include <stdbool.h>

#include "escape.h"
#include "top_model.h"

struct top_screen {
	struct esc_cache esc;    /* names escaped once per intern id */
	char *buf;               /* the frame, written at once */
	size_t len, cap;
};

struct top_view {
	enum top_sort sort;
	bool paused;
	bool stopping;           /* q was pressed: the engine is detaching */
	bool ended;              /* -n reached: tracing stopped, a -c command runs on */
	const char *what;        /* what is traced: the command or "PID N" */
};

void top_screen_init(struct top_screen *s);
void top_screen_free(struct top_screen *s);

/* Draw m (sorted by v->sort) on standard output, cols x rows cells.
 * Returns 0, or -1 when the terminal cannot be written. */
int top_screen_draw(struct top_screen *s, const struct top_model *m, const struct top_view *v,
		    int cols, int rows);

#endif
