package main

import (
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/session"
)

// The kernel configurations the command line can produce, enumerated from
// the flag definitions and the plan code itself: each option set is parsed
// as a user's command line is, turned into a plan and into the engine's
// configuration as a session would (session.EngineConfig), and kept when its
// kernel configuration (engine.KernelConfig, struct config in
// bpf/tracer.bpf.c) is one not seen before. A new boolean or counting flag,
// a new format or a new example script joins by itself; a flag that takes a
// value gives its sample values in flagSamples, or says in noKernelEffect
// that it changes nothing the kernel runs (TestOptionSetsClassifyEveryFlag
// holds every flag to one of the two).

// flagSamples are values of the flags that take one, chosen to change what
// the kernel runs. OUT and REC stand for files of the run.
var flagSamples = map[string][]string{
	"expr":         {"trace=openat", "trace=%file,%process", "status=failed", "status=successful", "trace=!read", "signal=none"},
	"trace-path":   {"/etc/hostname"},
	"filenames":    {"name_max", "fast"},
	"record":       {"REC"},
	"output":       {"OUT"},
	"strsize":      {"0", "4096"},
	"stack-window": {"-1", "64"},
	"detach-on":    {"execve"},
	// The shortest and longest calls take each call's duration: the
	// kernel does not count for -c then. Without a time column, -c counts
	// at sys_exit alone (count_lean).
	"summary-sort-by": {"max-time --summary-only"},
	"summary-columns": {"min-time --summary-only", "calls,errors --summary-only"},
}

// noKernelEffect are the flags that do not change the kernel's
// configuration, or that the enumeration covers another way (format and
// script; pid, whose configuration is a command's; input, which has no
// kernel side).
var noKernelEffect = map[string]bool{
	"format": true, "script": true, "pid": true, "input": true,
	"help": true, "version": true, "man": true, "completion": true, "trace-h": true,
	"builtin-list": true, "list": true, "ll-list": true,
	"debug": true, "explain": true, "hex-separator": true, "columns": true,
	"interval": true, "script-memory": true, "script-errors": true, "script-output": true, "arg": true,
	"env": true, "user": true, "quiet": true, "buffer-size": true, "ebpf-src-dir": true,
	// strace's spellings of -e QUALIFIER= and -t (habits.go), covered by
	// -e and -t; -Y, a presentation option; --eval, a script (covered by
	// the examples).
	"trace": true, "trace-fds": true, "signal": true, "status": true, "inject": true, "fault": true, "read": true, "write": true, "raw": true, "verbose": true, "abbrev": true,
	"absolute-timestamps": true, "decode-pids": true, "eval": true,
	// Containers and units are cgroups (--cgroup's samples).
	"container": true, "unit": true, "pidns": true,
}

// OptionSet is one kernel configuration and the first command line that
// produces it (without the command).
type OptionSet struct {
	Args       []string
	SystemWide bool // no command: the whole system
	Config     engine.Config
	Kernel     bpf.TracerConfig
}

func (s OptionSet) String() string {
	a := strings.Join(s.Args, " ")
	if s.SystemWide {
		a += " (system-wide)"
	}
	return a
}

// flagValues are the settings of one flag the enumeration tries.
func flagValues(f *pflag.Flag) []string {
	if f.Name == "cgroup" {
		return cgroupSamples()
	}
	if samples, ok := flagSamples[f.Name]; ok {
		var out []string
		for _, v := range samples {
			out = append(out, "--"+f.Name+"="+v)
		}
		return out
	}
	switch f.Value.Type() {
	case "bool":
		return []string{"--" + f.Name}
	case "count":
		return []string{"--" + f.Name, "--" + f.Name + " --" + f.Name}
	}
	return nil
}

// optionAxes lists, per flag, the settings to try.
func optionAxes() [][]string {
	var o options
	fs := newFlags(&o)
	var axes [][]string
	fs.VisitAll(func(f *pflag.Flag) {
		if noKernelEffect[f.Name] {
			return
		}
		if v := flagValues(f); len(v) > 0 {
			axes = append(axes, v)
		}
	})
	return axes
}

// KernelOptionSets enumerates the distinct kernel configurations: every
// format alone and with each flag setting, with and without a command
// (system-wide); with each pair of settings of two flags that change the
// configuration alone; with each script of scriptDir (the examples). dir holds the files OUT and
// REC name.
func KernelOptionSets(scriptDir, dir string) ([]OptionSet, error) {
	formats := []string{""}
	for _, f := range format.Formats {
		formats = append(formats, f.Name)
	}
	axes := optionAxes()
	var scripts []string
	for _, pat := range []string{"*.star", "*.lua"} {
		m, err := filepath.Glob(filepath.Join(scriptDir, pat))
		if err != nil {
			return nil, err
		}
		scripts = append(scripts, m...)
	}
	sort.Strings(scripts)

	var sets []OptionSet
	seen := map[bpf.TracerConfig]bool{}
	// try returns the kernel configuration of a command line, and whether
	// the command line is valid.
	try := func(systemWide bool, words ...string) (bpf.TracerConfig, bool) {
		var args []string
		for _, w := range words {
			args = append(args, strings.Fields(w)...)
		}
		for i, a := range args {
			a = strings.Replace(a, "=OUT", "="+filepath.Join(dir, "out"), 1)
			args[i] = strings.Replace(a, "=REC", "="+filepath.Join(dir, "rec.bin"), 1)
		}
		cfg, err := planConfig(args, systemWide)
		if err != nil {
			return bpf.TracerConfig{}, false // a combination the command line refuses
		}
		kc := engine.KernelConfig(cfg)
		if !seen[kc] {
			seen[kc] = true
			sets = append(sets, OptionSet{Args: args, SystemWide: systemWide, Config: cfg, Kernel: kc})
		}
		return kc, true
	}
	for _, f := range formats {
		base := ""
		if f != "" {
			base = "--format=" + f
		}
		// Pairs are tried of the settings that change the configuration
		// alone: a setting that changes nothing with any format adds
		// nothing to another's.
		var acting []string
		for _, systemWide := range []bool{false, true} {
			kb, _ := try(systemWide, base)
			for _, ax := range axes {
				for _, v := range ax {
					if kc, ok := try(systemWide, base, v); ok && kc != kb && !systemWide {
						acting = append(acting, v)
					}
				}
			}
		}
		for i, a := range acting {
			for _, b := range acting[i+1:] {
				if flagOf(a) != flagOf(b) {
					try(false, base, a, b)
				}
			}
		}
		for _, s := range scripts {
			try(false, base, "--script="+s)
		}
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("enumerating option sets: none parsed")
	}
	return sets, nil
}

// flagOf is the flag a setting sets ("--expr=status=failed": "expr").
func flagOf(setting string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(strings.Fields(setting)[0], "--"), "=")
	return name
}

// planConfig parses args as the command line (with a command unless
// systemWide) and returns the engine configuration its session would run.
func planConfig(args []string, systemWide bool) (engine.Config, error) {
	var o options
	fs := newFlags(&o)
	fs.SetOutput(io.Discard)
	argv := append([]string{"strace.ebpf"}, args...)
	if !systemWide {
		argv = append(argv, "true")
	}
	if err := fs.Parse(argv[1:]); err != nil {
		return engine.Config{}, err
	}
	p, err := o.buildPlan(fs, fs.Args(), argv, io.Discard, io.Discard)
	if err != nil {
		return engine.Config{}, err
	}
	return session.EngineConfig(p)
}

// PairwiseCover picks, greedily, option sets such that every pair of
// settings of two configuration fields found in sets is in one picked set:
// the interactions of two switches are all verified, in far fewer loads
// (the kernel matrix under emulation runs these).
func PairwiseCover(sets []OptionSet) []OptionSet {
	keys := make([][]string, len(sets))
	need := map[string]bool{}
	for i, s := range sets {
		f := configSettings(s.Kernel)
		for a := range f {
			for b := a + 1; b < len(f); b++ {
				k := f[a] + " & " + f[b]
				keys[i] = append(keys[i], k)
				need[k] = true
			}
		}
	}
	var picked []OptionSet
	for len(need) > 0 {
		best, most := -1, 0
		for i := range sets {
			n := 0
			for _, k := range keys[i] {
				if need[k] {
					n++
				}
			}
			if n > most {
				best, most = i, n
			}
		}
		for _, k := range keys[best] {
			delete(need, k)
		}
		picked = append(picked, sets[best])
	}
	return picked
}

// configSettings lists a kernel configuration's fields as name=value, but
// those known only at run time.
func configSettings(kc bpf.TracerConfig) []string {
	v := reflect.ValueOf(kc)
	var out []string
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if runtimeConfigFields[name] || name == "_" {
			continue
		}
		out = append(out, fmt.Sprintf("%s=%v", name, v.Field(i).Interface()))
	}
	return out
}

// runtimeConfigFields are the configuration's fields that no option sets:
// known when a session runs, or fixed by the architecture.
var runtimeConfigFields = map[string]bool{"TracerTgid": true, "ExecveNr": true, "ExecveatNr": true, "SigreturnNr": true, "ExcludeTgid": true}
