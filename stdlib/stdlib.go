// Package stdlib holds the stock scripts: the built-in analyses that
// options select (-c, -C: summary.star), written in Starlark and embedded
// in the binary; scripts load them as stdlib/NAME. (The stock formats are
// Go writers, package format.)
package stdlib

import "embed"

// Files are the stock scripts, by file name.
//
//go:embed *.star
var Files embed.FS
