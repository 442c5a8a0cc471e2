package restsource

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: every
// scan's goroutines and connections end when its rows are closed or its
// context is cancelled.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
