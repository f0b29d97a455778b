/* json: JSON Lines, one object per event, always these keys in this order:
 *   ts (ns since the trace start), pid, tid, kind, depth, func, file, line
 * plus dur (ns) on returns whose call was seen, and value on gc-start
 * (generation), gc-done (collected), import-done (found: 1/0) and lost
 * (events the engine lost at that point).
 * func, file and line are null where the marker has none (gc; file and
 * line for import and audit; func/file the tracer could not read). Bytes
 * that are not UTF-8 become \udcXX, as Python's surrogateescape does. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "markers.h"
#include "render.h"
#include "xmalloc.h"

struct json {
	struct renderer base;
	struct esc_cache esc;
};

static struct renderer *json_create(const struct render_ctx *ctx)
{
	struct json *j = xcalloc(1, sizeof(*j));
	j->base.ops = &render_json;
	j->base.ctx = *ctx;
	esc_cache_init(&j->esc, ESC_JSON);
	return &j->base;
}

static void json_destroy(struct renderer *r)
{
	struct json *j = (struct json *)r;
	esc_cache_free(&j->esc);
	free(j);
}

static char *put_str(char *d, const struct esc_entry *s, bool null)
{
	if (null) {
		PUT(d, "null");
		return d;
	}
	*d++ = '"';
	memcpy(d, s->s, s->len);
	d += s->len;
	*d++ = '"';
	return d;
}

/* {"ts":T,"pid":P,"tid":T,"kind":"KIND  (the closing quote is the caller's) */
static char *put_head(char *d, const struct tev *e, const char *kind)
{
	size_t kl = strlen(kind);

	PUT(d, "{\"ts\":");
	d += fmt_u64(d, e->ts);
	PUT(d, ",\"pid\":");
	d += fmt_i64(d, e->pid);
	PUT(d, ",\"tid\":");
	d += fmt_i64(d, e->tid);
	PUT(d, ",\"kind\":\"");
	memcpy(d, kind, kl);
	return d + kl;
}

static void json_event(struct renderer *r, const struct tev *e)
{
	struct json *j = (struct json *)r;
	struct out *o = r->ctx.out;
	const struct marker_kind *k = marker_kind(e->kind);

	if (!k || !k->note)
		return;   /* comm, lost: not events of the traced program */
	/* Which keys carry a value is the marker's (markers.c). */
	bool has_func = k->func_arg, has_file = k->file_arg;
	bool has_line = k->num == NUM_LINE, has_value = k->num == NUM_VALUE;
	const struct esc_entry *func = esc_get(&j->esc, r->ctx.in, e->func);
	const struct esc_entry *file = esc_get(&j->esc, r->ctx.in, e->file);
	char *d = out_room(o, 256 + func->len + file->len);
	char *s = d;
	d = put_head(d, e, k->raw_name);
	PUT(d, "\",\"depth\":");
	d += fmt_i64(d, e->depth);
	PUT(d, ",\"func\":");
	d = put_str(d, func, !has_func || (e->flags & EVF_FUNC_NULL));
	PUT(d, ",\"file\":");
	d = put_str(d, file, !has_file || (e->flags & EVF_FILE_NULL));
	PUT(d, ",\"line\":");
	if (has_line)
		d += fmt_i64(d, e->num);
	else
		PUT(d, "null");
	if (e->kind == EV_RETURN && e->has_dur) {
		PUT(d, ",\"dur\":");
		d += fmt_u64(d, e->dur);
	}
	if (has_value) {
		PUT(d, ",\"value\":");
		d += fmt_i64(d, e->num);
	}
	/* Strings the engine cut at its bound (a 512-byte file name...). */
	bool func_cut = has_func && (e->flags & EVF_FUNC_TRUNC);
	bool file_cut = has_file && (e->flags & EVF_FILE_TRUNC);
	if (func_cut || file_cut) {
		PUT(d, ",\"truncated\":[");
		if (func_cut)
			PUT(d, "\"func\"");
		if (func_cut && file_cut)
			*d++ = ',';
		if (file_cut)
			PUT(d, "\"file\"");
		*d++ = ']';
	}
	PUT(d, "}\n");
	o->len += (size_t)(d - s);
}

/* Events the engine lost, where it lost them: a record of kind "lost" with
 * the count as its value (func, file and line are null). */
static void json_lost(struct renderer *r, const struct tev *e)
{
	struct out *o = r->ctx.out;
	char *d = out_room(o, 200), *s = d;

	d = put_head(d, e, "lost");
	PUT(d, "\",\"depth\":0,\"func\":null,\"file\":null,\"line\":null,\"value\":");
	d += fmt_i64(d, e->num);
	PUT(d, "}\n");
	o->len += (size_t)(d - s);
}

static void json_finish(struct renderer *r, uint64_t end_ts)
{
	(void)r;
	(void)end_ts;
}

const struct render_ops render_json = {
	.name = "json",
	.create = json_create,
	.event = json_event,
	.lost = json_lost,
	.finish = json_finish,
	.destroy = json_destroy,
};
