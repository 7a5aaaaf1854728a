package testutil

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
)

// WriteRecording writes evs as a recording with header hdr into a
// temporary file and returns its path; complete adds the end record (a
// recording cut short has none).
func WriteRecording(tb testing.TB, hdr record.Header, evs []event.Event, complete bool) string {
	tb.Helper()
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, hdr)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if complete {
		err = w.Close()
	} else {
		err = w.Flush()
	}
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "run.bin")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
