# harmonic: the exact harmonic number H(5000) = 1/1 + 1/2 + ... + 1/5000,
# computed with fractions.Fraction. Prints the length of its "n/d" text.
from fractions import Fraction

def main():
    h = Fraction(0)
    for k in range(1, 5001):
        h = h + Fraction(1, k)
    print(len(str(h)))

main()
