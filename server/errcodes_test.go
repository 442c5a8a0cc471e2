package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/restsql/restsql/internal/errcode"
)

// TestEveryCodeHasASQLState: each code of package errcode maps to a
// SQLSTATE other than XX000, so that no kind of error the driver names
// reaches a client as an internal error.
func TestEveryCodeHasASQLState(t *testing.T) {
	n := 0
	for c := errcode.Code(1); !strings.HasPrefix(c.String(), "errcode.Code("); c++ {
		n++
		err := errcode.Errorf(c, "test: %s", c)
		state := classify(err)
		assert.NotEqual(t, codeInternal, state, "code %s", c)
		assert.Equal(t, sqlStates[c], state, "code %s", c)
	}
	assert.Equal(t, len(sqlStates), n, "sqlStates maps every code, and only those")
	for c, want := range map[errcode.Code]string{
		errcode.Config: "F0000", errcode.InvalidSQL: "42601", errcode.Cardinality: "21000",
	} {
		assert.Equal(t, want, classify(errcode.Errorf(c, "x")), "code %s", c)
	}
}
