package openapi

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteYAMLIsYAML(t *testing.T) {
	// Printed in batches of any size, the profile is what YAML prints.
	defer func(n int) { streamBatch = n }(streamBatch)
	for _, name := range []string{"jsonplaceholder.yaml", "helpdesk.yaml", "inventory.json", "real/spotify.json", "real/stripe.json"} {
		doc, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		res, err := Generate(doc, Options{})
		require.NoError(t, err)
		want, err := res.YAML()
		require.NoError(t, err)
		for _, n := range []int{1, 2, 3, 64} {
			streamBatch = n
			var buf bytes.Buffer
			require.NoError(t, res.WriteYAML(&buf))
			assert.Equal(t, string(want), buf.String(), "%s in batches of %d", name, n)
		}
		again, err := res.YAML()
		require.NoError(t, err)
		assert.Equal(t, string(want), string(again), "%s: WriteYAML changed the profile", name)
	}
}
