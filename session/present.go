package session

import (
	"strconv"
	"strings"
)

// SplitDumps takes strace's -e read=SET and -e write=SET out of the -e
// expressions: they choose what the strace format dumps, not which events
// are kept. A set is descriptors, all or none, negated with !; the maps
// hold the fds named, with -1 standing for every other fd.
func SplitDumps(exprs []string) (rest []string, read, write map[int]bool, err error) {
	for _, e := range exprs {
		q, v, ok := strings.Cut(e, "=")
		if !ok || q != "read" && q != "write" && q != "r" && q != "w" && q != "reads" && q != "writes" {
			rest = append(rest, e)
			continue
		}
		set, err := parseFdSet(e, v)
		if err != nil {
			return nil, nil, nil, err
		}
		if q[0] == 'r' {
			read = set
		} else {
			write = set
		}
	}
	return rest, read, write, nil
}

func parseFdSet(e, v string) (map[int]bool, error) {
	neg := strings.HasPrefix(v, "!")
	v = strings.TrimPrefix(v, "!")
	if v == "" {
		return nil, usagef("parsing -e %s: empty list", e)
	}
	set := map[int]bool{-1: neg}
	for _, f := range strings.Split(v, ",") {
		switch f {
		case "all":
			set[-1] = !neg
		case "none":
			set[-1] = neg
		default:
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 {
				return nil, usagef("parsing -e %s: %q is not a descriptor (a number, all or none)", e, f)
			}
			set[n] = !neg
		}
	}
	return set, nil
}
