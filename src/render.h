/* Renderers: one small ops struct per output format (render_*.c). They
 * receive the tree events the pipeline decided to show, in order per
 * thread, with depth, duration and self time already computed. */
#ifndef PYTRACE_RENDER_H
#define PYTRACE_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "intern.h"
#include "options.h"
#include "output.h"
#include "stacks.h"

struct render_ctx {
	struct out *out;
	struct intern *in;
	const struct stacks *st;
	const struct options *o;
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
	/* A shown call still open when the trace ended (innermost first). */
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

#endif
