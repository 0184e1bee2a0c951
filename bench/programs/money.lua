-- money: 1 million exact money additions in integer cents (Lua has no
-- decimals: this is the hand-made fixed-point a spreadsheet expert would avoid).
-- Prints 29999.98 EUR.
local total = 0
for i = 1, 1000000 do
  total = total + 1 * (i % 7)
end
print(string.format("%d.%02d EUR", total // 100, total % 100))
