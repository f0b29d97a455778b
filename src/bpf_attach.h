/* Attaching the bpf engine's programs to one interpreter file: a uprobe per
 * site of each CPython marker the plan names. */
#ifndef PYTRACE_BPF_ATTACH_H
#define PYTRACE_BPF_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sdt.h"
#include "sema.h"

struct bpf_program;
struct bpf_map;
struct bpf_link;

/* Every attachment made so far; destroying them detaches (the kernel removes
 * the uprobes and lowers the semaphores they raised). */
struct bpf_links {
	struct bpf_link **v;
	size_t n, cap;
};

/* The BPF `sites` map and the next free index in it. */
struct bpf_sites {
	int map_fd;
	unsigned next;
	bool paired;      /* the sites attached next pair every entry with a return
			   * (struct bpf_site's paired) */
};

/* Attach prog to every site of each marker in `markers` (MARK() bits) that
 * sdt carries, the site's arguments stored in sites.  path is the file as
 * this process can open it; pid -1 probes every process that maps the file
 * (then every site must have a semaphore).  The semaphores the kernel does
 * not raise (probes without a counter; see bpf_attach.c) are added to own,
 * for sema.c to raise in the traced processes.  Returns 0, or -1 with err
 * naming the marker and the file. */
int bpf_attach_markers(struct bpf_links *l, struct bpf_program *prog, struct bpf_sites *sites,
		       const struct sdt_file *sdt, const char *path, pid_t pid,
		       unsigned markers, struct sema_set *own, char *err, size_t errlen);

/* Slot `slot` of a per-CPU array of u64 counters, summed over the CPUs
 * (0 when it cannot be read). */
uint64_t bpf_percpu_sum(const struct bpf_map *map, uint32_t slot);

/* A plain uprobe on prog at a file offset (what: its name for errors). */
int bpf_attach_uprobe_at(struct bpf_links *l, struct bpf_program *prog, const char *path,
			 uint64_t offset, pid_t pid, const char *what, char *err, size_t errlen);

/* Detach everything. */
void bpf_links_destroy(struct bpf_links *l);

/* libbpf reports details through a print callback; keep its last warning
 * so an error can include it instead of libbpf printing on its own. */
void bpf_capture_libbpf_messages(void);
const char *bpf_last_libbpf_message(void);

#endif
