package script

// A function named almost like a hook (def on_sycall(ev), Lua's function
// onsyscall) is a typo that would otherwise go unnoticed: the hook never
// runs and the trace looks whole. Loading refuses it, with the hook meant.

import (
	"fmt"
	"strings"
)

// hookKey is a name as hooks are compared: lower case, no underscores.
func hookKey(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "")
}

// misnamedHook returns the hook that the function name fn seems meant to
// be, or "": a name that is not a hook but starts with "on" and is one
// case, underscore or two letters from one.
func misnamedHook(fn string) string {
	if !strings.HasPrefix(strings.ToLower(fn), "on") {
		return ""
	}
	best, bestD := "", 3
	k := hookKey(fn)
	for _, h := range hookSpecs {
		if fn == h.name {
			return ""
		}
		if d := editDistance(k, hookKey(h.name), bestD); d < bestD {
			best, bestD = h.name, d
		}
	}
	return best
}

// hookNameError is the load error of a function named like a hook.
func hookNameError(script, fn, hook string) error {
	return fmt.Errorf("loading script %s: %s is not a hook: did you mean %s? (hooks: %s)", script, fn, hook, strings.Join(Hooks(), ", "))
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
