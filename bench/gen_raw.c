/* Generate a realistic raw trace for the replay benchmark:
 *   gen_raw EVENTS [SEED] > trace.raw
 * ~50 files (project, site-packages, stdlib), ~2000 functions, each with a
 * fixed set of 1-6 callees (a static call graph, so call paths repeat as in
 * real programs), 3 threads interleaved in bursts, nesting as a random walk
 * up to depth 64, occasional line and gc events. Deterministic for a seed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NFILES 50
#define NFUNCS 2000
#define NTHREADS 3
#define MAXDEPTH 64

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct fn {
	char name[40];
	int file, line;
	int ncallees, callees[6];
};

int main(int argc, char **argv)
{
	long long want = argc > 1 ? atoll(argv[1]) : 5000000;
	if (argc > 2)
		rng ^= (uint64_t)atoll(argv[2]) * 0x9e3779b97f4a7c15ULL;
	static char files[NFILES][128];
	static struct fn fns[NFUNCS];
	static const char *verbs[] = { "get", "set", "load", "parse", "handle", "compute", "render",
				       "validate", "_check", "__init__", "update", "emit" };
	static const char *nouns[] = { "user", "item", "config", "request", "token", "node",
				       "buffer", "row", "event", "cache", "path", "value" };
	for (int i = 0; i < NFILES; i++) {
		if (i < 25)
			snprintf(files[i], sizeof(files[i]), "/home/dev/projects/shop/app/module_%02d.py", i);
		else if (i < 40)
			snprintf(files[i], sizeof(files[i]), "/home/dev/.venv/lib/python3.11/site-packages/lib%02d/core.py", i);
		else
			snprintf(files[i], sizeof(files[i]), "/usr/lib/python3.11/pkg%02d/__init__.py", i);
	}
	for (int i = 0; i < NFUNCS; i++) {
		snprintf(fns[i].name, sizeof(fns[i].name), "%s_%s_%d", verbs[next() % 12],
			 nouns[next() % 12], i);
		fns[i].file = (int)(next() % NFILES);
		fns[i].line = (int)(next() % 2000) + 1;
		fns[i].ncallees = 1 + (int)(next() % 6);
		for (int k = 0; k < fns[i].ncallees; k++)
			fns[i].callees[k] = (int)(next() % NFUNCS);
	}
	int stack[NTHREADS][MAXDEPTH], depth[NTHREADS] = { 0 };
	uint64_t ts = 1700000000000000000ULL;
	int pid = 4242;
	printf("pytrace-raw 1\n");
	printf("comm %llu %d %d 0 \"python3.11\" \"\"\n", (unsigned long long)ts, pid, pid);
	long long n = 0;
	int t = 0;
	while (n < want) {
		if (next() % 64 == 0)
			t = (int)(next() % NTHREADS);
		int tid = pid + t;
		ts += 50 + next() % 400;
		int d = depth[t];
		int go_down = d == 0 || (d < MAXDEPTH - 1 && (next() % 100) < (d < 8 ? 60 : 45));
		if (next() % 50 == 0) {
			if (d > 0) {
				const struct fn *f = &fns[stack[t][d - 1]];
				printf("line %llu %d %d %d \"%s\" \"%s\"\n", (unsigned long long)ts, pid, tid,
				       f->line + 1, f->name, files[f->file]);
			} else {
				printf("gc-start %llu %d %d 0 \"\" \"\"\n", (unsigned long long)ts, pid, tid);
			}
		} else if (go_down) {
			int k = d == 0 ? (int)(next() % 20)
				: fns[stack[t][d - 1]].callees[next() % fns[stack[t][d - 1]].ncallees];
			const struct fn *f = &fns[k];
			stack[t][depth[t]++] = k;
			printf("call %llu %d %d %d \"%s\" \"%s\"\n", (unsigned long long)ts, pid, tid,
			       f->line, f->name, files[f->file]);
		} else {
			const struct fn *f = &fns[stack[t][--depth[t]]];
			printf("return %llu %d %d %d \"%s\" \"%s\"\n", (unsigned long long)ts, pid, tid,
			       f->line + 3, f->name, files[f->file]);
		}
		n++;
	}
	return 0;
}
