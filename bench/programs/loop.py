# loop: 10 million iterations of a while loop with a counter, summing i.
# Prints 50000005000000. Inside a function so the variables are fast locals
# (module-level globals would make Python roughly 1.5-2x slower).
def main():
    i = 1
    s = 0
    while i <= 10000000:
        s = s + i
        i = i + 1
    print(s)

main()
