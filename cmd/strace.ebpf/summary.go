package main

// -c and -C: strace's summary table (stdlib/summary.star).

import (
	"errors"

	"github.com/spf13/pflag"
)

func addSummaryFlags(fs *pflag.FlagSet, o *options) {
	fs.BoolVarP(&o.summaryOnly, "summary-only", "c", false, "count time, calls and errors per syscall and print strace's summary table at the end, instead of the trace")
	fs.BoolVarP(&o.summary, "summary", "C", false, "like -c, but also print the trace")
}

// checkSummary refuses what the summary cannot go with: it is a stage of
// the script pipeline, so -C needs a format that is one (hex, strace), and
// -c replaces the format.
func checkSummary(o *options, fs *pflag.FlagSet) error {
	switch {
	case !o.summaryOnly && !o.summary:
		return nil
	case o.summaryOnly && fs.Changed("format"):
		return errors.New("parsing options: -c prints only the summary table: it takes no -l (use -C for both)")
	case !o.summaryOnly && formats[o.format].script == "":
		return errors.New("parsing options: -C prints the summary after a text trace: -l hex or -l strace")
	case o.follow > 1:
		return errors.New("parsing options: -c and -C sum up the whole trace: they do not go with -ff")
	}
	return nil
}
