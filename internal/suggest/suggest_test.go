package suggest

import "testing"

func TestNearest(t *testing.T) {
	for _, tt := range []struct {
		word  string
		cands []string
		want  string
	}{
		{"ouptut", []string{"output", "input", "format"}, "output"},
		{"opnat", []string{"open", "openat", "read"}, "openat"},
		{"%fil", []string{"%file", "%desc", "%net"}, "%file"},
		{"stace", []string{"hex", "strace", "json"}, "strace"},
		{"failure", []string{"successful", "failed", "unfinished"}, "failed"},
		{"zzzzzz", []string{"output", "input"}, ""},
		{"output", []string{"output"}, ""},
		{"", []string{"a"}, ""},
	} {
		if got := Nearest(tt.word, tt.cands); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	if got, want := Hint("stace", []string{"strace"}), ` (did you mean "strace"?)`; got != want {
		t.Errorf("Hint = %q, want %q", got, want)
	}
}
