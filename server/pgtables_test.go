package server

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("RESTSQL_SHOW_FALLBACK") != "" {
		catalogFallback = func(toks []token, err error) {
			tr, _ := translate(toks)
			s := ""
			if tr != nil {
				s = tr.sql
			}
			fmt.Fprintf(os.Stderr, "FALLBACK: %v\n  SQL: %s\n", err, s)
		}
	}
	if os.Getenv("RESTSQL_SHOW_CATALOG") != "" {
		catalogTrace = func(toks []token) {
			tr, _ := translate(toks)
			if tr != nil {
				fmt.Fprintf(os.Stderr, "CATALOG: %s\n", tr.sql)
			}
		}
	}
	os.Exit(m.Run())
}
