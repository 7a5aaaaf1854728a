package main

// The usage examples: the man page's EXAMPLES section and the README's
// first block are made from this one table (readme_test.go keeps the
// README's true).

import "strings"

// usageExamples are command lines with what each does.
var usageExamples = []struct{ cmd, what string }{
	{"strace.ebpf ls /tmp", "hex trace on stderr, ls output on stdout"},
	{"strace.ebpf -o t.log -t -X -e trace=openat,read cat /nonexistent", "failed openat and read calls, timestamped, in t.log"},
	{"strace.ebpf -l strace -f -o t.txt make", "strace's own format"},
	{"strace.ebpf -l strace -ff -o t make", "one file per process: t.PID"},
	{"strace.ebpf -c make", "strace -c's summary table"},
	{"strace.ebpf -c --summary-sort-by calls -U calls,name,max-time make", "strace's -S and -U for the table"},
	{"strace.ebpf -e inject=write:error=ENOSPC:when=3 ./app", "the third write fails with ENOSPC"},
	{"strace.ebpf -p 1234", "attach; Ctrl-C detaches"},
	{"strace.ebpf -o all.log", "whole system until Ctrl-C"},
	{"strace.ebpf -l strace --container web", "a Podman/Docker/containerd/CRI-O container, until it exits"},
	{"strace.ebpf -l json --cgroup /system.slice/nginx.service", "a cgroup and its descendants, filtered in the kernel"},
	{"strace.ebpf -c --unit cron --unit nginx", "two systemd services: a -c table each"},
	{"strace.ebpf -s myfilter.star -f make", "your script in front of the format"},
	{"strace.ebpf -s syscount -f make", "an installed example, found by name (-s help lists them)"},
	{"strace.ebpf --eval 'def on_syscall(ev): return ev.failed' ls", "an inline script: only failed calls"},
	{"strace.ebpf -l bin -o run.bin cmd; strace.ebpf -i run.bin -s examples/syscount.star", "record, then replay through a script"},
	{"strace.ebpf -l strace --record run.bin cmd", "print and record at once"},
	{"export STRACE_EBPF_FORMAT=strace", "strace's lines by default (-c still prints its table)"},
	{"strace.ebpf -f -Y --trace=%file -o '|grep etc' make", "strace's spellings; -o '|cmd' pipes the trace to cmd"},
}

// examplesBlock is the README's block of examples, comments aligned.
func examplesBlock() string {
	var b strings.Builder
	for _, e := range usageExamples {
		if len(e.cmd) > 48 {
			b.WriteString("# " + e.what + ":\n" + e.cmd + "\n")
			continue
		}
		b.WriteString(e.cmd + strings.Repeat(" ", 48-len(e.cmd)) + " # " + e.what + "\n")
	}
	return b.String()
}

// examplesMan is the man page's EXAMPLES section.
func examplesMan() string {
	var b strings.Builder
	b.WriteString(".SH EXAMPLES\n")
	for _, e := range usageExamples {
		b.WriteString(".TP\n.B " + roffEscape(e.cmd) + "\n" + roffEscape(e.what) + ".\n")
	}
	return b.String()
}
