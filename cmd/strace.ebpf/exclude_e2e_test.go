package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestSystemWideSparesItsReader: "strace.ebpf | cat" traces every process
// but cat, which reads the trace (found through the stdout pipe's inode at
// start): its reads would otherwise fill the trace with themselves.
func TestSystemWideSparesItsReader(t *testing.T) {
	testutil.RequireBPF(t)
	out := filepath.Join(t.TempDir(), "all.log")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	of, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer of.Close()
	cat := exec.Command("cat")
	cat.Stdin, cat.Stdout = r, of
	if err := cat.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close() // cat is the only reader

	tracer := exec.Command(testutil.Tracer(t), "-d", "-e", "trace=read,write,openat")
	tracer.Stdout = w
	se := &syncBuffer{}
	tracer.Stderr = se
	if err := tracer.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(se.String(), "strace.ebpf: loaded in ") {
		if time.Now().After(deadline) {
			tracer.Process.Kill()
			t.Fatalf("tracer not attached after 10s: %s", se.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var pids []string
	for range 3 {
		sc := exec.Command(testutil.Syscaller(t), "basic")
		if err := sc.Run(); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, fmt.Sprintf("%016X", sc.Process.Pid))
		time.Sleep(50 * time.Millisecond)
	}
	tracer.Process.Signal(os.Interrupt)
	if err := tracer.Wait(); err != nil {
		t.Fatalf("tracer after SIGINT: %v: %s", err, se.String())
	}
	if err := cat.Wait(); err != nil {
		t.Fatalf("cat: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	_, rows := parseHex(t, string(b), "\t")
	for _, pid := range pids {
		if got := find(rows, func(r row) bool { return r["PID"] == pid && r["ARG2"] == "/nonexistent/strace-ebpf-marker" }); len(got) != 1 {
			t.Errorf("system-wide trace has %d marker rows from syscaller %s, want 1", len(got), pid)
		}
	}
	catPID := fmt.Sprintf("%016X", cat.Process.Pid)
	if got := find(rows, func(r row) bool { return r["PID"] == catPID }); len(got) != 0 {
		t.Errorf("system-wide trace has %d rows of cat, which reads it; first: %v", len(got), got[0])
	}
}
