package main

// -c and -C: strace's summary table (stdlib/summary.star).

import (
	"errors"

	"github.com/spf13/pflag"
)

const (
	summaryOnly = 1 // -c: the table instead of a trace
	summaryToo  = 2 // -C: the trace, then the table
)

type summaryFlag struct {
	o    *options
	mode int
}

func (f *summaryFlag) String() string   { return "false" }
func (f *summaryFlag) Type() string     { return "bool" }
func (f *summaryFlag) IsBoolFlag() bool { return true }
func (f *summaryFlag) Set(v string) error {
	if v == "true" {
		f.o.summary = f.mode
	}
	return nil
}

func addSummaryFlags(fs *pflag.FlagSet, o *options) {
	fs.VarPF(&summaryFlag{o, summaryOnly}, "summary-only", "c", "count time, calls and errors per syscall and print strace's summary table at the end, instead of the trace").NoOptDefVal = "true"
	fs.VarPF(&summaryFlag{o, summaryToo}, "summary", "C", "like -c, but also print the trace").NoOptDefVal = "true"
}

// checkSummary refuses what the summary cannot go with: it is a stage of
// the script pipeline, so -C needs a format that is one (hex, strace), and
// -c replaces the format.
func checkSummary(o *options, fs *pflag.FlagSet) error {
	switch {
	case o.summary == 0:
		return nil
	case o.summary == summaryOnly && fs.Changed("format"):
		return errors.New("parsing options: -c prints only the summary table: it takes no -l (use -C for both)")
	case o.summary == summaryToo && formats[o.format].script == "":
		return errors.New("parsing options: -C prints the summary after a text trace: -l hex or -l strace")
	case o.follow > 1:
		return errors.New("parsing options: -c and -C sum up the whole trace: they do not go with -ff")
	}
	return nil
}
