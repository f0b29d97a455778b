# A pool per start method, torn down normally: the workers end by SIGTERM
# from their parent, which is no reason for a warning.
import multiprocessing as mp
def sq(x):
    return x * x
if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        with ctx.Pool(3) as p:
            print(method, sum(p.map(sq, range(50))))
