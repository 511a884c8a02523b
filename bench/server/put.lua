-- wrk script: every request creates a new packet (PUT with If-None-Match: *) from a template
-- whose "@UUID@" is replaced by a fresh random UUID.
-- Usage: wrk ... -s put.lua URL -- TEMPLATE_FILE TOKEN
local template
local token
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  template = file:read("*a")
  file:close()
  token = args[2]
  math.randomseed(os.time() * 1000 + (id or 0))
end

local function uuid()
  local hex = "0123456789abcdef"
  local parts = {}
  for i = 1, 32 do
    local n = math.random(1, 16)
    if i == 13 then n = 5 end                 -- version 4
    if i == 17 then n = 9 + (n % 4) end       -- variant 8, 9, a, b
    parts[i] = hex:sub(n, n)
  end
  local s = table.concat(parts)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" ..
         s:sub(17, 20) .. "-" .. s:sub(21, 32)
end

function request()
  local id = uuid()
  local body = template:gsub("@UUID@", id)
  return wrk.format("PUT", "/api/v1/packets/" .. id,
                    { ["Authorization"] = "Bearer " .. token,
                      ["If-None-Match"] = "*",
                      ["Content-Type"] = "application/json" }, body)
end
