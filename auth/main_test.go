package auth

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests when a goroutine outlives them (a token
// request that does not stop with its context, say).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
