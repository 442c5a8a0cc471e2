//go:build !race

package difftest

// raceDetector is set in a -race build (see race_test.go).
const raceDetector = false
