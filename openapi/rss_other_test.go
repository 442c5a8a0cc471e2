//go:build !unix

package openapi

func peakRSS() string { return "unknown" }
