-- strings: repeated concatenation of a formatted piece, 20,000 times.
-- Strings are immutable, so each step builds a new string. Prints 108894.
local s = ""
for i = 1, 20000 do
  s = s .. i .. ","
end
print(#s)
