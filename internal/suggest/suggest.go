// Package suggest finds the valid spelling nearest to a mistyped one, for
// the "did you mean" of option, format, syscall, class and status errors.
package suggest

import "strings"

// Nearest is the candidate closest to word by edit distance (insertions,
// deletions, substitutions and swaps of neighbours), or "" when none is
// close enough to be a likely typo: at most a third of the word's length,
// and at least one edit allowed. A candidate that word is a prefix of
// (an abbreviation) wins over a farther one. Ties go to the first in
// candidates.
func Nearest(word string, candidates []string) string {
	if word == "" {
		return ""
	}
	limit := max(1, (len(word)+2)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == word {
			return ""
		}
		d := distance(strings.ToLower(word), strings.ToLower(c))
		if d > limit && len(word) >= 3 && strings.HasPrefix(c, word) {
			d = limit // an abbreviation: as good as the farthest typo
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Hint is ` (did you mean "X"?)` for the nearest candidate, or "".
func Hint(word string, candidates []string) string {
	if n := Nearest(word, candidates); n != "" {
		return " (did you mean " + quote(n) + "?)"
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }

// distance is the optimal string alignment distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
