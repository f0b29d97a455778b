/* svg: an interactive flame graph in one self-contained SVG file, drawn by
 * pytrace itself: open it in a browser. The tree is folded's (flame.c):
 * a frame's width is the self time of its subtree in whole microseconds,
 * so the frames and widths are exactly those of `-f folded` (the same
 * --flame-by root frames too). A call never returned gives its self time
 * until the end to a frame "... [never returned]" beside its own, as
 * folded gives it a path of its own. Children sit left to right in name
 * order under their caller, the outermost calls on top (an icicle: a
 * browser opens it at the top).
 *
 * Colours are stable per file: warm for the program's files, blue for the
 * standard library and frozen modules, green for installed packages, grey
 * for process and thread frames. Labels are "function file:line" with the
 * file's last component; each frame's <title> (the tooltip) has the whole
 * path, calls, total and self time and share of the whole. The script
 * (svg_script.js, embedded) zooms on click, searches (Ctrl-F or the Search
 * button) and cuts labels to fit. Positions are computed here as well, so
 * the picture shows without the script too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flame.h"
#include "picture.h"
#include "render.h"
#include "xmalloc.h"

#define SVG_WIDTH   1200
#define SVG_PAD     10
#define ROW         16
#define TOP         52
#define BOTTOM      34

#include "svg_script.h"   /* generated from svg_script.js: svg_script[] */

struct svg {
	struct renderer base;
	struct esc_cache esc;
	struct flame fl;
	struct render_roster roster;   /* process names */
	/* layout, at the end: per node */
	uint64_t *total_us, *total_ns;   /* subtree sums (total_us[0]: everything) */
};

static struct renderer *svg_create(const struct render_ctx *ctx)
{
	struct svg *s = xcalloc(1, sizeof(*s));
	s->base.ops = &render_svg;
	s->base.ctx = *ctx;
	esc_cache_init(&s->esc, ESC_TEXT);
	flame_init(&s->fl, ctx->set.flame_by);
	return &s->base;
}

static void svg_destroy(struct renderer *r)
{
	struct svg *s = (struct svg *)r;
	esc_cache_free(&s->esc);
	flame_free(&s->fl);
	render_roster_free(&s->roster);
	free(s->total_us);
	free(s->total_ns);
	free(s);
}

static void svg_meta(struct renderer *r, enum render_meta what, const struct render_proc *proc,
		     const struct render_thread *th)
{
	render_roster_meta(&((struct svg *)r)->roster, what, proc, th);
}

static void svg_event(struct renderer *r, const struct tev *e)
{
	struct svg *s = (struct svg *)r;
	flame_event(&s->fl, e);
}

/* s[0..n) with XML's five special characters escaped (the text is already
 * printable UTF-8: ESC_TEXT). */
static void put_xml(struct out *o, const char *s, size_t n)
{
	char *d = out_room(o, 6 * n), *b = d;
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': memcpy(d, "&amp;", 5); d += 5; break;
		case '<': memcpy(d, "&lt;", 4); d += 4; break;
		case '>': memcpy(d, "&gt;", 4); d += 4; break;
		case '"': memcpy(d, "&quot;", 6); d += 6; break;
		default: *d++ = s[i]; break;
		}
	}
	o->len += (size_t)(d - b);
}

static const struct esc_entry *text_of(struct svg *s, uint32_t id)
{
	return esc_get(&s->esc, s->base.ctx.in, id);
}

/* The last path component, or the last two for a package's __init__.py
 * or __main__.py ("<frozen ...>" and the like stay whole). */
static const char *short_file(const char *f, size_t n, size_t *len)
{
	const char *slash = n ? memrchr(f, '/', n) : NULL;
	if (!slash || slash + 1 == f + n) {
		*len = n;
		return f;
	}
	if (slash > f && (size_t)(f + n - slash) > 2 && slash[1] == '_' && slash[2] == '_') {
		const char *up = memrchr(f, '/', (size_t)(slash - f));
		if (up)
			slash = up;
	}
	*len = (size_t)(f + n - slash - 1);
	return slash + 1;
}

/* The name of node i: full ("func (file:line)", folded's frame) or as a
 * label ("func file:line" with the short file name). */
static void put_name(struct svg *s, const struct flame_node *nd, bool label)
{
	struct out *o = s->base.ctx.out;
	char buf[48];
	if (nd->root == FLAME_PROC) {
		struct render_proc proc = render_roster_proc(&s->roster, (int32_t)nd->line);
		const struct esc_entry *p = text_of(s, picture_proc_name(s->base.ctx.in,
									 &proc));
		put_xml(o, p->s, p->len);
		out_str(o, " (pid ");
		out_i64(o, nd->line);
		out_char(o, ')');
		return;
	}
	if (nd->root == FLAME_THREAD) {
		size_t n = thread_label(buf, (int32_t)s->fl.nodes[nd->parent].line,
					(int32_t)nd->line, false);
		out_put(o, buf, n);
		return;
	}
	const struct esc_entry *func = text_of(s, nd->func), *file = text_of(s, nd->file);
	size_t flen;
	const char *f = label ? short_file(file->s, file->len, &flen) : file->s;
	if (!label)
		flen = file->len;
	put_xml(o, func->s, func->len);
	out_str(o, label ? " " : " (");
	put_xml(o, f, flen);
	out_char(o, ':');
	out_i64(o, nd->line);
	if (!label)
		out_char(o, ')');
}

static uint32_t fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void put_fill(struct svg *s, const struct flame_node *nd)
{
	struct out *o = s->base.ctx.out;
	unsigned r, g, b;
	if (nd->root != FLAME_CALL) {
		r = 190, g = 190, b = 198;
	} else {
		const struct istr *f = intern_str(s->base.ctx.in, nd->file);
		uint32_t h = fnv(f->s, f->len);
		/* installed packages (site-packages, dist-packages) before the
		 * standard library: their paths hold "/lib/python" too */
		bool pkg = memmem(f->s, f->len, "-packages/", 10) != NULL;
		bool lib = !pkg && ((f->len && f->s[0] == '<') ||
				    memmem(f->s, f->len, "/lib/python", 11));
		/* the file picks the colour, the function a shade of it, so
		 * neighbours from one file still stand apart */
		const struct istr *fn = intern_str(s->base.ctx.in, nd->func);
		unsigned shade = fnv(fn->s, fn->len) % 36;
		if (lib) {            /* blue */
			r = 70 + h % 50;
			g = 140 + (h >> 8) % 50 + shade;
			b = 215 + (h >> 16) % 40;
		} else if (pkg) {     /* green */
			r = 90 + h % 60;
			g = 180 + (h >> 8) % 40 + shade;
			b = 70 + (h >> 16) % 50;
		} else {              /* warm: the program's own files */
			r = 215 + h % 40;
			g = 70 + (h >> 8) % 110 + shade;
			b = 30 + (h >> 16) % 40;
		}
	}
	out_str(o, "rgb(");
	out_u64(o, r);
	out_char(o, ',');
	out_u64(o, g);
	out_char(o, ',');
	out_u64(o, b);
	out_char(o, ')');
}

/* ns as milliseconds with 3 decimals. */
static void put_ms(struct out *o, uint64_t ns)
{
	out_milli(o, ns / 1000);
	out_str(o, " ms");
}

/* part of whole in percent, 2 decimals. */
static void put_pct(struct out *o, uint64_t part, uint64_t whole)
{
	uint64_t p = whole ? (part * 10000 + whole / 2) / whole : 0;
	out_u64(o, p / 100);
	out_char(o, '.');
	out_char(o, (char)('0' + p / 10 % 10));
	out_char(o, (char)('0' + p % 10));
	out_char(o, '%');
}

/* Node i's frame, or with open its "[never returned]" frame beside it:
 * the self time of its calls never returned, to the end of the trace (as
 * folded writes it: a path of its own, its last frame so marked). */
static void put_frame(struct svg *s, uint32_t i, bool open, uint64_t x_us, int depth, double scale)
{
	struct out *o = s->base.ctx.out;
	const struct flame_node *nd = &s->fl.nodes[i];
	uint64_t total = s->total_us[0], w_us = open ? flame_open_us(&s->fl, i) : s->total_us[i];
	double x = SVG_PAD + (double)x_us * scale, w = (double)w_us * scale;
	char num[64];

	out_str(o, open ? "<g class=\"f open\" data-x=\"" : "<g class=\"f\" data-x=\"");
	out_u64(o, x_us);
	out_str(o, "\" data-w=\"");
	out_u64(o, w_us);
	out_str(o, "\" data-d=\"");
	out_i64(o, depth);
	out_str(o, "\" data-label=\"");
	put_name(s, nd, true);
	if (open)
		out_str(o, " [never returned]");
	out_str(o, "\"><title>");
	put_name(s, nd, false);
	if (open) {
		out_str(o, " [never returned]\nnever returned: ");
		put_ms(o, nd->open_ns);
		out_str(o, " of self time until the trace ended (");
		put_pct(o, w_us, total);
		out_char(o, ')');
	} else if (nd->root == FLAME_CALL) {
		out_str(o, "\ncalls ");
		out_u64(o, nd->calls);
		out_str(o, ", total ");
	} else {
		out_str(o, "\ntotal ");
	}
	if (!open) {
		put_ms(o, s->total_ns[i]);
		out_str(o, " (");
		put_pct(o, s->total_us[i], total);
		out_str(o, ")");
	}
	if (!open && nd->root == FLAME_CALL) {
		out_str(o, ", self ");
		put_ms(o, nd->self_ns);
		out_str(o, " (");
		put_pct(o, flame_self_us(&s->fl, i), total);
		out_str(o, ")");
	}
	if (!open && nd->open_ns) {
		out_str(o, "; and ");
		put_ms(o, nd->open_ns);
		out_str(o, " in calls never returned, beside it");
	}
	out_str(o, "</title><rect x=\"");
	snprintf(num, sizeof(num), "%.2f\" y=\"%d\" width=\"%.2f", x, TOP + depth * ROW, w);
	out_str(o, num);
	out_str(o, "\" height=\"15\" fill=\"");
	put_fill(s, nd);
	out_str(o, "\"/><text x=\"");
	snprintf(num, sizeof(num), "%.2f\" y=\"%d", x + 3, TOP + depth * ROW + 11);
	out_str(o, num);
	out_str(o, "\"></text></g>\n");
}

/* Children before their parent's siblings: sorted by parent, then name. */
static int by_parent_name(const void *a, const void *b, void *arg)
{
	const struct svg *s = arg;
	const struct flame_node *x = &s->fl.nodes[*(const uint32_t *)a];
	const struct flame_node *y = &s->fl.nodes[*(const uint32_t *)b];
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->root != FLAME_CALL || y->root != FLAME_CALL)
		return x->line < y->line ? -1 : x->line > y->line;
	const struct intern *in = s->base.ctx.in;
	int c = strcmp(intern_str(in, x->func)->s, intern_str(in, y->func)->s);
	if (!c)
		c = strcmp(intern_str(in, x->file)->s, intern_str(in, y->file)->s);
	return c ? c : (*(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1);
}

static void put_header(struct svg *s, int height, size_t nframes, size_t cut)
{
	struct out *o = s->base.ctx.out;
	const struct render_roster *ro = &s->roster;
	char num[160];

	snprintf(num, sizeof(num), "<svg version=\"1.1\" width=\"%d\" height=\"%d\" "
		 "viewBox=\"0 0 %d %d\" ", SVG_WIDTH, height, SVG_WIDTH, height);
	out_str(o, "<?xml version=\"1.0\" standalone=\"no\"?>\n");
	out_str(o, num);
	out_str(o, "xmlns=\"http://www.w3.org/2000/svg\" onload=\"init(evt)\" data-width=\"");
	out_u64(o, SVG_WIDTH);
	out_str(o, "\" data-pad=\"");
	out_u64(o, SVG_PAD);
	out_str(o, "\" data-total=\"");
	out_u64(o, s->total_us[0]);
	out_str(o, "\" data-frames=\"");
	out_u64(o, nframes);
	out_str(o, "\" data-min-px=\"0.1");
	out_str(o, "\">\n<style>\n"
		"text { font: 11px monospace; fill: #000; }\n"
		"#title { font: bold 16px sans-serif; } #sub { font: 12px sans-serif; fill: #555; }\n"
		".btn { font: 12px sans-serif; fill: #24f; cursor: pointer; }\n"
		".btn.active { fill: #c0c; font-weight: bold; }\n"
		"g.f { cursor: pointer; } g.f text { pointer-events: none; }\n"
		"g.f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
		"g.f.match rect { fill: rgb(230,0,230); }\n"
		"g.f.parent rect { opacity: 0.5; }\n"
		"g.f.open rect { fill-opacity: 0.45; stroke: #a00; stroke-dasharray: 3,2; }\n"
		".hide { display: none; }\n"
		"</style>\n<script type=\"text/ecmascript\"><![CDATA[\n");
	out_str(o, svg_script);
	out_str(o, "]]></script>\n<rect width=\"100%\" height=\"100%\" fill=\"#fafaf7\"/>\n");
	snprintf(num, sizeof(num), "<text id=\"title\" x=\"%d\" y=\"22\" text-anchor=\"middle\">",
		 SVG_WIDTH / 2);
	out_str(o, num);
	out_str(o, "pytrace: ");
	if (ro->nprocs) {
		const struct esc_entry *p = text_of(s, picture_proc_name(s->base.ctx.in,
									 ro->procs[0]));
		put_xml(o, p->s, p->len);
	}
	snprintf(num, sizeof(num), "</text>\n<text id=\"sub\" x=\"%d\" y=\"40\" text-anchor=\"middle\">",
		 SVG_WIDTH / 2);
	out_str(o, num);
	out_str(o, "width: self time of the subtree (as -f folded), ");
	put_ms(o, s->total_ns[0]);
	out_str(o, " in all; click to zoom, Ctrl-F to search");
	if (cut) {
		out_str(o, "; ");
		out_u64(o, cut);
		out_str(o, cut == 1 ? " frame" : " frames");
		out_str(o, " under 0.1 px left out");
	}
	out_str(o, "</text>\n");
	snprintf(num, sizeof(num), "<text id=\"unzoom\" class=\"btn hide\" x=\"%d\" y=\"22\">"
		 "Reset zoom</text>\n<text id=\"search\" class=\"btn\" x=\"%d\" y=\"22\" "
		 "text-anchor=\"end\">Search</text>\n", SVG_PAD, SVG_WIDTH - SVG_PAD);
	out_str(o, num);
	snprintf(num, sizeof(num), "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
		 "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"> </text>\n",
		 SVG_PAD, height - 12, SVG_WIDTH - SVG_PAD, height - 12);
	out_str(o, num);
}

/* Frames narrower than this many pixels are left out, as flamegraph.pl's
 * --minwidth does: a trace with a hundred thousand paths stays a file a
 * browser opens. The header says how many. */
#define MIN_PX 0.1

static bool wide(uint64_t us, double scale)
{
	return (double)us * scale >= MIN_PX;
}

struct pending {
	uint32_t node;
	bool open;        /* the node's "[never returned]" frame */
	uint64_t x;
	int depth;
};

static void svg_thread_end(struct renderer *r, const struct render_thread *th)
{
	flame_thread_end(&((struct svg *)r)->fl, th);
}

static void svg_unreturned(struct renderer *r, const struct tev *call, uint64_t end_ts)
{
	(void)end_ts;
	flame_unreturned(&((struct svg *)r)->fl, call);
}

static void svg_finish(struct renderer *r, uint64_t end_ts)
{
	struct svg *s = (struct svg *)r;
	struct out *o = r->ctx.out;
	size_t n = s->fl.nnodes;
	(void)end_ts;

	s->total_us = xcalloc(n, sizeof(*s->total_us));
	s->total_ns = xcalloc(n, sizeof(*s->total_ns));
	int *depth = xcalloc(n, sizeof(*depth));
	for (size_t i = 1; i < n; i++) {
		s->total_us[i] = flame_self_us(&s->fl, i);
		s->total_ns[i] = s->fl.nodes[i].self_ns;
	}
	/* a node's frame spans its self time and its children's frames, each
	 * with its "[never returned]" frame; a parent comes before its children */
	for (size_t i = n; i-- > 1;) {
		s->total_us[s->fl.nodes[i].parent] += s->total_us[i] + flame_open_us(&s->fl, i);
		s->total_ns[s->fl.nodes[i].parent] += s->total_ns[i] + s->fl.nodes[i].open_ns;
	}
	/* frames narrower than MIN_PX are left out (a child is never wider
	 * than its parent, so what is kept hangs together) */
	double scale = s->total_us[0] ? (double)(SVG_WIDTH - 2 * SVG_PAD) / (double)s->total_us[0] : 0;
	int maxd = 0;
	size_t nframes = 0, cut = 0;
	depth[0] = -1;
	for (size_t i = 1; i < n; i++) {
		depth[i] = depth[s->fl.nodes[i].parent] + 1;
		bool real = s->total_us[i] && wide(s->total_us[i], scale);
		bool open = flame_open_us(&s->fl, i) && wide(flame_open_us(&s->fl, i), scale);
		nframes += real + open;
		cut += (s->total_us[i] && !real) + (flame_open_us(&s->fl, i) && !open);
		if ((real || open) && depth[i] > maxd)
			maxd = depth[i];
	}
	/* children runs: order[first[p] .. first[p] + count[p]) */
	uint32_t *order = xcalloc(n, sizeof(*order));
	uint32_t *first = xcalloc(n, sizeof(*first)), *count = xcalloc(n, sizeof(*count));
	for (size_t i = 1; i < n; i++)
		order[i - 1] = (uint32_t)i;
	if (n > 1)
		qsort_r(order, n - 1, sizeof(*order), by_parent_name, s);
	for (size_t k = n - 1; k-- > 0;) {
		uint32_t p = s->fl.nodes[order[k]].parent;
		first[p] = (uint32_t)k;
		count[p]++;
	}

	int height = TOP + (maxd + 1) * ROW + BOTTOM;
	put_header(s, height, nframes, cut);
	out_str(o, "<g id=\"frames\">\n");
	if (!s->total_us[0]) {
		out_str(o, "<text x=\"600\" y=\"70\" text-anchor=\"middle\">no call returned with a "
			"measurable self time: nothing to draw</text>\n");
	}
	/* depth first, children left to right */
	struct pending *stk = NULL;
	size_t nstk = 0, cap = 0;
	stk = xgrow(stk, &cap, 1, sizeof(*stk));
	stk[nstk++] = (struct pending){ .node = 0, .x = 0, .depth = -1 };
	while (nstk) {
		struct pending p = stk[--nstk];
		if (p.node)
			put_frame(s, p.node, p.open, p.x, p.depth, scale);
		if (p.open)
			continue;
		/* children from the left edge of their parent, each followed by
		 * its "[never returned]" frame; pushed right to left so the
		 * leftmost comes out first */
		uint64_t cx = p.x;
		for (uint32_t k = 0; k < count[p.node]; k++) {
			uint32_t c = order[first[p.node] + k];
			cx += s->total_us[c] + flame_open_us(&s->fl, c);
		}
		for (uint32_t k = count[p.node]; k-- > 0;) {
			uint32_t c = order[first[p.node] + k];
			stk = xgrow(stk, &cap, nstk + 2, sizeof(*stk));
			cx -= flame_open_us(&s->fl, c);
			if (flame_open_us(&s->fl, c) && wide(flame_open_us(&s->fl, c), scale))
				stk[nstk++] = (struct pending){ .node = c, .open = true, .x = cx,
								.depth = p.depth + 1 };
			cx -= s->total_us[c];
			if (s->total_us[c] && wide(s->total_us[c], scale))
				stk[nstk++] = (struct pending){ .node = c, .x = cx, .depth = p.depth + 1 };
		}
	}
	out_str(o, "</g>\n</svg>\n");
	free(stk);
	free(order);
	free(first);
	free(count);
	free(depth);
}

const struct render_ops render_svg = {
	.name = "svg",
	.create = svg_create,
	.event = svg_event,
	.meta = svg_meta,
	.unreturned = svg_unreturned,
	.thread_end = svg_thread_end,
	.finish = svg_finish,
	.destroy = svg_destroy,
};
