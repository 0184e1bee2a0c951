-- loop: 10 million iterations of a while loop with a counter, summing i.
-- Prints 50000005000000. Globals-free: everything is a local, as in idiomatic Lua.
local i = 1
local s = 0
while i <= 10000000 do
  s = s + i
  i = i + 1
end
print(s)
