-- calls: a closure (make_adder) called 5 million times in a for loop.
-- Prints 12500017500000 (= sum of i + 3 for i in 1..5000000).
local function make_adder(k)
  return function(x) return x + k end
end
local add3 = make_adder(3)
local acc = 0
for i = 1, 5000000 do
  acc = acc + add3(i)
end
print(acc)
