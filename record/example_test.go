package record_test

import (
	"bytes"
	"fmt"
	"io"
	"log"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
)

// A recording written and read back.
func Example() {
	var file bytes.Buffer
	w, err := record.NewWriter(&file, record.Header{
		Arch: "amd64",
		Argv: []string{"strace.ebpf", "-l", "bin", "-o", "run.bin", "cat", "/nonexistent"},
	})
	if err != nil {
		log.Fatal(err)
	}
	w.Write(&event.Event{Kind: event.Syscall, PID: 42, TID: 42, Nr: 257, Comm: "cat", Ret: -2,
		Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/nonexistent")}}})
	w.Write(&event.Event{Kind: event.Lost, LostN: 3})
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := record.NewReader(&file)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Header().Arch, r.Header().Argv[len(r.Header().Argv)-2:])
	var ev event.Event
	for {
		if err := r.Next(&ev); err == io.EOF {
			break
		} else if err != nil {
			log.Fatal(err) // e.g. record: offset 200: truncated record: want 112 bytes, have 10
		}
		if ev.Kind == event.Lost {
			fmt.Println("lost", ev.LostN)
			continue
		}
		path, _ := ev.String(1)
		fmt.Println(ev.PID, ev.Nr, path, ev.Errno())
	}
	// Output:
	// amd64 [cat /nonexistent]
	// 42 257 /nonexistent 2
	// lost 3
}
