-- syscount in Lua: calls, errors and time per syscall and per process.
--
--   strace.ebpf -s examples/syscount.lua -f make

local top = arg("top", 15)

local calls = count("calls")
local errors = count("errors")
local time_ns = sum("time_ns")
local procs = count("procs")
local proc_errors = count("proc_errors")

function on_syscall(ev)
  if ev.kind ~= "syscall" then return end
  calls:add(ev.name)
  time_ns:add(ev.name, ev.duration)
  local key = {ev.pid, ev.comm}
  procs:add(key)
  if ev.failed then
    errors:add(ev.name)
    proc_errors:add(key)
  end
end

function on_exit()
  local rows = {}
  for _, kv in ipairs(calls:top(top)) do
    local name, n = kv[1], kv[2]
    table.insert(rows, {name, n, errors:get(name, 0), math.floor(time_ns:get(name) / 1000)})
  end
  print(table(rows, {header = {"SYSCALL", "CALLS", "ERRORS", "TIME(us)"}}))
  print("")
  rows = {}
  for _, kv in ipairs(procs:top(top)) do
    local key, n = kv[1], kv[2]
    table.insert(rows, {key[1], key[2], n, proc_errors:get(key, 0)})
  end
  print(table(rows, {header = {"PID", "COMM", "CALLS", "ERRORS"}}))
end
