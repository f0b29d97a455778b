# A forked child's very first Python call must be in the trace: the child
# calls first_in_child() right after os.fork() returns, the parent waits.
import os
import sys


def first_in_child():
    return 1


def in_parent():
    return 2


pid = os.fork()
if pid == 0:
    first_in_child()
    os._exit(0)
in_parent()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
