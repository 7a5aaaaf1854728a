package main

import (
	"errors"
	"os"
	"syscall"

	"github.com/strace-ebpf/strace.ebpf/session"
)

// quietOnClosedPipe handles the end of a run whose output's reader went
// away as other tools do, without a message: when a traced command ran to
// its end, its status is the exit status (tracing stopped, it ran on);
// otherwise 141, the status a shell reports for a tool that SIGPIPE
// killed. It returns only when err is something else.
func quietOnClosedPipe(code int, err error) {
	if err == nil || !session.ReaderGone(err) {
		return
	}
	stopProfile()
	var st commandStatus
	if errors.As(err, &st) {
		os.Exit(code)
	}
	os.Exit(128 + int(syscall.SIGPIPE))
}
