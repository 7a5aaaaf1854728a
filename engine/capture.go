package engine

import (
	"fmt"
	"strconv"
)

// nameMax is NAME_MAX, the longest file name; PATH_MAX is pathMax.
const nameMax = 255

// StrMaxOf is the StrMax of a -n/--filenames mode: the bytes of a string
// argument the kernel reads, its NUL included: "full" (0: whole paths,
// PATH_MAX), "name_max" (NAME_MAX), "fast" (127), or a number N of NAME_MAX
// parts.
func StrMaxOf(mode string) (int, error) {
	switch mode {
	case "full":
		return 0, nil
	case "name_max":
		return nameMax + 1, nil
	case "fast":
		return 128, nil
	}
	n, err := strconv.Atoi(mode)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("parsing -n %s: want full, name_max, fast or a number of NAME_MAX (255-byte) parts, at least 1", mode)
	}
	return min(n*nameMax+1, pathMax), nil
}
