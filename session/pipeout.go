package session

// -o '|cmd' and -o '!cmd': the trace piped to a shell command, as strace
// does.

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// PipeCommand is the shell command of -o '|cmd' or -o '!cmd'; ok is false
// for a file name.
func PipeCommand(output string) (cmd string, ok bool) {
	if strings.HasPrefix(output, "|") || strings.HasPrefix(output, "!") {
		return strings.TrimSpace(output[1:]), true
	}
	return "", false
}

// openPipe starts command under /bin/sh with the trace on its stdin; its
// own output goes where the tracer's does. Run waits for it after closing
// the trace.
func (s *Session) openPipe(command string) error {
	if command == "" {
		return usage("opening output: -o '|' names no command to pipe the trace to")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("opening output: %w", err)
	}
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, s.plan.Stdout, s.plan.Stderr
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("opening output: starting %q: %w", command, err)
	}
	r.Close()
	s.files = append(s.files, w)
	s.outCmds = append(s.outCmds, cmd)
	s.out.w = w
	return nil
}

// waitPipes waits for the commands of -o '|cmd', their input closed; one
// that failed is reported (not the one the trace's end killed with SIGPIPE).
func (s *Session) waitPipes() error {
	var first error
	for _, c := range s.outCmds {
		if err := c.Wait(); err != nil && first == nil {
			first = fmt.Errorf("output command %q: %w", strings.Join(c.Args[2:], " "), err)
		}
	}
	s.outCmds = nil
	return first
}
