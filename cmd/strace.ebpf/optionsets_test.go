package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// Every flag either has sample values (or is a boolean or counting flag,
// set by itself) or is said to change nothing the kernel runs: a new flag
// cannot stay out of the kernel matrix unnoticed.
func TestOptionSetsClassifyEveryFlag(t *testing.T) {
	t.Parallel()
	var o options
	fs := newFlags(&o)
	fs.VisitAll(func(f *pflag.Flag) {
		_, sampled := flagSamples[f.Name]
		switch {
		case sampled && noKernelEffect[f.Name]:
			t.Errorf("--%s is both sampled and without kernel effect", f.Name)
		case !sampled && !noKernelEffect[f.Name] && len(flagValues(f)) == 0:
			t.Errorf("--%s (%s) takes a value: give it samples in flagSamples or list it in noKernelEffect", f.Name, f.Value.Type())
		}
	})
	for name := range flagSamples {
		if fs.Lookup(name) == nil {
			t.Errorf("flagSamples names --%s, which does not exist", name)
		}
	}
	for name := range noKernelEffect {
		if fs.Lookup(name) == nil {
			t.Errorf("noKernelEffect names --%s, which does not exist", name)
		}
	}
}

// The option sets reach every field of the kernel's configuration that
// the command line decides: each takes at least two values across them.
func TestOptionSetsReachEveryConfigField(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	sets, err := KernelOptionSets("../../examples", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d distinct kernel configurations, enumerated in %v", len(sets), time.Since(t0).Round(time.Millisecond))
	typ := reflect.TypeOf(sets[0].Kernel)
	for i := 0; i < typ.NumField(); i++ {
		name := typ.Field(i).Name
		if runtimeConfigFields[name] || typ.Field(i).Name == "_" {
			continue
		}
		values := map[any]bool{}
		for _, s := range sets {
			values[reflect.ValueOf(s.Kernel).Field(i).Interface()] = true
		}
		if len(values) < 2 {
			t.Errorf("config field %s takes one value in every option set: no flag reaches it, or flagSamples lacks the value that does", name)
		}
	}
}
