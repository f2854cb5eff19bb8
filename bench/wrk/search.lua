-- wrk script for bench/site.py: every request searches for two topic words picked at random
-- (the words are the script's arguments), so the page cache seldom holds the answer, as
-- with readers' own searches.
local words = {}

init = function(args)
  for i = 1, #args do
    words[i] = args[i]
  end
  -- Each wrk thread runs its own copy of this script: seed each differently.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
end

request = function()
  local first = words[math.random(#words)]
  local second = words[math.random(#words)]
  return wrk.format("GET", "/search/?q=" .. first .. "+" .. second)
end
