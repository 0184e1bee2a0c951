# calls: a closure (make_adder) called 5 million times in a for loop.
# Prints 12500017500000 (= sum of i + 3 for i in 1..5000000).
def make_adder(k):
    return lambda x: x + k

def main():
    add3 = make_adder(3)
    acc = 0
    for i in range(1, 5000001):
        acc = acc + add3(i)
    print(acc)

main()
