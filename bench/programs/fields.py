# fields: a record's fields read and updated 5 million times.
# The record is a dict (the closest match to a Lua table / Clusim record;
# a class instance with __slots__ is about the same speed in CPython 3.11).
# Prints "5000000 12500002500000".
def main():
    r = {"count": 0, "total": 0}
    for i in range(1, 5000001):
        r["count"] = r["count"] + 1
        r["total"] = r["total"] + i
    print(r["count"], r["total"])

main()
