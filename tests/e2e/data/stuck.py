# quick() three times, then stuck_forever() never returns: killed, its time
# must still show (summary, folded), marked as never returned.
import time
def quick():
    return 1
def stuck_forever():
    while True:
        time.sleep(0.05)
def main():
    for _ in range(3):
        quick()
    stuck_forever()
main()
