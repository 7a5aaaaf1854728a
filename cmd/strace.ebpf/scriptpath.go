package main

// -s NAME's search path (the current directory, the user's scripts, the
// installed examples; session.FindScript looks there), -s help, and
// --eval's inline scripts.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/session"
)

// scriptDirs are where -s NAME looks, in order: the current directory,
// the user's scripts ($XDG_DATA_HOME/strace.ebpf/scripts, by default
// ~/.local/share/strace.ebpf/scripts), then the examples make install
// puts next to the binary (PREFIX/share/strace.ebpf/examples).
func scriptDirs() []string {
	dirs := []string{"."}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		if home, err := os.UserHomeDir(); err == nil {
			data = filepath.Join(home, ".local", "share")
		}
	}
	if data != "" {
		dirs = append(dirs, filepath.Join(data, "strace.ebpf", "scripts"))
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			dirs = append(dirs, filepath.Join(filepath.Dir(filepath.Dir(exe)), "share", "strace.ebpf", "examples"))
		}
	}
	return dirs
}

// printScripts is -s help: the search path and the scripts found in it.
func printScripts(w io.Writer) {
	fmt.Fprintf(w, "-s NAME looks in: %s\n\n", strings.Join(scriptDirs(), ", "))
	for _, s := range session.ListScripts(scriptDirs()) {
		fmt.Fprintf(w, "%-20s %s\n    %s\n", s.Name, s.About, s.Path)
	}
}

// addEvals adds the --eval sources to the scripts, in order after the -s
// ones (which the session looks up in scriptDirs).
func (o *options) addEvals() error {
	for _, src := range o.evals {
		if strings.TrimSpace(src) == "" {
			return fmt.Errorf("parsing --eval: an empty script")
		}
		o.scripts = append(o.scripts, session.EvalPrefix+src)
	}
	return nil
}
