# money: 1 million exact money additions with decimal.Decimal.
# Prints 29999.98 EUR.
from decimal import Decimal

def main():
    total = Decimal(0)
    cent = Decimal("0.01")
    for i in range(1, 1000001):
        total = total + cent * (i % 7)
    print(f"{total} EUR")

main()
