# Run as a child process by parent_child.py.
def child_work():
    return 42


child_work()
