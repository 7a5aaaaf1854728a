package main

import (
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/session"
)

// addTargetFlags defines --cgroup, --container and --unit: what to trace
// instead of a command or -p (session/cgroup.go).
func addTargetFlags(fs *pflag.FlagSet, t *session.Targets) {
	fs.StringArrayVar(&t.Cgroups, "cgroup", nil, "trace every process of the cgroup `path` and its descendants, present and future, filtered in the kernel: a directory of a cgroup file system or a path from a hierarchy's root (/system.slice/x.service), v2 or a v1 controller's (repeatable; instead of a command or -p; ends when the cgroup is removed or, after it held a process, empty)")
	fs.StringArrayVar(&t.Containers, "container", nil, "trace the running container `name` or id (Podman, CRI-O, Docker, containerd: docs/containers.md) as --cgroup its cgroup; the trace ends when it exits")
	fs.StringArrayVar(&t.Units, "unit", nil, "trace the running systemd unit `name` (a service without a suffix) as --cgroup /system.slice/NAME")
	fs.BoolVar(&t.PidNS, "pidns", false, "show pids and tids as each process's own pid namespace numbers them (a container's view: its first process is 1), in every format and in what is recorded; the pids in arguments and return values are not translated")
}

// cgroupSamples are --cgroup's settings for the option-set enumeration:
// the root of the hierarchy found first (the unified one where mounted:
// a filter that keeps every task, but the kernel runs its code), and the
// root of a v1 controller's hierarchy where one is mounted (the kernel's
// other way to a task's cgroup), and both at once.
func cgroupSamples() []string {
	out := []string{"--cgroup=/"}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, pf := strings.Fields(pre), strings.Fields(post)
		if ok && len(f) >= 5 && len(pf) >= 3 && pf[0] == "cgroup" && f[3] == "/" && !strings.Contains(pf[2], "name=") {
			if c, err := engine.ResolveCgroup(f[4]); err == nil && c.V1() {
				// And two targets: the kernel notes each process's.
				return append(out, "--cgroup="+f[4], "--cgroup=/ --cgroup="+f[4])
			}
		}
	}
	return out
}
