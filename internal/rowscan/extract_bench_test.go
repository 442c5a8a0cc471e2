package rowscan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/restsql/restsql/catalog"
)

// benchPage renders a page of n rows shaped like bench/'s: 8 columns, one
// nested two objects deep beside fields no column reads, some escapes.
func benchPage(n int) string {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		city := "Oslo"
		if i%2 == 1 {
			city = `K\u00f8benhavn`
		}
		zone := "Z"
		if i%5 == 0 {
			zone = "+02:00"
		}
		note := "plain text of a note that goes on for a while"
		if i%3 == 0 {
			note = `with \"quotes\", a\ttab and a \\ backslash`
		}
		fmt.Fprintf(&b, `{"id":%d,"price":%d.%02d,"name":"item %d","active":%t,"created":"2024-03-%02dT10:20:30%s",`+
			`"owner":{"id":%d,"address":{"street":"Main St %d","city":"%s"}},"qty":%d,"note":"%s"}`,
			i+1, i%1000, i%100, i, i%2 == 0, i%28+1, zone, i%97, i, city, i%50, note)
	}
	fmt.Fprintf(&b, `],"total":%d,"page":1}`, n)
	return b.String()
}

var benchCols = []*catalog.Column{
	{Name: "id", Type: "int"}, {Name: "price", Type: "float"}, {Name: "name"}, {Name: "active", Type: "bool"},
	{Name: "created", Type: "datetime"}, {Name: "city", Path: "owner.address.city"}, {Name: "qty", Type: "int"}, {Name: "note"},
}

// BenchmarkExtract reads a page of 1,000 rows: the one-pass scanner (what a
// scan uses) and the general way (CheckJSON, FindRows, gjson per row), for
// every column and for two of them.
func BenchmarkExtract(b *testing.B) {
	const rows = 1000
	body := benchPage(rows)
	for _, cols := range []struct {
		name string
		cols []*catalog.Column
	}{{"all", benchCols}, {"two", []*catalog.Column{benchCols[0], benchCols[5]}}} {
		e := New("T", false, cols.cols)
		prog := e.Compile("data", []string{"total"})
		b.Run("scanner/"+cols.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				pg, ok := e.ScanPage(prog, body, rows)
				if !ok || pg.N != rows {
					b.Fatal("scan failed")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
		b.Run("general/"+cols.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				pg, err := generalPage(e, body, "data")
				if err != nil || pg.N != rows {
					b.Fatal("general failed", err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
