# moneyfrac: 1 million exact money additions with fractions.Fraction.
# Prints 29999.98 EUR.
from fractions import Fraction

def main():
    total = Fraction(0)
    cent = Fraction(1, 100)
    for i in range(1, 1000001):
        total = total + cent * (i % 7)
    cents = total * 100
    assert cents.denominator == 1
    print("%d.%02d EUR" % divmod(cents.numerator, 100))

main()
