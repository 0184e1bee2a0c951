-- floats: 3 million steps of a logistic-style growth in double arithmetic.
-- Prints floor(n * 1000000) of the final n.
local n = 100.0
for i = 1, 3000000 do
  n = n + 0.000001 * n * (n / 60 - 1) * (1 - n / 2000)
end
print(math.floor(n * 1000000))
