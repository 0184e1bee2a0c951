# forloop: a counting for loop, 10 million iterations summing i.
# Prints 50000005000000.
def main():
    s = 0
    for i in range(1, 10000001):
        s = s + i
    print(s)

main()
