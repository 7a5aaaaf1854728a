package engine

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/cilium/ebpf"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// ObjectName is the kernel object -N loads from its directory: what
// bpf2go builds from bpf/tracer.bpf.c for the running architecture.
func ObjectName() string {
	arch := map[string]string{"amd64": "x86", "arm64": "arm64"}[runtime.GOARCH]
	return "tracer_" + arch + "_bpfel.o"
}

// loadSpec is the built-in kernel object, or dir's (-N) when it fits: the
// same maps (type, key and value sizes), the same programs (type, attach
// point) and a config variable of the same size, since the session sets
// and reads them by name.
func loadSpec(dir string) (*ebpf.CollectionSpec, error) {
	builtin, err := bpf.LoadTracer()
	if err != nil {
		return nil, fmt.Errorf("loading BPF spec: %w", err)
	}
	if dir == "" {
		return builtin, nil
	}
	path := filepath.Join(dir, ObjectName())
	spec, err := ebpf.LoadCollectionSpec(path)
	if err != nil {
		return nil, fmt.Errorf("loading BPF object %s: %w", path, err)
	}
	if err := fits(spec, builtin); err != nil {
		return nil, fmt.Errorf("loading BPF object %s: %w (build it from bpf/tracer.bpf.c: make generate, or docs/kernel.md)", path, err)
	}
	return spec, nil
}

// fits says what of spec differs from the built-in object, first by name.
func fits(spec, builtin *ebpf.CollectionSpec) error {
	for _, name := range sortedKeys(builtin.Maps) {
		want, got := builtin.Maps[name], spec.Maps[name]
		switch {
		case got == nil:
			return fmt.Errorf("no map %s", name)
		case got.Type != want.Type || got.KeySize != want.KeySize || got.ValueSize != want.ValueSize:
			return fmt.Errorf("map %s is %v %d/%d bytes, want %v %d/%d", name, got.Type, got.KeySize, got.ValueSize, want.Type, want.KeySize, want.ValueSize)
		}
	}
	for _, name := range sortedKeys(builtin.Programs) {
		want, got := builtin.Programs[name], spec.Programs[name]
		switch {
		case got == nil:
			return fmt.Errorf("no program %s", name)
		case got.Type != want.Type || got.AttachType != want.AttachType || got.AttachTo != want.AttachTo:
			return fmt.Errorf("program %s is %v %v %s, want %v %v %s", name, got.Type, got.AttachType, got.AttachTo, want.Type, want.AttachType, want.AttachTo)
		}
	}
	want, got := builtin.Variables[bpf.TracerVarConfig], spec.Variables[bpf.TracerVarConfig]
	if got == nil {
		return fmt.Errorf("no variable %s", bpf.TracerVarConfig)
	}
	if got.Size() != want.Size() {
		return fmt.Errorf("variable %s is %d bytes, want %d", bpf.TracerVarConfig, got.Size(), want.Size())
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
