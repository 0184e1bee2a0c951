# fib: recursive function calls, integer compare/add/sub. Prints 2178309.
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

print(fib(32))
