package main

import (
	"bytes"
	"strings"
	"testing"
)

// Every bad command line exits 2, as the man page says: an unknown format
// as much as an unknown flag. (No BPF: each is refused before anything
// loads.)
func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-l", "nope", "true"}, `choosing format: unknown format "nope" (valid: hex,`},
		{[]string{"-l", "nope", "-i", "x.bin"}, `choosing format: unknown format "nope"`},
		{[]string{"--bogus"}, "parsing options: unknown flag: --bogus"},
		{[]string{"-e", "trace=nosuch", "true"}, `parsing -e trace=nosuch: unknown`},
		{[]string{"-e", "status=bogus", "true"}, `parsing -e status=bogus: unknown status`},
		{[]string{"--buffer-size", "3K", "true"}, "parsing --buffer-size:"},
		{[]string{"-n", "bogus", "true"}, "parsing -n bogus:"},
		{[]string{"-p", "0"}, `parsing -p: "0" is not a pid`},
		{[]string{"-k", "-l", "hex", "true"}, "choosing options: -k does not apply to -l hex"},
		{[]string{"-c", "-l", "json", "true"}, "parsing options: -c prints only the summary table"},
		{[]string{"--script-errors", "nope", "true"}, `parsing --script-errors: "nope" is not one of`},
		{[]string{"--script-output", "f", "true"}, "parsing options: --script-output takes what scripts (-s) print"},
		{[]string{"--interval", "-1s", "true"}, "parsing --interval:"},
	} {
		var so, se bytes.Buffer
		code, err := run(append([]string{"strace.ebpf"}, tc.args...), &so, &se)
		if code != 2 || err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%v: exit %d, error %v; want 2 and %q", tc.args, code, err, tc.want)
		}
	}
}
