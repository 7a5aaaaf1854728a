package main

// -s NAME's search path (the current directory, the user's scripts, the
// installed examples), -s help, and --eval's inline scripts.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/internal/suggest"
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

// findScript resolves -s SPEC: a path that exists as given, else NAME (with
// or without .star or .lua, ":key=value" arguments kept) looked up in
// scriptDirs.
func findScript(spec string) (string, error) {
	if _, err := os.Stat(spec); err == nil {
		return spec, nil
	}
	name, args, hasArgs := strings.Cut(spec, ":")
	if _, err := os.Stat(name); err == nil || strings.ContainsRune(name, '/') {
		return spec, nil // a path: the script loader says what is wrong
	}
	for _, dir := range scriptDirs() {
		for _, cand := range []string{name, name + ".star", name + ".lua"} {
			p := filepath.Join(dir, cand)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				if hasArgs {
					p += ":" + args
				}
				return p, nil
			}
		}
	}
	var known []string
	for _, s := range listScripts() {
		known = append(known, strings.TrimSuffix(strings.TrimSuffix(s.name, ".star"), ".lua"))
	}
	return "", fmt.Errorf("loading script %s: not found in %s%s (-s help lists the scripts)", name,
		strings.Join(scriptDirs(), ", "), suggest.Hint(name, known))
}

type foundScript struct{ name, path, about string }

// listScripts are the .star and .lua files of scriptDirs, the first of a
// name winning, with their first comment line.
func listScripts() []foundScript {
	seen := map[string]bool{}
	var out []foundScript
	for _, dir := range scriptDirs() {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || (filepath.Ext(n) != ".star" && filepath.Ext(n) != ".lua") || seen[n] {
				continue
			}
			seen[n] = true
			p := filepath.Join(dir, n)
			out = append(out, foundScript{n, p, firstComment(p)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// firstComment is a script's first comment line, its "# " or "-- " cut.
func firstComment(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutPrefix(l, "#"); ok {
			return strings.TrimSpace(c)
		}
		if c, ok := strings.CutPrefix(l, "--"); ok {
			return strings.TrimSpace(c)
		}
		if l != "" {
			return ""
		}
	}
	return ""
}

// printScripts is -s help: the search path and the scripts found in it.
func printScripts(w io.Writer) {
	fmt.Fprintf(w, "-s NAME looks in: %s\n\n", strings.Join(scriptDirs(), ", "))
	for _, s := range listScripts() {
		fmt.Fprintf(w, "%-20s %s\n    %s\n", s.name, s.about, s.path)
	}
}

// resolveScripts resolves every -s and adds the --eval sources, in order
// after them.
func (o *options) resolveScripts() error {
	for i, s := range o.scripts {
		p, err := findScript(s)
		if err != nil {
			return err
		}
		o.scripts[i] = p
	}
	for _, src := range o.evals {
		if strings.TrimSpace(src) == "" {
			return fmt.Errorf("parsing --eval: an empty script")
		}
		o.scripts = append(o.scripts, session.EvalPrefix+src)
	}
	return nil
}
