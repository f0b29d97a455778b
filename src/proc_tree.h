/* The -c command's processes as /proc shows them, for an engine with no
 * kernel view of the command's tree (stap; the bpf engine keeps the tree
 * from fork/exit tracepoints).
 *
 * A process is the command's when its parent chain reaches the command's
 * main process, or when it was orphaned (its parent is init, or a
 * subreaper above pytrace) while in the command's process group, having
 * started after the command.  pytrace's own helpers (its other children)
 * and the processes its parent started (a pipeline's `| cat`) are not.
 * Processes found are remembered between looks, so one that left the
 * group (setsid) is still known after its parent is gone; one that left
 * and lost its parent between two looks is not seen. */
#ifndef PYTRACE_PROC_TREE_H
#define PYTRACE_PROC_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_TREE_SCAN_NS 1000000000ull   /* a look at /proc at most this often */

struct proc_tree_entry {
	pid_t pid, pgrp;
	unsigned long long start;   /* start time, clock ticks after boot */
};

struct proc_tree {
	pid_t main;                       /* the command's main process */
	pid_t pgid;                       /* the process group it started in */
	unsigned long long start;         /* its start time */
	struct proc_tree_entry *known;    /* the command's processes at the last look */
	size_t nknown, capknown;
	uint64_t looked_ns;               /* when (0: never) */
};

/* For the command whose main process is main (just forked: alive). */
void proc_tree_init(struct proc_tree *t, pid_t main);
void proc_tree_free(struct proc_tree *t);

/* Look at /proc again when PROC_TREE_SCAN_NS have passed since the last
 * look, or always with force. */
void proc_tree_look(struct proc_tree *t, uint64_t now, bool force);

/* supervise_others_fn (supervise.h) over t, after a fresh look: the
 * command's processes other than main. */
int proc_tree_others(void *t, bool group_only, int sig, char *some, size_t len);

#endif
