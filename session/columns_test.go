package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSummaryColumns(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		err  string
	}{
		{"calls,errors,name", []string{"calls", "errors", "name"}, ""},
		{"count,error", []string{"calls", "errors", "name"}, ""},
		{"syscall,time,time-total,time-avg", []string{"name", "time-percent", "total-time", "avg-time"}, ""},
		{"calls,max-time", nil, "parsing -U calls,max-time: max-time: not supported (the kernel keeps no shortest or longest call)"},
		{"calls,shortest", nil, "parsing -U calls,shortest: shortest: not supported (the kernel keeps no shortest or longest call)"},
		{"calls,,name", nil, "parsing -U calls,,name: an empty column name"},
		{"calls,count", nil, "parsing -U calls,count: count given twice"},
		{"bogus", nil, `parsing -U bogus: unknown column "bogus" (time-percent, total-time, avg-time, calls, errors, name)`},
	} {
		got, err := ParseSummaryColumns(tt.in)
		if tt.err != "" {
			var ue *UsageError
			if err == nil || err.Error() != tt.err || !errors.As(err, &ue) {
				t.Errorf("%s: got error %v, want usage error %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestSummaryColumnsReplay: -U picks and orders the columns of -c's table,
// with strace's headers and widths; the calls and errors are the default
// table's; without a time column the rows go by calls.
func TestSummaryColumnsReplay(t *testing.T) {
	full, _, err := replay(t, workload, Plan{Summary: SummaryOnly})
	if err != nil {
		t.Fatal(err)
	}
	cols, _, err := replay(t, workload, Plan{Summary: SummaryOnly, SummaryColumns: []string{"calls", "errors", "name"}})
	if err != nil {
		t.Fatal(err)
	}
	// name calls errors of each row of the default table.
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(full), "\n")[2:] {
		f := strings.Fields(l)
		if strings.HasPrefix(l, "---") {
			continue
		}
		errs := ""
		if len(f) == 6 {
			errs = f[4]
		}
		want[f[len(f)-1]] = f[3] + " " + errs
	}
	lines := strings.Split(strings.TrimRight(cols, "\n"), "\n")
	if lines[0] != "    calls    errors syscall" || lines[1] != "--------- --------- ----------------" {
		t.Fatalf("header:\n%s", cols)
	}
	got := map[string]string{}
	prev := -1
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "---") {
			continue
		}
		calls, errs, name := strings.TrimSpace(l[:9]), strings.TrimSpace(l[10:19]), l[20:]
		got[name] = calls + " " + errs
		var n int
		for _, c := range calls {
			n = n*10 + int(c-'0')
		}
		if name != "total" && prev >= 0 && n > prev {
			t.Errorf("rows not sorted by calls: %q after %d calls", l, prev)
		}
		if name != "total" {
			prev = n
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls and errors, default table vs -U calls,errors (-want +got):\n%s", diff)
	}

	named, _, err := replay(t, workload, Plan{Summary: SummaryOnly, SummaryColumns: []string{"name", "calls", "time-percent", "avg-time"}})
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(named, "\n")
	if lines[0] != "syscall              calls % time  usecs/call" || lines[1] != "---------------- --------- ------ -----------" {
		t.Errorf("-U name,calls,time-percent,avg-time header:\n%s", named)
	}
}

func TestSummaryColumnsRefused(t *testing.T) {
	p := Plan{SummaryColumns: []string{"calls", "name"}}
	_, _, err := replay(t, workload, p)
	if err == nil || err.Error() != "parsing options: -U chooses the columns of the summary table: it needs -c or -C" {
		t.Errorf("-U without -c: got %v", err)
	}
}
