package session

import "strings"

// summaryColumns are the columns of -c's table that -U (strace's
// --summary-columns) may name: strace's canonical names and their aliases.
// strace's min-time and max-time are refused: the kernel keeps no extremes.
var summaryColumns = map[string]string{
	"time-percent": "time-percent", "time": "time-percent",
	"total-time": "total-time", "time-total": "total-time",
	"avg-time": "avg-time", "time-avg": "avg-time",
	"calls": "calls", "count": "calls",
	"errors": "errors", "error": "errors",
	"name": "name", "syscall": "name", "syscall-name": "name",
}

// timedColumns are the columns that show time: only they make the kernel
// time the calls.
var timedColumns = map[string]bool{"time-percent": true, "total-time": true, "avg-time": true}

// DefaultSummaryColumns are strace's default columns of -c's table.
var DefaultSummaryColumns = []string{"time-percent", "total-time", "avg-time", "calls", "errors", "name"}

// ParseSummaryColumns parses -U's list: comma-separated column names
// (strace's, with their aliases), each once; name is added last when not
// given, as strace does.
func ParseSummaryColumns(s string) ([]string, error) {
	var cols []string
	seen := map[string]bool{}
	for _, c := range strings.Split(s, ",") {
		switch c {
		case "":
			return nil, usagef("parsing -U %s: an empty column name", s)
		case "min-time", "shortest", "time-min", "max-time", "longest", "time-max":
			return nil, usagef("parsing -U %s: %s: not supported (the kernel keeps no shortest or longest call)", s, c)
		}
		name, ok := summaryColumns[c]
		if !ok {
			return nil, usagef("parsing -U %s: unknown column %q (time-percent, total-time, avg-time, calls, errors, name)", s, c)
		}
		if seen[name] {
			return nil, usagef("parsing -U %s: %s given twice", s, c)
		}
		seen[name] = true
		cols = append(cols, name)
	}
	if !seen["name"] {
		cols = append(cols, "name")
	}
	return cols, nil
}

// summaryColumns is the summary table's columns: -U's, else strace's
// default.
func (p *Plan) summaryColumns() []string {
	if p.SummaryColumns != nil {
		return p.SummaryColumns
	}
	return DefaultSummaryColumns
}

// summaryTimed says the summary table shows time: the calls must be
// timed, which costs two clock reads per call.
func (p *Plan) summaryTimed() bool {
	for _, c := range p.summaryColumns() {
		if timedColumns[c] {
			return true
		}
	}
	return false
}
