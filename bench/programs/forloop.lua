-- forloop: a counting for loop, 10 million iterations summing i.
-- Prints 50000005000000.
local s = 0
for i = 1, 10000000 do
  s = s + i
end
print(s)
