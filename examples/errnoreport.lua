-- errnoreport in Lua: which errors happened, in which calls.
--
--   strace.ebpf -s examples/errnoreport.lua -f make

trace{failed = true}

local by_errno = count("errno")
local by_call = count("calls")

function on_syscall(ev)
  by_errno:add(ev.errname)
  by_call:add({ev.errname, ev.name})
end

function on_exit()
  for _, e in ipairs(by_errno:items()) do
    local name, n = e[1], e[2]
    print(string.format("%-12s %5d  %s", name, n, errno.msg(errno.num(name))))
    for _, c in ipairs(by_call:items()) do
      if c[1][1] == name then
        print(string.format("    %-20s %5d", c[1][2], c[2]))
      end
    end
  end
end
