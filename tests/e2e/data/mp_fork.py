# multiprocessing with the fork start method: the child is a forked python
# (no exec), which the tracer must follow through fork alone.
import multiprocessing


def in_child():
    return 7


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    p = ctx.Process(target=in_child)
    p.start()
    p.join()
