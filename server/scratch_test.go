package server

import (
	"fmt"
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	q := os.Getenv("Q")
	if q == "" {
		t.Skip()
	}
	e := startServer(t)
	c := e.connect(t, "default_query_exec_mode=simple_protocol")
	toks, _ := lexSQL(q, true)
	tr, err := translate(toks)
	if err == nil {
		fmt.Println("SQL:", tr.sql)
	}
	rows, err := c.Query(testCtx(t), q)
	if err != nil {
		fmt.Println("ERR", err)
		return
	}
	for _, f := range rows.FieldDescriptions() {
		fmt.Print(f.Name, ":", f.DataTypeOID, " | ")
	}
	fmt.Println()
	for rows.Next() {
		v, _ := rows.Values()
		fmt.Println(v)
	}
	fmt.Println("ERR", rows.Err())
}
