-- failedopens in Lua: every open that fails, as it happens (opensnoop -x).
--
--   strace.ebpf -s examples/failedopens.lua -f make

trace{syscalls = {"open", "openat", "openat2", "creat"}, failed = true}

function on_start()
  print(sprintf("%-7s %-16s %-8s %s", "PID", "COMM", "ERR", "PATH"))
end

function on_syscall(ev)
  return sprintf("%-7d %-16s %-8s %s", ev.pid, ev.comm, ev.errname, ev.path)
end
