package session

import "strings"

// timedColumns are the summary's columns and sort keys that show or need
// time (strace's -U and -S names): only they make the kernel time the
// calls, which costs two clock reads per call.
var timedColumns = map[string]bool{"time-percent": true, "total-time": true, "avg-time": true, "min-time": true, "max-time": true}

// defaultSummaryColumns are strace's default columns of -c's table.
const defaultSummaryColumns = "time-percent,total-time,avg-time,calls,errors,name"

// summaryTimed says the summary table shows a time, or sorts by one that
// is not strace's default (-S avg-time, min-time, max-time): the calls
// must be timed. Without (-U calls,errors), the kernel reads no clock and
// counts each call at its exit alone, and the default sort by time, which
// no column would show, becomes a sort by calls (stdlib/summary.star).
func (p *Plan) summaryTimed() bool {
	cols := p.SummaryArgs["summary_columns"]
	if cols == "" {
		cols = defaultSummaryColumns
	}
	sort := p.SummaryArgs["summary_sort"]
	for _, c := range append(strings.Split(cols, ","), sort) {
		if timedColumns[c] {
			return true
		}
	}
	return false
}
