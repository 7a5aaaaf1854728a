// Package stdlib holds the stock scripts: the formats and filters that
// options select (-l hex, -X), written in Starlark and embedded in the
// binary. Their heavy lifting is done by native builtins.
package stdlib

import "embed"

// Files are the stock scripts, by file name.
//
//go:embed *.star
var Files embed.FS
