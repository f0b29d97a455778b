/* Engine prerequisites, checked from files the kernel exports; nothing is
 * loaded or attached here, so the checks are cheap and side-effect free.
 *
 * stap (kernel-module runtime): the stap binary, a kernel that can load
 * modules (CONFIG_MODULES: /proc/modules exists; modules_disabled = 0), a
 * kernel build tree to compile the module against, root (or the stapdev
 * group), and uprobes.
 *
 * bpf: CAP_SYS_ADMIN in the effective set (measured with setpriv on Linux
 * 6.18: CAP_BPF + CAP_PERFMON load the programs, but creating the uprobe
 * perf events is refused, EACCES, without CAP_SYS_ADMIN; CAP_SYS_ADMIN
 * alone is enough), CAP_SYS_PTRACE for -p on another user's process (its
 * /proc entries and memory); uprobes through the perf "uprobe" PMU with
 * ref_ctr_offset (Linux 4.20+), a libbpf with USDT support (0.8+), and BTF
 * (/sys/kernel/btf/vmlinux: the fork/exit/exec programs are tp_btf).
 * tracefs is only needed when the PMU is missing (libbpf's legacy attach).
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <grp.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "probe_checks.h"
#include "xmalloc.h"

#define CAP_SYS_PTRACE_BIT 19
#define CAP_SYS_ADMIN_BIT 21

#define UPROBE_PMU "/sys/bus/event_source/devices/uprobe/type"
#define UPROBE_REFCTR "/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset"

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static bool read_int_file(const char *p, long *v)
{
	FILE *f = fopen(p, "r");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%ld", v) == 1;
	fclose(f);
	return ok;
}

static char *find_on_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL, *found = NULL;

	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", d, name);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

/* 1 = CONFIG_name=y, 0 = not set, -1 = /proc/config.gz not readable. */
static int kconfig(const char *name)
{
	gzFile gz = gzopen("/proc/config.gz", "rb");
	char line[512], want[128];
	size_t wl;
	int found = 0;

	if (!gz)
		return -1;
	snprintf(want, sizeof(want), "CONFIG_%s=", name);
	wl = strlen(want);
	while (gzgets(gz, line, sizeof(line))) {
		if (strncmp(line, want, wl) == 0) {
			found = line[wl] == 'y' || line[wl] == 'm';
			break;
		}
	}
	gzclose(gz);
	return found;
}

static unsigned long long cap_effective(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long caps = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

static bool has_cap(unsigned long long caps, int bit)
{
	return (caps >> bit) & 1ULL;
}

static bool in_group(const char *name)
{
	struct group *g = getgrnam(name);
	gid_t groups[256];
	int n;

	if (!g)
		return false;
	if (getegid() == g->gr_gid)
		return true;
	n = getgroups(256, groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == g->gr_gid)
			return true;
	return false;
}

static struct probe_check *add(struct probe_check *out, size_t max, size_t *n, const char *name,
			       bool required)
{
	static struct probe_check sink;
	struct probe_check *c = *n < max ? &out[(*n)++] : &sink;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->required = required;
	return c;
}

static void check_uprobes(struct probe_check *c)
{
	int cfg;

	if (exists(UPROBE_PMU)) {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "uprobe perf PMU present (%s)", UPROBE_PMU);
		return;
	}
	cfg = kconfig("UPROBES");
	if (cfg == 1) {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "CONFIG_UPROBES=y in /proc/config.gz");
	} else if (cfg == 0) {
		snprintf(c->detail, sizeof(c->detail), "kernel lacks uprobes (CONFIG_UPROBES is not "
			 "set); boot a kernel built with CONFIG_UPROBES=y");
	} else {
		snprintf(c->detail, sizeof(c->detail), "kernel lacks uprobes (no %s and no "
			 "/proc/config.gz to tell); boot a kernel built with CONFIG_UPROBES=y",
			 UPROBE_PMU);
	}
}

/* Where tracefs is mounted, from /proc/self/mounts: anyone can read that,
 * while tracefs itself is root-only (mode 0700) on most systems, so a
 * failed stat of uprobe_events alone cannot tell "not mounted" from "not
 * yours to read". */
static bool tracefs_mounted_at(char *dir, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	bool found = false;

	if (!f)
		return false;
	while (!found && (m = getmntent(f)))
		if (strcmp(m->mnt_type, "tracefs") == 0) {
			snprintf(dir, len, "%s", m->mnt_dir);
			found = true;
		}
	endmntent(f);
	return found;
}

static void check_tracefs(struct probe_check *c)
{
	static const char *const known[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char dir[128], events[160];
	struct stat st;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		snprintf(events, sizeof(events), "%s/uprobe_events", known[i]);
		if (exists(events)) {
			c->ok = true;
			snprintf(c->detail, sizeof(c->detail), "tracefs mounted at %s", known[i]);
			return;
		}
	}
	if (!tracefs_mounted_at(dir, sizeof(dir))) {
		snprintf(c->detail, sizeof(c->detail), "tracefs/debugfs not mounted; mount it with "
			 "`mount -t tracefs nodev /sys/kernel/tracing` (or `mount -t debugfs nodev "
			 "/sys/kernel/debug`)");
		return;
	}
	snprintf(events, sizeof(events), "%s/uprobe_events", dir);
	if (stat(events, &st) == 0) {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "tracefs mounted at %s", dir);
	} else if (errno == EACCES) {
		snprintf(c->detail, sizeof(c->detail), "tracefs is mounted at %s but this user "
			 "cannot read it (root only); run pytrace with sudo", dir);
	} else {
		snprintf(c->detail, sizeof(c->detail), "tracefs is mounted at %s but has no "
			 "uprobe_events (kernel built without CONFIG_UPROBE_EVENTS)", dir);
	}
}

static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Was the running kernel installed from a Debian/Ubuntu package? Only then
 * does a linux-headers-RELEASE package exist to suggest; a custom-built
 * kernel (or a container's host kernel) has none. */
static bool kernel_from_package(const char *release)
{
	static const char *const forms[] = { "linux-image-%s", "linux-image-%s-unsigned",
					     "linux-image-unsigned-%s" };
	char list[300], name[200];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(name, sizeof(name), forms[i], release);
		snprintf(list, sizeof(list), "/var/lib/dpkg/info/%s.list", name);
		if (exists(list))
			return true;
	}
	return false;
}

/* STAP_TASK_WORK_WHAT: the kernel headers name task_work_cancel_func()
 * while stap's runtime still looks up plain task_work_cancel. */
static void check_task_work(struct probe_check *c, const char *release, const char *stap)
{
	char hdr[2][160], *rt, *real = stap ? realpath(stap, NULL) : NULL;
	const char *env = getenv("SYSTEMTAP_RUNTIME");
	bool kernel_new = false, stap_old;

	snprintf(hdr[0], sizeof(hdr[0]), "/lib/modules/%s/build/include/linux/task_work.h", release);
	snprintf(hdr[1], sizeof(hdr[1]), "/lib/modules/%s/source/include/linux/task_work.h", release);
	for (int i = 0; i < 2; i++)
		kernel_new = kernel_new || file_has(hdr[i], "task_work_cancel_func");
	if (env && *env) {
		rt = xasprintf("%s/stp_task_work.c", env);
	} else {
		/* PREFIX/bin/stap -> PREFIX/share/systemtap/runtime */
		char *slash = real ? strrchr(real, '/') : NULL;
		if (slash)
			*slash = '\0';
		slash = real ? strrchr(real, '/') : NULL;
		if (slash)
			*slash = '\0';
		rt = xasprintf("%s/share/systemtap/runtime/stp_task_work.c", slash ? real : "/usr");
	}
	stap_old = file_has(rt, "kallsyms_lookup_name(\"task_work_cancel\")");
	c->ok = !(kernel_new && stap_old);
	if (c->ok)
		snprintf(c->detail, sizeof(c->detail), "%s", kernel_new ? "stap's runtime knows "
			 "task_work_cancel_func()" : "no task_work_cancel_func() change in this kernel's headers");
	else
		snprintf(c->detail, sizeof(c->detail), "%s (%s): %s", STAP_TASK_WORK_WHAT, rt,
			 STAP_TASK_WORK_FIX);
	free(rt);
	free(real);
}

size_t stap_checks(struct probe_check *out, size_t max)
{
	size_t n = 0;
	struct probe_check *c;
	struct utsname u;
	char *stap = find_on_path("stap");
	long disabled = 0;

	c = add(out, max, &n, "stap on PATH", true);
	c->ok = stap != NULL;
	if (stap)
		snprintf(c->detail, sizeof(c->detail), "%s", stap);
	else
		snprintf(c->detail, sizeof(c->detail), "stap missing (not on PATH); install it "
			 "with `apt-get install systemtap`");
	c->suggest_bpf = true;

	c = add(out, max, &n, "kernel modules", true);
	if (!exists("/proc/modules")) {
		snprintf(c->detail, sizeof(c->detail), "kernel without module support (no "
			 "/proc/modules, CONFIG_MODULES off): stap cannot load its module");
		c->suggest_bpf = true;
	} else if (read_int_file("/proc/sys/kernel/modules_disabled", &disabled) && disabled) {
		snprintf(c->detail, sizeof(c->detail), "module loading disabled "
			 "(/proc/sys/kernel/modules_disabled = 1, until reboot)");
		c->suggest_bpf = true;
	} else {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "module loading enabled");
	}

	c = add(out, max, &n, "kernel build tree", true);
	if (uname(&u) < 0)
		strcpy(u.release, "?");
	{
		char build[sizeof(u.release) + 32];
		snprintf(build, sizeof(build), "/lib/modules/%s/build", u.release);
		c->ok = exists(build);
		if (c->ok)
			snprintf(c->detail, sizeof(c->detail), "%s", build);
		else if (kernel_from_package(u.release))
			snprintf(c->detail, sizeof(c->detail), "no kernel build tree (%s); install "
				 "linux-headers-%s", build, u.release);
		else
			snprintf(c->detail, sizeof(c->detail), "no kernel build tree (%s); this kernel "
				 "was not installed from a package (no linux-image-%s here), so no "
				 "linux-headers package matches it: link that path to the tree it was "
				 "built from (run `make modules_prepare` there)", build, u.release);
	}

	c = add(out, max, &n, "stap vs kernel", true);
	check_task_work(c, u.release, stap);
	free(stap);

	c = add(out, max, &n, "privileges", true);
	if (geteuid() == 0) {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "running as root");
	} else if (in_group("stapdev")) {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "member of the stapdev group");
	} else {
		snprintf(c->detail, sizeof(c->detail), "not root (and not in the stapdev group); "
			 "run pytrace with sudo");
	}

	c = add(out, max, &n, "uprobes", true);
	check_uprobes(c);
	return n;
}

size_t bpf_checks(struct probe_check *out, size_t max)
{
	size_t n = 0;
	struct probe_check *c;
	unsigned long long caps = cap_effective();
	bool pmu = exists(UPROBE_PMU);

	c = add(out, max, &n, "privileges", true);
	if (has_cap(caps, CAP_SYS_ADMIN_BIT)) {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "%s, CAP_SYS_ADMIN effective%s",
			 geteuid() == 0 ? "root" : "not root",
			 has_cap(caps, CAP_SYS_PTRACE_BIT) ? "" : " (without CAP_SYS_PTRACE: -p only "
			 "on your own processes)");
	} else if (geteuid() == 0) {
		snprintf(c->detail, sizeof(c->detail), "root, but without CAP_SYS_ADMIN (CapEff %llx: "
			 "a container or a restricted service); uprobes need it, CAP_BPF+CAP_PERFMON "
			 "are not enough: give it (docker run --cap-add SYS_ADMIN --cap-add SYS_PTRACE)",
			 caps);
	} else {
		snprintf(c->detail, sizeof(c->detail), "not root and no CAP_SYS_ADMIN (CapEff %llx); "
			 "uprobes need it (CAP_BPF+CAP_PERFMON are not enough): run pytrace with sudo",
			 caps);
	}

	c = add(out, max, &n, "uprobes", true);
	check_uprobes(c);

	c = add(out, max, &n, "USDT semaphores", true);
	c->ok = exists(UPROBE_REFCTR);
	if (c->ok)
		snprintf(c->detail, sizeof(c->detail), "the kernel raises them (uprobe ref_ctr_offset)");
	else
		snprintf(c->detail, sizeof(c->detail), "kernel cannot raise USDT semaphores (no %s, "
			 "needs Linux 4.20+); CPython's markers stay off without them", UPROBE_REFCTR);

	/* tracefs: libbpf needs it only for its legacy attach (no uprobe PMU) */
	c = add(out, max, &n, "tracefs", !pmu);
	check_tracefs(c);

	c = add(out, max, &n, "libbpf", true);
	{
		unsigned maj = libbpf_major_version(), min = libbpf_minor_version();
		c->ok = maj > 0 || min >= 8;
		snprintf(c->detail, sizeof(c->detail), "libbpf %u.%u%s", maj, min,
			 c->ok ? "" : " has no USDT support (needs 0.8+); upgrade libbpf");
	}

	c = add(out, max, &n, "BTF", true);
	c->ok = exists("/sys/kernel/btf/vmlinux");
	snprintf(c->detail, sizeof(c->detail), "%s", c->ok ? "/sys/kernel/btf/vmlinux present" :
		 "no /sys/kernel/btf/vmlinux: pytrace's fork/exit/exec programs (tp_btf) need "
		 "a kernel built with CONFIG_DEBUG_INFO_BTF");
	return n;
}

/* The first blocking check's reason (the callers add their own hint;
 * `pytrace doctor` lists every check). */
static bool summarize(const struct probe_check *c, size_t n, char *why, size_t len)
{
	if (why && len)
		why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (c[i].ok || !c[i].required)
			continue;
		if (why && len)
			snprintf(why, len, "%s", c[i].detail);
		return false;
	}
	return true;
}

bool stap_can_run(char *why, size_t n)
{
	struct probe_check c[PROBE_CHECKS_MAX];
	size_t count = stap_checks(c, PROBE_CHECKS_MAX);   /* fills c first */
	return summarize(c, count, why, n);
}

bool bpf_can_run(char *why, size_t n)
{
	struct probe_check c[PROBE_CHECKS_MAX];
	size_t count = bpf_checks(c, PROBE_CHECKS_MAX);   /* fills c first */
	return summarize(c, count, why, n);
}
