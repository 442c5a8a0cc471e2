//go:build unix

package openapi

import (
	"runtime"
	"strconv"
	"syscall"
)

// peakRSS is the process's peak resident set size.
func peakRSS() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "unknown"
	}
	kb := ru.Maxrss
	if runtime.GOOS == "darwin" {
		kb /= 1024 // bytes there
	}
	return strconv.FormatInt(kb>>10, 10) + " MB"
}
