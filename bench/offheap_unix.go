//go:build unix

package bench

import "syscall"

// allocOffHeap returns n zeroed bytes outside the Go heap (an anonymous
// private mapping), and the function that releases them. The server keeps
// its rendered pages there so that they neither count in the client's peak
// heap nor raise the garbage collector's heap goal: a client measured
// beside tens of megabytes of live server data would collect garbage less
// often than it does on its own.
func allocOffHeap(n int) ([]byte, func(), error) {
	if n == 0 {
		return nil, func() {}, nil
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { _ = syscall.Munmap(b) }, nil
}
