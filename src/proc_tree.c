/* The -c command's processes from /proc (see proc_tree.h). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "proc_stat.h"
#include "proc_tree.h"
#include "xmalloc.h"

/* One process of a look at /proc. */
struct snap {
	pid_t pid, ppid, pgrp;
	unsigned long long start;
	int mark;   /* classify()'s memo */
};

enum { UNSEEN, VISITING, IN, OUT };

struct look {
	struct snap *v;
	size_t n, cap;
	pid_t self, parent;
	pid_t ancestors[64];   /* pytrace's parent, its parent, ... */
	size_t nanc;
};

static bool read_stat(pid_t pid, struct snap *s)
{
	char buf[1024], state;
	const char *f = proc_stat_fields(pid, buf, sizeof(buf));

	if (!f)
		return false;
	s->pid = pid;
	s->mark = UNSEEN;
	return sscanf(f, "%c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
		      "%*d %*d %*d %llu", &state, &s->ppid, &s->pgrp, &s->start) == 4 &&
	       state != 'Z';   /* a zombie runs nothing and takes no signal */
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct snap *)a)->pid, y = ((const struct snap *)b)->pid;

	return (x > y) - (x < y);
}

static struct snap *find(struct look *l, pid_t pid)
{
	struct snap key = { .pid = pid };

	return bsearch(&key, l->v, l->n, sizeof(*l->v), by_pid);
}

static void take_look(struct look *l)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	memset(l, 0, sizeof(*l));
	l->self = getpid();
	l->parent = getppid();
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct snap s;

		if (*end || pid <= 0 || !read_stat((pid_t)pid, &s))
			continue;
		l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = s;
	}
	closedir(d);
	qsort(l->v, l->n, sizeof(*l->v), by_pid);
	for (pid_t p = l->parent; p > 0 && l->nanc < 64; ) {
		struct snap *s = find(l, p);

		l->ancestors[l->nanc++] = p;
		if (!s || s->ppid == p)
			break;
		p = s->ppid;
	}
}

static bool is_ancestor(const struct look *l, pid_t pid)
{
	for (size_t i = 0; i < l->nanc; i++)
		if (l->ancestors[i] == pid)
			return true;
	return pid <= 1;
}

static bool was_known(const struct proc_tree *t, const struct snap *s)
{
	for (size_t i = 0; i < t->nknown; i++)
		if (t->known[i].pid == s->pid && t->known[i].start == s->start)
			return true;
	return false;
}

static int classify(struct look *l, struct snap *s, const struct proc_tree *t, int depth)
{
	struct snap *parent;
	int r;

	if (s->mark == IN || s->mark == OUT)
		return s->mark;
	if (s->mark == VISITING || depth > 256)
		return OUT;
	s->mark = VISITING;
	if (s->pid == t->main)
		r = IN;
	else if (s->pid == l->self || is_ancestor(l, s->pid))
		r = OUT;
	else if (was_known(t, s))
		r = IN;
	else if (s->ppid == l->self || s->ppid == l->parent)
		r = OUT;   /* pytrace's helpers (stap), and its parent's: `| cat` */
	else if (is_ancestor(l, s->ppid) || !(parent = find(l, s->ppid)))
		/* orphaned: reparented to init or a subreaper */
		r = s->pgrp == t->pgid && s->start >= t->start ? IN : OUT;
	else
		r = classify(l, parent, t, depth + 1);
	s->mark = r;
	return r;
}

void proc_tree_init(struct proc_tree *t, pid_t main)
{
	struct snap s;

	memset(t, 0, sizeof(*t));
	t->main = main;
	t->pgid = getpgrp();
	if (read_stat(main, &s))
		t->start = s.start;
}

void proc_tree_free(struct proc_tree *t)
{
	free(t->known);
	memset(t, 0, sizeof(*t));
}

void proc_tree_look(struct proc_tree *t, uint64_t now, bool force)
{
	struct proc_tree_entry *known = NULL;
	size_t n = 0, cap = 0;
	struct look l;

	if (!force && t->looked_ns && now - t->looked_ns < PROC_TREE_SCAN_NS)
		return;
	t->looked_ns = now ? now : 1;
	take_look(&l);
	for (size_t i = 0; i < l.n; i++) {
		struct snap *s = &l.v[i];

		if (s->pid == t->main || classify(&l, s, t, 0) != IN)
			continue;
		known = xgrow(known, &cap, n + 1, sizeof(*known));
		known[n++] = (struct proc_tree_entry){ .pid = s->pid, .pgrp = s->pgrp,
						       .start = s->start };
	}
	free(l.v);
	free(t->known);
	t->known = known;
	t->nknown = n;
	t->capknown = cap;
}

int proc_tree_others(void *ctx, bool group_only, int sig, char *some, size_t len)
{
	struct proc_tree *t = ctx;
	size_t used = 0;
	int n = 0;

	proc_tree_look(t, now_ns(), true);
	for (size_t i = 0; i < t->nknown; i++) {
		const struct proc_tree_entry *e = &t->known[i];

		if (group_only && e->pgrp != t->pgid)
			continue;
		if (sig)
			kill(e->pid, sig);
		if (some && n < 5 && used < len)
			used += (size_t)snprintf(some + used, len - used, "%s%d", n ? ", " : "",
						 (int)e->pid);
		n++;
	}
	return n;
}
