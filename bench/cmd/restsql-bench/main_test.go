package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunCustom(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-scenario", "custom", "-rows", "600", "-page-size", "100", "-runs", "1", "-markdown"}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	for _, want := range []string{"### custom", "| restsql SELECT * |", "| gjson loop |", "| naive loop |", "| transfer floor |", "restsql / gjson loop ="} {
		require.Contains(t, out.String(), want)
	}
}

func TestRunProfile(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-profile", "-pagination", "cursor"}, &out, &errOut))
	require.Contains(t, out.String(), "type: cursor")
	require.True(t, strings.HasPrefix(out.String(), "catalogs:"))
}

func TestRunErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	require.ErrorContains(t, run(context.Background(), []string{"-scenario", "nope"}, &out, &errOut), `unknown scenario "nope"`)
	require.ErrorContains(t, run(context.Background(), []string{"-pagination", "pages", "-scenario", "custom"}, &out, &errOut), `pagination "pages"`)
	require.Error(t, run(context.Background(), []string{"extra"}, &out, &errOut))
}

// TestRunServe runs the serve scenario CI-sized: pgx through restsql serve
// must return the direct read's rows (the scenario compares their
// checksums and fails otherwise); PostgreSQL's and JDBC's readers run
// where their programs are installed and are skipped with a note
// elsewhere.
func TestRunServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and a JVM")
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-scenario", "serve", "-quick", "-markdown"}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	for _, want := range []string{"### serve", "| restsql SELECT * |", "| pgx via restsql serve |", "pgx via restsql serve time / restsql SELECT * time", "load average"} {
		require.Contains(t, out.String(), want)
	}
	t.Log(out.String())
}
