/* The stap engine's aggregate script (stapgen.h): -f summary and pytrace
 * top computed in the stap module, as the bpf engine computes them in its
 * maps (bpf_agg.bpf.h), with the same arithmetic:
 *  - per thread a stack of the calls open, in arrays keyed [tid, depth]:
 *    function id, start, the time of callees that returned, and whether no
 *    activation of the same function is open below it (pytrace_open[tid,
 *    id] counts them): only such an outermost call adds to total;
 *  - per function id, stap aggregates: pytrace_dur (@count: calls, @sum,
 *    @max), pytrace_self and pytrace_total (@sum);
 *  - a function is (pid, name pointer, file pointer); its strings are read
 *    once, when the key is new, and printed as one raw-format call line
 *    whose TID field is the id (stap_agg_stream.h reads it);
 *  - deeper than AGG_STAP_DEPTH calls, and ids, threads or frames beyond
 *    the arrays' room, are counted (never a stap array-overflow error).
 * Every interval and at the end, the script prints the table (its lines in
 * stap_agg_stream.h), and pads it, as scripts/top.stp does, so that stap
 * 4.8's transport never leaves a 1-8 byte gap (stapgen.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "markers.h"
#include "stap_agg_stream.h"
#include "stapgen.h"

static void emit_globals(FILE *f, const struct trace_plan *plan)
{
	fprintf(f, "# pytrace %s: SystemTap script aggregating CPython's calls per function\n"
		   "# (-f summary, pytrace top).  Prints tables pytrace reads (stap_agg_stream.h).\n\n",
		PYTRACE_VERSION);
	fprintf(f, "global pytrace_ids[%d]       # [pid, name ptr, file ptr] -> function id\n"
		   "global pytrace_nid             # ids given\n"
		   "global pytrace_depth[%d]      # tid -> calls open\n"
		   "global pytrace_nthreads        # threads with calls open\n"
		   "global pytrace_fn[%d]       # [tid, depth] -> function id\n"
		   "global pytrace_start[%d]    # [tid, depth] -> entry time\n"
		   "global pytrace_child[%d]    # [tid, depth] -> returned callees' time\n"
		   "global pytrace_outer[%d]    # [tid, depth] -> outermost activation\n"
		   "global pytrace_open[%d]     # [tid, id] -> activations open\n"
		   "global pytrace_dur, pytrace_self, pytrace_total   # [id] <<< ns\n"
		   "global pytrace_events, pytrace_overflow, pytrace_full   # <<< 1\n",
		AGG_STAP_FNS, AGG_STAP_THREADS, AGG_STAP_FRAMES, AGG_STAP_FRAMES, AGG_STAP_FRAMES,
		AGG_STAP_FRAMES, AGG_STAP_FRAMES);
	stapgen_pad_global(f);
	fprintf(f, "\n");
	stapgen_filter_globals(f, plan);
	fprintf(f, "\n");
}

static void emit_entry(FILE *f, const char *point, const struct marker_kind *k)
{
	char line[16] = "0";

	if (k->num_arg)
		snprintf(line, sizeof(line), "$arg%u", k->num_arg);
	fprintf(f, "probe %s.mark(\"%s\") {\n"
		   "\tif (!pytrace_wanted())\n\t\tnext\n"
		   "\tt = tid()\n"
		   "\td = pytrace_depth[t]\n"
		   "\tif (d >= %d) {\n"
		   "\t\tpytrace_depth[t] = d + 1\n"
		   "\t\tpytrace_overflow <<< 1\n"
		   "\t\tnext\n"
		   "\t}\n"
		   "\tif (!d && pytrace_nthreads >= %d) {\n"
		   "\t\tpytrace_full <<< 1\n"
		   "\t\tnext\n"
		   "\t}\n"
		   "\tid = pytrace_ids[pid(), $arg%u, $arg%u]\n"
		   "\tif (!id && pytrace_nid >= %d) {\n"
		   "\t\tpytrace_full <<< 1   # its frame is kept, with no id\n"
		   "\t} else if (!id) {\n"
		   "\t\tid = ++pytrace_nid\n"
		   "\t\tpytrace_ids[pid(), $arg%u, $arg%u] = id\n"
		   "\t\ts = sprintf(\"call 0 %%d %%d %%d %%s %%s\\n\", pid(), id, %s,\n"
		   "\t\t\t    user_string_quoted($arg%u), user_string_quoted($arg%u))\n",
		point, k->note, AGG_STAP_DEPTH, AGG_STAP_THREADS, k->func_arg, k->file_arg,
		AGG_STAP_FNS, k->func_arg, k->file_arg, line, k->func_arg, k->file_arg);
	stapgen_print_padded(f, "\t\t");
	fprintf(f, "\t}\n"
		   "\tif (!d)\n"
		   "\t\tpytrace_nthreads++\n"
		   "\tpytrace_outer[t, d] = !pytrace_open[t, id]\n"
		   "\tpytrace_open[t, id]++\n"
		   "\tpytrace_fn[t, d] = id\n"
		   "\tpytrace_child[t, d] = 0\n"
		   "\tpytrace_start[t, d] = ktime_get_ns()\n"
		   "\tpytrace_depth[t] = d + 1\n"
		   "\tpytrace_events <<< 1\n"
		   "}\n\n");
}

static void emit_return(FILE *f, const char *point, const struct marker_kind *k)
{
	fprintf(f, "probe %s.mark(\"%s\") {\n"
		   "\tif (!pytrace_wanted())\n\t\tnext\n"
		   "\tnow = ktime_get_ns()\n"
		   "\tt = tid()\n"
		   "\td = pytrace_depth[t]\n"
		   "\tif (!d)\n"
		   "\t\tnext   # its call was not seen\n"
		   "\td--\n"
		   "\tif (d)\n"
		   "\t\tpytrace_depth[t] = d\n"
		   "\telse {\n"
		   "\t\tdelete pytrace_depth[t]\n"
		   "\t\tpytrace_nthreads--\n"
		   "\t}\n"
		   "\tif (d >= %d) {\n"
		   "\t\tpytrace_overflow <<< 1\n"
		   "\t\tnext\n"
		   "\t}\n"
		   "\tid = pytrace_fn[t, d]\n"
		   "\tdur = now - pytrace_start[t, d]\n"
		   "\tself = dur - pytrace_child[t, d]\n"
		   "\tif (self < 0)\n"
		   "\t\tself = 0\n"
		   "\tif (d)\n"
		   "\t\tpytrace_child[t, d - 1] += dur\n"
		   "\tif (!id)\n"
		   "\t\tpytrace_full <<< 1\n"
		   "\telse {\n"
		   "\t\tpytrace_dur[id] <<< dur\n"
		   "\t\tpytrace_self[id] <<< self\n"
		   "\t\tif (pytrace_outer[t, d])\n"
		   "\t\t\tpytrace_total[id] <<< dur\n"
		   "\t}\n"
		   "\tif (--pytrace_open[t, id] <= 0)\n"
		   "\t\tdelete pytrace_open[t, id]\n"
		   "\tdelete pytrace_fn[t, d]\n"
		   "\tdelete pytrace_start[t, d]\n"
		   "\tdelete pytrace_child[t, d]\n"
		   "\tdelete pytrace_outer[t, d]\n"
		   "\tpytrace_events <<< 1\n"
		   "}\n\n",
		point, k->note, AGG_STAP_DEPTH);
}

/* The table: every function with a completed call, then every open frame
 * (pytrace computes their time up to the table's moment). */
static void emit_table(FILE *f)
{
	char pad[STAPGEN_PAD_EXPR];

	fprintf(f, "function pytrace_table(final:long) {\n"
		   "\ts = sprintf(\"T %%d %%d %%d %%d %%d\\n\", ktime_get_ns(), @count(pytrace_events),\n"
		   "\t\t    @count(pytrace_overflow), @count(pytrace_full), final)\n"
		   "\tprintf(\"%%s\", s)\n"
		   "\tn = strlen(s)\n"
		   "\tforeach (id in pytrace_dur) {\n"
		   "\t\ts = sprintf(\"R %%d %%d %%d %%d %%d %%d\\n\", id, @count(pytrace_dur[id]),\n"
		   "\t\t\t    id in pytrace_total ? @sum(pytrace_total[id]) : 0,\n"
		   "\t\t\t    @sum(pytrace_self[id]), @sum(pytrace_dur[id]), @max(pytrace_dur[id]))\n"
		   "\t\tprintf(\"%%s\", s)\n"
		   "\t\tn += strlen(s)\n"
		   "\t}\n"
		   "\tforeach ([t, d] in pytrace_fn) {\n"
		   "\t\ts = sprintf(\"O %%d %%d %%d %%d %%d %%d\\n\", t, d, pytrace_fn[t, d],\n"
		   "\t\t\t    pytrace_start[t, d], pytrace_child[t, d], pytrace_outer[t, d])\n"
		   "\t\tprintf(\"%%s\", s)\n"
		   "\t\tn += strlen(s)\n"
		   "\t}\n"
		   "\tprintf(\"E%%s\\n\", substr(pytrace_pad, 0, %s))\n"
		   "}\n\n", stapgen_pad_expr(pad, sizeof(pad), "n", 2));
}

/* When the tables are printed. */
static void emit_timers(FILE *f, unsigned interval_ms)
{
	if (interval_ms)
		fprintf(f, "probe timer.ms(%u) {\n\tpytrace_table(0)\n}\n\n", interval_ms);
	fprintf(f, "probe end {\n\tpytrace_table(1)\n}\n\n");
}

char *stapgen_agg_script(const struct trace_plan *plan, const struct stapgen_opts *opts,
			 unsigned interval_ms, char *err, size_t errlen)
{
	char *point, *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!(plan->markers & MARK(EV_CALL)) || !(plan->markers & MARK(EV_RETURN)))
		return err_set(err, errlen, "aggregating needs the call and return markers"), NULL;
	if (!(point = stapgen_point(plan, opts, err, errlen)))
		return NULL;
	f = open_memstream(&text, &len);
	if (!f) {
		free(point);
		err_set(err, errlen, "cannot build the script: %s", strerror(errno));
		return NULL;
	}
	emit_globals(f, plan);
	stapgen_wanted_fn(f, plan);
	emit_entry(f, point, marker_kind(EV_CALL));
	emit_return(f, point, marker_kind(EV_RETURN));
	if (plan->entry_fix)
		stapgen_entry_fix(f, point);
	emit_table(f);
	rc = stapgen_begin(f, plan, AGG_STREAM_HEADER, err, errlen);
	emit_timers(f, interval_ms);
	if (plan->pid)
		fprintf(f, "probe process.end {\n\tif (pid() == target())\n\t\texit()\n}\n");
	stapgen_ready(f, plan);
	free(point);
	if (fclose(f) != 0 && rc == 0)
		rc = err_set(err, errlen, "cannot build the script: %s", strerror(errno));
	if (rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}
