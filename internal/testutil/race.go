//go:build race

package testutil

// raceEnabled: this test binary runs with the race detector, and so does
// the tracer it builds (Tracer).
const raceEnabled = true
