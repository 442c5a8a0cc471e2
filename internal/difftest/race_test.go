//go:build race

package difftest

// raceDetector is set in a -race build, where every query costs several
// times more: the generated corpus is smaller by default.
const raceDetector = true
