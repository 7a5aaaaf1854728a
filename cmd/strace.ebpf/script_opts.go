package main

// Script options: --arg, --interval, --explain, and the push-down of the
// scripts' trace() declarations into the kernel filter.

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/script"
)

// scriptOptions are the options of user scripts.
type scriptOptions struct {
	args     []string      // --arg key=value
	interval time.Duration // --interval
	explain  bool          // --explain
}

func addScriptFlags(fs *pflag.FlagSet, s *scriptOptions) {
	fs.StringArrayVar(&s.args, "arg", nil, "script argument `key=value` for arg(key, default) in every script (repeatable; -s FILE:key=value for one)")
	fs.DurationVar(&s.interval, "interval", time.Second, "call the scripts' on_tick every `duration` of trace time")
	fs.BoolVar(&s.explain, "explain", false, "print which filters run in the kernel and which in the scripts")
}

// configure completes the pipeline options with the script options.
func (s *scriptOptions) configure(so *script.Options, live bool) error {
	if s.interval <= 0 {
		return fmt.Errorf("parsing --interval: %s is not a positive duration", s.interval)
	}
	so.Interval = s.interval
	so.Live = live
	if len(s.args) > 0 {
		so.Args = map[string]string{}
	}
	for _, kv := range s.args {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("parsing --arg %s: want key=value", kv)
		}
		so.Args[k] = v
	}
	return nil
}

// pipelineOf finds the script pipeline behind a sink, if there is one.
func pipelineOf(s sink) *script.Pipeline {
	switch s := s.(type) {
	case *script.Pipeline:
		return s
	case *teeSink:
		return pipelineOf(s.next)
	case *scriptedSink:
		return s.pipe
	}
	return nil
}

// apply pushes the scripts' declarations into the kernel filter, as far as
// that leaves what every stage sees unchanged, and prints --explain (or -d).
func (s *scriptOptions) apply(o *options, pipe sink, cfg *engine.Config, w io.Writer) {
	p := pipelineOf(pipe)
	if p == nil {
		return
	}
	kf := p.Pushdown()
	if kf.Syscalls != nil {
		cfg.Syscalls = intersect(cfg.Syscalls, kf.Syscalls)
	}
	cfg.FailedOnly = cfg.FailedOnly || kf.FailedOnly
	if kf.Buffers > 0 {
		cfg.CaptureBuffers = true
		cfg.BufSize = max(cfg.BufSize, kf.Buffers)
	}
	if s.explain || o.debug {
		var b strings.Builder
		p.Explain(&b, cfg.Syscalls, cfg.FailedOnly)
		if o.rec.write != "" {
			b.WriteString("The -w recording holds what the kernel filter lets through.\n")
		}
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			fmt.Fprintf(w, "strace.ebpf: explain: %s\n", line)
		}
	}
}

// intersect is the syscall set in both a and b; nil a means every syscall.
func intersect(a, b []int) []int {
	if a == nil {
		return b
	}
	in := map[int]bool{}
	for _, nr := range b {
		in[nr] = true
	}
	out := []int{}
	for _, nr := range a {
		if in[nr] {
			out = append(out, nr)
		}
	}
	return out
}

// interrupt stops a runaway script call on Ctrl-C.
func interruptScripts(pipe sink) {
	if p := pipelineOf(pipe); p != nil {
		p.Interrupt()
	}
}
