/* Attaching the bpf engine's programs to one interpreter file: a USDT probe
 * per CPython marker the plan names, and the CPython 3.11 entry fix. */
#ifndef PYTRACE_BPF_ATTACH_H
#define PYTRACE_BPF_ATTACH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sdt.h"

struct bpf_program;
struct bpf_link;

/* Every attachment made so far; destroying them detaches (the kernel removes
 * the uprobes and lowers the semaphores they raised). */
struct bpf_links {
	struct bpf_link **v;
	size_t n, cap;
};

/* Attach prog to each marker in `markers` (MARK() bits) that sdt carries,
 * with the event kind as USDT cookie.  path is the file as this process can
 * open it; pid -1 probes every process that maps the file.  Returns 0, or -1
 * with err naming the marker and the file. */
int bpf_attach_markers(struct bpf_links *l, struct bpf_program *prog,
		       const struct sdt_file *sdt, const char *path, pid_t pid,
		       unsigned markers, char *err, size_t errlen);

/* CPython 3.11: make function__entry fire for every frame by raising the
 * `line` marker's semaphore without probing the line site itself: a no-op
 * uprobe on Py_FinalizeEx (runs once, at exit) whose reference counter is
 * that semaphore.  Returns 0, or -1 with err filled. */
int bpf_attach_entry_fix(struct bpf_links *l, struct bpf_program *noop,
			 const struct sdt_file *sdt, const char *path, pid_t pid,
			 char *err, size_t errlen);

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
