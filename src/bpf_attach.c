/* Attaching the bpf engine's programs to an interpreter file.
 *
 * libbpf's USDT support reads the notes itself, computes each site's file
 * offset, passes the marker's semaphore as the uprobe's reference counter
 * (so CPython's "is anyone listening" test turns true) and records the
 * argument locations for bpf_usdt_arg().  We only choose the markers and
 * tag each attachment with the event kind it produces and which argument
 * carries which field (BPF_COOKIE, from markers.c's table). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf_attach.h"
#include "engine_bpf.h"
#include "event.h"
#include "log.h"
#include "markers.h"
#include "xmalloc.h"

static char last_message[256];

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	n = strlen(last_message);
	while (n > 0 && (last_message[n - 1] == '\n' || last_message[n - 1] == ' '))
		last_message[--n] = '\0';
	return 0;
}

void bpf_capture_libbpf_messages(void)
{
	libbpf_set_print(capture_print);
}

const char *bpf_last_libbpf_message(void)
{
	return last_message[0] ? last_message : "no detail from libbpf";
}

static void links_add(struct bpf_links *l, struct bpf_link *link)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = link;
}

int bpf_attach_markers(struct bpf_links *l, struct bpf_program *prog,
		       const struct sdt_file *sdt, const char *path, pid_t pid,
		       unsigned markers, char *err, size_t errlen)
{
	for (int kind = 0; kind < EV__COUNT; kind++) {
		const char *name = marker_note_name(kind);
		const struct marker_kind *k = marker_kind(kind);
		LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = BPF_COOKIE(kind, k->func_arg,
									    k->file_arg, k->num_arg));
		struct bpf_link *link;

		if (!name || !(markers & MARK(kind)))
			continue;
		if (!sdt_find(sdt, PY_PROVIDER, name))
			return err_set(err, errlen, "%s has no %s:%s marker", path, PY_PROVIDER, name);
		last_message[0] = '\0';
		link = bpf_program__attach_usdt(prog, pid, path, PY_PROVIDER, name, &opts);
		if (!link)
			return err_set(err, errlen, "cannot attach to the %s:%s marker of %s: %s (%s)",
				       PY_PROVIDER, name, path, strerror(errno),
				       bpf_last_libbpf_message());
		links_add(l, link);
	}
	return 0;
}

int bpf_attach_entry_fix(struct bpf_links *l, struct bpf_program *noop,
			 const struct sdt_file *sdt, const char *path, pid_t pid,
			 char *err, size_t errlen)
{
	const struct sdt_note *line = sdt_find(sdt, PY_PROVIDER, "line");
	struct bpf_link *link;

	if (!line || !line->semaphore_offset)
		return err_set(err, errlen, "%s: the CPython 3.11 entry fix needs the line marker's "
			       "semaphore, which this file lacks; use --no-entry-fix", path);
	if (!sdt->finalize_offset)
		return err_set(err, errlen, "%s does not export Py_FinalizeEx, where the CPython 3.11 "
			       "entry fix attaches; use --no-entry-fix", path);
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .ref_ctr_offset = line->semaphore_offset);
	last_message[0] = '\0';
	link = bpf_program__attach_uprobe_opts(noop, pid, path, sdt->finalize_offset, &opts);
	if (!link)
		return err_set(err, errlen, "cannot raise the line semaphore of %s (CPython 3.11 entry "
			       "fix): %s (%s); --no-entry-fix skips it", path, strerror(errno),
			       bpf_last_libbpf_message());
	links_add(l, link);
	return 0;
}

int bpf_attach_uprobe_at(struct bpf_links *l, struct bpf_program *prog, const char *path,
			 uint64_t offset, pid_t pid, const char *what, char *err, size_t errlen)
{
	struct bpf_link *link;

	last_message[0] = '\0';
	link = bpf_program__attach_uprobe_opts(prog, pid, path, offset, NULL);
	if (!link)
		return err_set(err, errlen, "cannot attach to %s in %s: %s (%s)", what, path,
			       strerror(errno), bpf_last_libbpf_message());
	links_add(l, link);
	return 0;
}

/* Each uprobe's unregistration waits for RCU grace periods (~0.1 s each
 * measured here, serialized by the kernel even from parallel threads), so
 * detaching costs about 0.1 s per marker. */
void bpf_links_destroy(struct bpf_links *l)
{
	for (size_t i = 0; i < l->n; i++)
		bpf_link__destroy(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
