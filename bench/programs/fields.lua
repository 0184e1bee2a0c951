-- fields: a record's fields read and updated 5 million times (a Lua table).
-- Prints "5000000 12500002500000".
local r = {count = 0, total = 0}
for i = 1, 5000000 do
  r.count = r.count + 1
  r.total = r.total + i
end
print(r.count .. " " .. r.total)
