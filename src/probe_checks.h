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
	char detail[320];          /* what was found, or why not and the way out */
	bool suggest_bpf;          /* a failed stap check bpf gets around: doctor says
				    * "use --engine bpf"; the engines' one-line reason does not */
};

#define PROBE_CHECKS_MAX 12

/* Fill out[] with every check for the engine; returns how many. */
size_t stap_checks(struct probe_check *out, size_t max);
size_t bpf_checks(struct probe_check *out, size_t max);

/* true when every required check passes; else false with the failing
 * checks' details joined by "; " in why. */
bool stap_can_run(char *why, size_t n);
bool bpf_can_run(char *why, size_t n);

#endif
