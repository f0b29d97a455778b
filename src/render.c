/* Helpers every renderer may use (render.h). */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "xmalloc.h"

const struct render_ops *const render_formats[] = {
	&render_text, &render_json, &render_chrome, &render_folded, &render_summary, &render_raw,
	&render_speedscope, &render_svg, NULL,
};

const struct render_ops *render_format(const char *name)
{
	for (size_t i = 0; render_formats[i]; i++)
		if (strcmp(render_formats[i]->name, name) == 0)
			return render_formats[i];
	return NULL;
}

void *render_thread_slot(void **v, size_t *n, const struct render_thread *th, size_t size)
{
	if (th->index >= *n)
		*v = xgrow_zero(*v, n, (size_t)th->index + 1, size);
	return (char *)*v + (size_t)th->index * size;
}

void render_roster_meta(struct render_roster *ro, enum render_meta what,
			const struct render_proc *proc, const struct render_thread *th)
{
	if (what == META_PROCESS) {
		ro->procs = xgrow(ro->procs, &ro->procs_cap, ro->nprocs + 1, sizeof(*ro->procs));
		ro->proc_shown = xgrow_zero(ro->proc_shown, &ro->shown_cap, ro->nprocs + 1,
					    sizeof(*ro->proc_shown));
		ro->procs[ro->nprocs++] = proc;
		return;
	}
	ro->threads = xgrow(ro->threads, &ro->threads_cap, ro->nthreads + 1, sizeof(*ro->threads));
	ro->threads[ro->nthreads++] = th;
	/* procs are told in index order, so a proc's index is its place here */
	if (th->proc->index < ro->nprocs)
		ro->proc_shown[th->proc->index] = true;
}

struct render_proc render_roster_proc(const struct render_roster *ro, int32_t pid)
{
	for (size_t i = 0; i < ro->nprocs; i++)
		if (ro->procs[i]->pid == pid)
			return *ro->procs[i];
	return (struct render_proc){ .pid = pid };
}

void render_roster_free(struct render_roster *ro)
{
	free(ro->procs);
	free(ro->proc_shown);
	free(ro->threads);
	memset(ro, 0, sizeof(*ro));
}
