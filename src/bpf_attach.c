/* Attaching the bpf engine's programs to an interpreter file.
 *
 * One uprobe per marker site.  The argument specs of each site (sdt_arg.c)
 * go into the BPF `sites` map; the uprobe's BPF cookie is the site's index
 * there, and the kernel side reads the arguments itself.
 *
 * Semaphores: a uprobe can name the site's semaphore as its reference
 * counter (ref_ctr), and the kernel raises it in every process the probe
 * covers.  For a probe of one pid (-p) that is what we want (and the kernel
 * lowers it even if we die); for a probe of every process mapping the file
 * (-c) it would raise it in all of them, so those probes go without one and
 * sema.c raises the semaphores in the traced processes only.  The kernel
 * refuses two probes on one site that disagree about the counter (EINVAL):
 * when another tracer got there first with the other choice, we take its
 * choice for that site. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stddef.h>
#include <sys/user.h>

#include "bpf_attach.h"
#include "engine_bpf.h"
#include "event.h"
#include "log.h"
#include "markers.h"
#include "sema.h"
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

/* Offsets of the registers in struct pt_regs, which has the layout of
 * user_regs_struct on x86-64. */
static const struct {
	const char *name;
	short off;
} regs[] = {
	{ "rax", offsetof(struct user_regs_struct, rax) }, { "rbx", offsetof(struct user_regs_struct, rbx) },
	{ "rcx", offsetof(struct user_regs_struct, rcx) }, { "rdx", offsetof(struct user_regs_struct, rdx) },
	{ "rsi", offsetof(struct user_regs_struct, rsi) }, { "rdi", offsetof(struct user_regs_struct, rdi) },
	{ "rbp", offsetof(struct user_regs_struct, rbp) }, { "rsp", offsetof(struct user_regs_struct, rsp) },
	{ "r8", offsetof(struct user_regs_struct, r8) },   { "r9", offsetof(struct user_regs_struct, r9) },
	{ "r10", offsetof(struct user_regs_struct, r10) }, { "r11", offsetof(struct user_regs_struct, r11) },
	{ "r12", offsetof(struct user_regs_struct, r12) }, { "r13", offsetof(struct user_regs_struct, r13) },
	{ "r14", offsetof(struct user_regs_struct, r14) }, { "r15", offsetof(struct user_regs_struct, r15) },
	{ "rip", offsetof(struct user_regs_struct, rip) },
};

static int site_arg_from(const struct sdt_arg *a, struct bpf_site_arg *out)
{
	memset(out, 0, sizeof(*out));
	out->size = (__u8)a->size;
	out->is_signed = a->is_signed;
	if (a->type == SDT_ARG_CONST) {
		out->type = BARG_CONST;
		out->val = a->value;
		return 0;
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (a->reg_name && strcmp(a->reg_name, regs[i].name) == 0) {
			out->type = a->type == SDT_ARG_MEM ? BARG_MEM : BARG_REG;
			out->reg_off = regs[i].off;
			out->val = a->type == SDT_ARG_MEM ? a->disp : 0;
			return 0;
		}
	return -1;
}

static int kind_of_note(const char *name)
{
	for (int kind = 0; kind < EV__COUNT; kind++) {
		const char *n = marker_note_name(kind);

		if (n && strcmp(n, name) == 0)
			return kind;
	}
	return -1;
}

static struct bpf_link *uprobe(struct bpf_program *prog, pid_t pid, const char *path,
			       const struct sdt_note *n, __u32 id, bool ref_ctr)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = id,
		    .ref_ctr_offset = ref_ctr ? n->semaphore_offset : 0);
	last_message[0] = '\0';
	return bpf_program__attach_uprobe_opts(prog, pid, path, n->pc_offset, &opts);
}

static int attach_site(struct bpf_links *l, struct bpf_program *prog, struct bpf_sites *sites,
		       const struct sdt_note *n, int kind, const char *path, pid_t pid,
		       struct sema_set *own, char *err, size_t errlen)
{
	bool ref_ctr = pid >= 0 && n->semaphore_offset;
	struct bpf_site site;
	struct bpf_link *link;
	__u32 id = sites->next;

	if (id >= BPF_MAX_SITES)
		return err_set(err, errlen, "too many marker sites to probe (%d at most)", BPF_MAX_SITES);
	if (n->nargs < 0)
		return err_set(err, errlen, "%s: cannot read the arguments of %s:%s (%s)", path,
			       n->provider, n->name, n->args_error ? n->args_error : "bad spec");
	memset(&site, 0, sizeof(site));
	site.kind = (__u32)kind;
	site.func_arg = marker_kind(kind)->func_arg;
	site.file_arg = marker_kind(kind)->file_arg;
	site.num_arg = marker_kind(kind)->num_arg;
	site.paired = sites->paired;
	for (int i = 0; i < n->nargs && i < BPF_SITE_ARGS; i++)
		if (site_arg_from(&n->argv[i], &site.arg[i]) < 0)
			return err_set(err, errlen, "%s: argument %d of %s:%s (%s) uses a register "
				       "pytrace cannot read", path, i + 1, n->provider, n->name, n->args);
	if (bpf_map_update_elem(sites->map_fd, &id, &site, BPF_ANY) < 0)
		return err_set(err, errlen, "cannot store the arguments of %s:%s: %s", n->provider,
			       n->name, strerror(errno));
	link = uprobe(prog, pid, path, n, id, ref_ctr);
	if (!link && errno == EINVAL && n->semaphore_offset) {
		/* Another tracer's probe on this site made the other choice. */
		ref_ctr = !ref_ctr;
		link = uprobe(prog, pid, path, n, id, ref_ctr);
		if (link && pid < 0)
			warn_msg("another tracer probes %s:%s of %s with the kernel's semaphore "
				 "counter; sharing it, so every process running that file has this "
				 "marker's semaphore raised while the trace runs", n->provider, n->name,
				 path);
	}
	if (!link)
		return err_set(err, errlen, "cannot attach to the %s:%s marker of %s: %s (%s)",
			       n->provider, n->name, path, strerror(errno), bpf_last_libbpf_message());
	if (!ref_ctr)
		sema_set_add(own, n->semaphore_offset);
	sites->next++;
	links_add(l, link);
	return 0;
}

int bpf_attach_markers(struct bpf_links *l, struct bpf_program *prog, struct bpf_sites *sites,
		       const struct sdt_file *sdt, const char *path, pid_t pid,
		       unsigned markers, struct sema_set *own, char *err, size_t errlen)
{
	for (int kind = 0; kind < EV__COUNT; kind++) {
		const char *name = marker_note_name(kind);

		if (!name || !(markers & MARK(kind)))
			continue;
		if (!sdt_find(sdt, PY_PROVIDER, name))
			return err_set(err, errlen, "%s has no %s:%s marker", path, PY_PROVIDER, name);
	}
	for (size_t i = 0; i < sdt->nnotes; i++) {
		const struct sdt_note *n = &sdt->notes[i];
		int kind;

		if (strcmp(n->provider, PY_PROVIDER) != 0 || (kind = kind_of_note(n->name)) < 0 ||
		    !(markers & MARK(kind)))
			continue;
		/* Probed for every process mapping the file, a site without a
		 * semaphore would fire in all of them. */
		if (pid < 0 && !n->semaphore_offset)
			return err_set(err, errlen, "%s: the %s:%s marker has no semaphore, so probing "
				       "it would stop every process running this file; not traced",
				       path, n->provider, n->name);
		if (attach_site(l, prog, sites, n, kind, path, pid, own, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* A function that starts with endbr64 (CET builds: Debian's CPython 3.15)
 * is probed on the instruction after it: the kernel single-steps endbr64
 * out of line, which measured ~55 µs per hit here against ~3 µs for an
 * emulated instruction.  Every call still passes there, arguments intact. */
static uint64_t past_endbr64(const char *path, uint64_t offset)
{
	static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	unsigned char insn[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool skip;

	if (fd < 0)
		return offset;
	skip = pread(fd, insn, sizeof(insn), (off_t)offset) == (ssize_t)sizeof(insn) &&
	       memcmp(insn, endbr64, sizeof(insn)) == 0;
	close(fd);
	return skip ? offset + sizeof(insn) : offset;
}

int bpf_attach_uprobe_at(struct bpf_links *l, struct bpf_program *prog, const char *path,
			 uint64_t offset, pid_t pid, const char *what, char *err, size_t errlen)
{
	struct bpf_link *link;

	offset = past_endbr64(path, offset);

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

uint64_t bpf_percpu_sum(const struct bpf_map *map, uint32_t slot)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0, *per_cpu;

	if (ncpu <= 0)
		return 0;
	per_cpu = xcalloc((size_t)ncpu, sizeof(*per_cpu));
	if (bpf_map__lookup_elem(map, &slot, sizeof(slot), per_cpu, sizeof(*per_cpu) * (size_t)ncpu,
				 0) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += per_cpu[i];
	free(per_cpu);
	return sum;
}
