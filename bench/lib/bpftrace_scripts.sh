# Sourced by the benches (bench/trace.sh, bench/percall.sh).
# bpftrace_scripts PY DIR: the bpftrace peers of a trace of PY's markers:
#   DIR/flow.bt   prints each entry and return (tid, depth, function, file:line)
#   DIR/empty.bt  empty actions on the same probes: bpftrace's floor
# bpftrace cannot raise the `line` semaphore without probing the line site,
# so both probe `line` too (needed on 3.11 for function__entry).
bpftrace_scripts() {
	local py=$1 dir=$2
	cat >"$dir/flow.bt" <<BTEOF
usdt:$py:python:function__entry {
	@depth[tid]++;
	printf("%d %d -> %s %s:%d\n", tid, @depth[tid], str(arg1), str(arg0), arg2);
}
usdt:$py:python:function__return {
	printf("%d %d <- %s %s:%d\n", tid, @depth[tid], str(arg1), str(arg0), arg2);
	@depth[tid]--;
}
usdt:$py:python:line { }
END { clear(@depth); }
BTEOF
	cat >"$dir/empty.bt" <<BTEOF
usdt:$py:python:function__entry { }
usdt:$py:python:function__return { }
usdt:$py:python:line { }
BTEOF
}
