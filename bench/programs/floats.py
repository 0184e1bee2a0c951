# floats: 3 million steps of a logistic-style growth in double arithmetic.
# Prints floor(n * 1000000) of the final n.
import math

def main():
    n = 100.0
    for i in range(1, 3000001):
        n = n + 0.000001 * n * (n / 60 - 1) * (1 - n / 2000)
    print(math.floor(n * 1000000))

main()
