package restsql

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: every
// query's goroutines and connections end when its rows are closed or its
// context is cancelled, and a closed DB leaves no connection behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
