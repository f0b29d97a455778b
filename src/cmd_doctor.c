/* `pytrace doctor`: which engines can run here, exactly why not, and which
 * one --engine auto picks (stap where it can run, else bpf). */
#include <stdio.h>
#include <sys/utsname.h>

#include "commands.h"
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
	struct probe_check stap[PROBE_CHECKS_MAX], bpf[PROBE_CHECKS_MAX];
	size_t ns = stap_checks(stap, PROBE_CHECKS_MAX);
	size_t nb = bpf_checks(bpf, PROBE_CHECKS_MAX);
	struct utsname u;
	bool stap_ok, bpf_ok;

	(void)o;
	if (uname(&u) == 0)
		printf("kernel %s %s\n\n", u.release, u.machine);
	stap_ok = print_engine("stap", stap, ns);
	putchar('\n');
	bpf_ok = print_engine("bpf", bpf, nb);
	putchar('\n');

	if (stap_ok) {
		printf("--engine auto will use: stap (the reference engine can run here)\n");
	} else if (bpf_ok) {
		char why[320];

		stap_can_run(why, sizeof(why));   /* the first blocking reason */
		printf("--engine auto will use: bpf (stap cannot run: %s)\n", why);
	} else {
		printf("--engine auto will use: none (no engine can run here)\n");
		error_msg("no engine can run here; fix one of the FAIL lines above");
		return EXIT_NO_ENGINE;
	}
	return EXIT_OK;
}
