package engine

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/cilium/ebpf"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// loadObjects loads spec into objs as spec.LoadAndAssign would, but the
// programs in parallel: the maps first (the ring, given in opts, among
// them), then each program on a goroutine of its own, with the maps as
// replacements so that all share them. A program's load is its CO-RE
// relocation here and its verification in the kernel, the largest part
// of start-up (-d prints each program's verifier time); on two CPUs the
// largest program no longer waits for the others.
func loadObjects(spec *ebpf.CollectionSpec, opts *ebpf.CollectionOptions, objs *bpf.TracerObjects) (err error) {
	var maps struct {
		bpf.TracerMaps
		Rodata *ebpf.Map `ebpf:".rodata"`
	}
	if err := spec.LoadAndAssign(&maps, opts); err != nil {
		return err
	}
	defer maps.Rodata.Close() // the programs hold it
	defer func() {
		if err != nil {
			maps.TracerMaps.Close()
			objs.TracerPrograms.Close()
			objs.TracerPrograms = bpf.TracerPrograms{}
		}
	}()
	repl := map[string]*ebpf.Map{".rodata": maps.Rodata}
	mv := reflect.ValueOf(maps.TracerMaps)
	for i := 0; i < mv.NumField(); i++ {
		if m, ok := mv.Field(i).Interface().(*ebpf.Map); ok && m != nil {
			repl[mv.Type().Field(i).Tag.Get("ebpf")] = m
		}
	}
	popts := *opts
	popts.MapReplacements = repl

	pv := reflect.ValueOf(&objs.TracerPrograms).Elem()
	errs := make([]error, pv.NumField())
	var wg sync.WaitGroup
	for i := 0; i < pv.NumField(); i++ {
		f := pv.Type().Field(i)
		if f.Type != reflect.TypeOf((*ebpf.Program)(nil)) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A struct of this one program, for LoadAndAssign.
			one := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "P", Type: f.Type, Tag: f.Tag}}))
			// A spec of this program alone: every map is a replacement,
			// so the map specs are only read.
			name := f.Tag.Get("ebpf")
			ps, ok := spec.Programs[name]
			if !ok {
				errs[i] = fmt.Errorf("loading program %s: not in the object", name)
				return
			}
			cs := &ebpf.CollectionSpec{Maps: spec.Maps, Programs: map[string]*ebpf.ProgramSpec{name: ps.Copy()},
				Types: spec.Types, ByteOrder: spec.ByteOrder}
			errs[i] = cs.LoadAndAssign(one.Interface(), &popts)
			if errs[i] == nil {
				pv.Field(i).Set(one.Elem().Field(0))
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, e := range errs {
			if e != nil {
				return e // the first program's error, whole (a *ebpf.VerifierError)
			}
		}
	}
	objs.TracerMaps = maps.TracerMaps
	return nil
}
