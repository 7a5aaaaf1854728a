//go:build race

package script

// raceDetector: the race detector's shadow memory multiplies what the
// memory tests' processes hold.
const raceDetector = true
