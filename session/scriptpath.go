package session

// -s NAME's search path: a script not found as given is looked up by name
// in Plan.ScriptPath (the current directory, the user's scripts, the
// installed examples: cmd/strace.ebpf says which).

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/internal/suggest"
)

// FindScript resolves -s SPEC: a path that exists as given, or that names
// a directory (the script loader says what is wrong with it), else NAME
// (with or without .star or .lua, ":key=value" arguments kept) in dirs.
func FindScript(spec string, dirs []string) (string, error) {
	if _, err := os.Stat(spec); err == nil || len(dirs) == 0 {
		return spec, nil
	}
	name, args, hasArgs := strings.Cut(spec, ":")
	if _, err := os.Stat(name); err == nil || strings.ContainsRune(name, '/') {
		return spec, nil
	}
	for _, dir := range dirs {
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
	for _, s := range ListScripts(dirs) {
		known = append(known, strings.TrimSuffix(strings.TrimSuffix(s.Name, ".star"), ".lua"))
	}
	return "", fmt.Errorf("loading script %s: not found in %s%s (-s help lists the scripts)", name,
		strings.Join(dirs, ", "), suggest.Hint(name, known))
}

// FoundScript is a script of the search path.
type FoundScript struct{ Name, Path, About string }

// ListScripts are the .star and .lua files of dirs, the first of a name
// winning, with their first comment line, by name.
func ListScripts(dirs []string) []FoundScript {
	seen := map[string]bool{}
	var out []FoundScript
	for _, dir := range dirs {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || (filepath.Ext(n) != ".star" && filepath.Ext(n) != ".lua") || seen[n] {
				continue
			}
			seen[n] = true
			p := filepath.Join(dir, n)
			out = append(out, FoundScript{n, p, firstComment(p)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
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
