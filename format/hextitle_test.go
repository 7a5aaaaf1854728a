package format

import "testing"

// The title line escapes the command line as rows escape strings: a
// newline or tab in an argument stays on line 1, in its own column.
func TestHexTitleEscaped(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"strace.ebpf", "ls", "-l"}, "strace.ebpf\tls\t-l"},
		{[]string{"strace.ebpf", "sh", "-c", "echo a\nb\tc\\"}, `strace.ebpf` + "\t" + `sh` + "\t" + `-c` + "\t" + `echo a\nb\tc\\`},
		{[]string{"strace.ebpf", "\x1b[31m\xff"}, "strace.ebpf\t\\x1B[31m\\xFF"},
	} {
		if got := HexTitle(tc.argv, HexOptions{}); got != tc.want {
			t.Errorf("HexTitle(%q) = %q, want %q", tc.argv, got, tc.want)
		}
	}
}
