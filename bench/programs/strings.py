# strings: repeated concatenation of an interpolated piece, 20,000 times.
# Note: CPython appends in place when the string has a single reference
# (s = s + ... on a local), so it avoids the quadratic copying. Prints 108894.
def main():
    s = ""
    for i in range(1, 20001):
        s = s + f"{i},"
    print(len(s))

main()
