/* Renderers: one small ops struct per output format (render_*.c). They
 * receive the tree events the pipeline decided to show, in order per
 * thread, with depth, duration and self time already computed. */
#ifndef PYTRACE_RENDER_H
#define PYTRACE_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "intern.h"
#include "output.h"
#include "stacks.h"

enum summary_format { SUMMARY_TABLE, SUMMARY_MARKDOWN };
enum flame_by { FLAME_BY_NONE, FLAME_BY_PROCESS, FLAME_BY_THREAD };

/* What renderers render from besides the events: each reads its own. */
struct render_settings {
	bool live;                      /* a live trace (not --replay): /proc and clocks are current */
	enum summary_format summary_format;   /* summary */
	enum flame_by flame_by;         /* folded, svg (--flame-by) */
};

struct render_ctx {
	struct out *out;
	struct intern *in;
	const struct stacks *st;
	struct render_settings set;
	bool color;
	uint32_t null_id;       /* intern id of the "<null>" placeholder */
};

struct renderer {
	const struct render_ops *ops;
	struct render_ctx ctx;
};

struct render_ops {
	const char *name;
	struct renderer *(*create)(const struct render_ctx *ctx);
	void (*event)(struct renderer *r, const struct tev *e);
	/* A shown call still open when the trace ended (innermost first);
	 * call->dur and call->self are its time up to the end. */
	void (*unreturned)(struct renderer *r, const struct tev *call, uint64_t end_ts);
	void (*finish)(struct renderer *r, uint64_t end_ts);
	void (*destroy)(struct renderer *r);
};

extern const struct render_ops render_text;
extern const struct render_ops render_json;
extern const struct render_ops render_chrome;
extern const struct render_ops render_folded;
extern const struct render_ops render_summary;
extern const struct render_ops render_raw;
extern const struct render_ops render_speedscope;
extern const struct render_ops render_svg;

#endif
