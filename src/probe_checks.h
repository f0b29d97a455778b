/* Can an engine run on this machine, and if not, exactly why.  Used by
 * `pytrace doctor` (every check, with details) and by the engines'
 * engine_ops.available() (a yes/no with the first reason). */
#ifndef PYTRACE_PROBE_CHECKS_H
#define PYTRACE_PROBE_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

struct probe_check {
	const char *name;          /* "stap on PATH", "uprobes", ... (static) */
	bool ok;
	bool required;             /* false: informational, does not block the engine */
	char detail[512];          /* what was found, or why not and the way out */
	bool suggest_bpf;          /* a failed stap check bpf gets around: doctor says
				    * "use --engine bpf"; the engines' one-line reason does not */
};

#define PROBE_CHECKS_MAX 12

/* SystemTap 4.8 vs kernels with Linux 6.11's task_work_cancel() change
 * (backported to 6.1.y: Debian 12's 6.1.192 and later): every module fails
 * to compile ("kallsyms_task_work_cancel ... incompatible pointer type").
 * What it is and the way out, for the engine's error and doctor. */
#define STAP_TASK_WORK_WHAT "systemtap 4.8's runtime predates the task_work_cancel() change " \
	"this kernel has (Linux 6.11, backported to 6.1.192)"
#define STAP_TASK_WORK_FIX "install systemtap 5.2 or later, or apply the two-line runtime fix " \
	"in pytrace's README (\"SystemTap 4.8 and kernel 6.1.192\"), or use --engine bpf"

/* Fill out[] with every check for the engine; returns how many. */
size_t stap_checks(struct probe_check *out, size_t max);
size_t bpf_checks(struct probe_check *out, size_t max);

/* true when every required check passes; else false with the failing
 * checks' details joined by "; " in why. */
bool stap_can_run(char *why, size_t n);
bool bpf_can_run(char *why, size_t n);

#endif
