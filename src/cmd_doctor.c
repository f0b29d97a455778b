/* `pytrace doctor`: which engines can run here, exactly why not, and which
 * one --engine auto picks (stap where it can run, else bpf). */
#include <stdio.h>
#include <sys/utsname.h>

#include "commands.h"
#include "engine.h"
#include "exitcodes.h"
#include "log.h"
#include "probe_checks.h"

static bool print_engine(const char *name, const struct probe_check *c, size_t n)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		if (!c[i].ok && c[i].required)
			ok = false;
	printf("engine %s: %s\n", name, ok ? "can run" : "cannot run");
	for (size_t i = 0; i < n; i++) {
		const char *mark = c[i].ok ? "ok  " : c[i].required ? "FAIL" : "note";
		printf("  %s  %-18s %s%s\n", mark, c[i].name, c[i].detail,
		       !c[i].ok && c[i].suggest_bpf ? "; use --engine bpf" : "");
	}
	return ok;
}

int cmd_doctor(const struct options *o)
{
	struct probe_check checks[PROBE_CHECKS_MAX];
	const struct engine_ops *pick = NULL;
	struct utsname u;

	(void)o;
	if (uname(&u) == 0)
		printf("kernel %s %s\n\n", u.release, u.machine);
	/* Every engine in --engine auto's order: the first that can run is
	 * auto's pick. */
	for (size_t i = 0; engines[i]; i++) {
		size_t n = engines[i]->checks(checks, PROBE_CHECKS_MAX);

		if (print_engine(engines[i]->name, checks, n) && !pick)
			pick = engines[i];
		putchar('\n');
	}

	if (pick == engines[0]) {
		printf("--engine auto will use: %s (the reference engine can run here)\n", pick->name);
	} else if (pick) {
		char why[320];

		engines[0]->available(NULL, why, sizeof(why));   /* the first blocking reason */
		printf("--engine auto will use: %s (%s cannot run: %s)\n", pick->name,
		       engines[0]->name, why);
	} else {
		printf("--engine auto will use: none (no engine can run here)\n");
		/* The lines above first, also when stdout and stderr are one
		 * file or pipe (stdout is buffered there). */
		fflush(stdout);
		error_msg("no engine can run here; fix one of the FAIL lines above");
		return EXIT_NO_ENGINE;
	}
	return EXIT_OK;
}
