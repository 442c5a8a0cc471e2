//go:build !unix

package bench

// allocOffHeap returns n zeroed bytes. Where there is no anonymous mmap the
// bytes live on the Go heap: peak heap figures then include the server's
// pages.
func allocOffHeap(n int) ([]byte, func(), error) {
	return make([]byte, n), func() {}, nil
}
