-- topfiles in Lua: the files opened most often, and how often that failed.
--
--   strace.ebpf -s examples/topfiles.lua:top=20 -f make

trace{syscalls = {"open", "openat", "openat2", "creat"}}

local top = arg("top", 10)
local opens = count("opens")
local fails = count("fails")

function on_syscall(ev)
  local path = ev.path or "?"
  opens:add(path)
  if ev.failed then fails:add(path) end
end

function on_exit()
  local rows = {}
  for _, kv in ipairs(opens:top(top)) do
    table.insert(rows, {kv[1], kv[2], fails:get(kv[1], 0)})
  end
  print(table(rows, {header = {"FILE", "OPENS", "FAILED"}}))
end
