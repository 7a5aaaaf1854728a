package session

import "testing"

// The summary times the calls (two clock reads each) only when a column
// or the sort key shows time.
func TestSummaryTimed(t *testing.T) {
	for _, tt := range []struct {
		cols, sort string
		want       bool
	}{
		{"", "", true},
		{"calls,errors,name", "", false},
		{"calls,errors,name", "time", false}, // strace's default sort: by calls here
		{"calls,errors,name", "calls", false},
		{"calls,name", "name", false},
		{"calls,name", "nothing", false},
		{"calls,avg-time", "calls", true},
		{"calls,max-time", "calls", true},
		{"calls", "min-time", true},
	} {
		p := &Plan{SummaryArgs: map[string]string{}}
		if tt.cols != "" {
			p.SummaryArgs["summary_columns"] = tt.cols
		}
		if tt.sort != "" {
			p.SummaryArgs["summary_sort"] = tt.sort
		}
		if got := p.summaryTimed(); got != tt.want {
			t.Errorf("columns %q, sort %q: timed %v, want %v", tt.cols, tt.sort, got, tt.want)
		}
	}
}
