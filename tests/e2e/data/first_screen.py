# A newcomer's program: its own calls must be on the first screen of the
# text trace, not after ~3,000 lines of interpreter start-up.
def greet(name):
    return "hello " + name


def main():
    for who in ("world", "you"):
        greet(who)


main()
