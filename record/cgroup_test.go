package record

import (
	"bytes"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestCgroupRoundTrip: a recording of a trace by cgroup gives each event
// back its target cgroup and container, through the header's cgroup.N
// options and the record's cgroup number; an event of no target reads as
// none.
func TestCgroupRoundTrip(t *testing.T) {
	hdr := Header{Arch: "amd64"}
	cgs := []Cgroup{{ID: 7001, Name: "web", Path: "/libpod_parent/libpod-aaaa"}, {ID: 7002, Name: "", Path: "/system.slice/x.service"}}
	hdr.SetCgroups(cgs)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, hdr)
	if err != nil {
		t.Fatal(err)
	}
	in := []event.Event{
		{Kind: event.Syscall, PID: 1, TID: 1, Nr: 0, Comm: "a", Cgroup: 7001, Container: "web"},
		{Kind: event.Exit, PID: 2, TID: 2, Comm: "b", Cgroup: 7002},
		{Kind: event.Signal, PID: 3, TID: 3, Nr: 17, Comm: "c"},
		{Kind: event.Syscall, PID: 4, TID: 4, Nr: 1, Comm: "d", Cgroup: 9999}, // no target of the header's
	}
	for i := range in {
		if err := w.Write(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cgs, r.Header().Cgroups()); diff != "" {
		t.Errorf("header cgroups (-want +got):\n%s", diff)
	}
	type got struct {
		Cgroup    uint64
		Container string
	}
	want := []got{{7001, "web"}, {7002, ""}, {0, ""}, {0, ""}}
	var have []got
	for {
		var ev event.Event
		err := r.Next(&ev)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		have = append(have, got{ev.Cgroup, ev.Container})
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
