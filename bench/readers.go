package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/restsql/restsql/export"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
)

// Reader reads every row of one query once, adding each to a Tally.
type Reader struct {
	// Name names the reader in reports.
	Name string
	// Kinds are the kinds of the values of each row it adds.
	Kinds []Kind
	// Ordered says that its rows are every row in API order with the id
	// first, so that Measure checks the order.
	Ordered bool
	// Read reads the rows. A reader that only transfers bytes (the
	// transfer floor) adds no rows: it sets Tally.Rows to the rows it
	// transferred.
	Read func(ctx context.Context, t *Tally) error
}

// Query is what a reader reads: some columns of every row, or of the rows
// whose qty is below a bound.
type Query struct {
	// Columns are indexes into the server's columns, in output order.
	Columns []int
	// QtyBelow, when positive, keeps only rows with qty < QtyBelow (qty is
	// column 6, which needs a width of at least 7).
	QtyBelow int64
}

// qtyColumn is the index of the qty column.
const qtyColumn = 6

// AllColumns is the query of every column of every row: SELECT *.
func AllColumns(s *Server) Query {
	q := Query{Columns: make([]int, len(s.cols))}
	for i := range q.Columns {
		q.Columns[i] = i
	}
	return q
}

// Selective is SELECT id, name, city FROM items WHERE qty < 10: three of
// the columns of a tenth of the rows, the filter evaluated by the reader
// (the API cannot apply it). It needs a width of at least 7.
func Selective() Query { return Query{Columns: []int{0, 2, 5}, QtyBelow: 10} }

// SQL is the query's SELECT statement on the items table.
func (q Query) SQL(s *Server) string {
	if q.QtyBelow <= 0 && len(q.Columns) == len(s.cols) {
		all := true
		for i, c := range q.Columns {
			all = all && c == i
		}
		if all {
			return "SELECT * FROM items"
		}
	}
	names := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		names[i] = s.cols[c].Name
	}
	sql := "SELECT " + strings.Join(names, ", ") + " FROM items"
	if q.QtyBelow > 0 {
		sql += " WHERE qty < " + strconv.FormatInt(q.QtyBelow, 10)
	}
	return sql
}

// ordered reports whether the query reads every row with the id first.
func (q Query) ordered() bool {
	return q.QtyBelow <= 0 && len(q.Columns) > 0 && q.Columns[0] == 0
}

func (q Query) kinds(s *Server) []Kind {
	out := make([]Kind, len(q.Columns))
	for i, c := range q.Columns {
		out[i] = s.cols[c].Kind
	}
	return out
}

// valid reports whether the server's rows have the query's columns.
func (q Query) valid(s *Server) error {
	for _, c := range q.Columns {
		if c < 0 || c >= len(s.cols) {
			return fmt.Errorf("bench: the query needs column %d; the rows have %d", c, len(s.cols))
		}
	}
	if q.QtyBelow > 0 && len(s.cols) <= qtyColumn {
		return fmt.Errorf("bench: the query filters on qty; the rows have %d columns", len(s.cols))
	}
	return nil
}

// RestSQL reads the query through database/sql and restsql, scanning each
// row into typed values (int64, float64, string, bool, time.Time).
func RestSQL(name string, db *sql.DB, s *Server, q Query) Reader {
	kinds := q.kinds(s)
	query := q.SQL(s)
	return Reader{Name: name, Kinds: kinds, Ordered: q.ordered(), Read: func(ctx context.Context, t *Tally) error {
		if err := q.valid(s); err != nil {
			return err
		}
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		rec, dest := scanTargets(kinds)
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			t.Add(kinds, rec)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	}}
}

// GJSONLoop is what a careful Go programmer writes by hand: pages one
// after the other, io.ReadAll, gjson.GetBytes(body, "data").ForEach, then
// row.Get per column with a typed conversion.
func GJSONLoop(name string, client *http.Client, s *Server, q Query) Reader {
	kinds := q.kinds(s)
	return Reader{Name: name, Kinds: kinds, Ordered: q.ordered(), Read: func(ctx context.Context, t *Tally) error {
		if err := q.valid(s); err != nil {
			return err
		}
		cols := s.cols
		rec := make(Record, len(q.Columns))
		p := newPager(s)
		for p.more() {
			resp, err := get(ctx, client, p.url)
			if err != nil {
				return err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			n := 0
			var rowErr error
			gjson.GetBytes(body, "data").ForEach(func(_, row gjson.Result) bool {
				n++
				if q.QtyBelow > 0 && row.Get(cols[qtyColumn].Path).Int() >= q.QtyBelow {
					return true
				}
				for i, ci := range q.Columns {
					c := &cols[ci]
					v := row.Get(c.Path)
					switch c.Kind {
					case KindInt:
						rec[i].Int = v.Int()
					case KindFloat:
						rec[i].Float = v.Float()
					case KindString:
						rec[i].Str = v.String()
					case KindBool:
						rec[i].Bool = v.Bool()
					case KindTime:
						tm, err := time.Parse(time.RFC3339, v.Str)
						if err != nil {
							rowErr = fmt.Errorf("column %s: %w", c.Name, err)
							return false
						}
						rec[i].Time = tm
					}
				}
				t.Add(kinds, rec)
				return true
			})
			if rowErr != nil {
				return rowErr
			}
			total, cursor, next := int64(-1), "", ""
			switch s.cfg.Pagination {
			case PagePage, PageOffset:
				if v := gjson.GetBytes(body, "total"); v.Exists() {
					total = v.Int()
				}
			case PageCursor:
				cursor = gjson.GetBytes(body, "next_cursor").Str
			case PageNextURL:
				next = gjson.GetBytes(body, "next").Str
			}
			p.advance(n, total, cursor, next)
		}
		return nil
	}}
}

// NaiveLoop is what most users write: pages one after the other, decoded
// with encoding/json into structs. For the default width the struct is
// written out (naiveItem); for other widths it is built with
// reflect.StructOf, which encoding/json decodes the same way.
func NaiveLoop(name string, client *http.Client, s *Server, q Query) Reader {
	kinds := q.kinds(s)
	if len(s.cols) != DefaultWidth {
		return naiveReflect(name, client, s, q)
	}
	return Reader{Name: name, Kinds: kinds, Ordered: q.ordered(), Read: func(ctx context.Context, t *Tally) error {
		if err := q.valid(s); err != nil {
			return err
		}
		rec := make(Record, len(q.Columns))
		p := newPager(s)
		for p.more() {
			resp, err := get(ctx, client, p.url)
			if err != nil {
				return err
			}
			var page naivePage
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil {
				return err
			}
			for i := range page.Data {
				it := &page.Data[i]
				if q.QtyBelow > 0 && it.Qty >= q.QtyBelow {
					continue
				}
				for j, ci := range q.Columns {
					switch ci {
					case 0:
						rec[j].Int = it.ID
					case 1:
						rec[j].Float = it.Price
					case 2:
						rec[j].Str = it.Name
					case 3:
						rec[j].Bool = it.Active
					case 4:
						rec[j].Time = it.Created
					case 5:
						rec[j].Str = it.Owner.Address.City
					case 6:
						rec[j].Int = it.Qty
					case 7:
						rec[j].Str = it.Note
					}
				}
				t.Add(kinds, rec)
			}
			total := int64(-1)
			if page.Total != nil {
				total = *page.Total
			}
			p.advance(len(page.Data), total, page.NextCursor, page.Next)
		}
		return nil
	}}
}

type naivePage struct {
	Data       []naiveItem `json:"data"`
	Total      *int64      `json:"total"`
	NextCursor string      `json:"next_cursor"`
	Next       string      `json:"next"`
}

type naiveItem struct {
	ID      int64     `json:"id"`
	Price   float64   `json:"price"`
	Name    string    `json:"name"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created"`
	Owner   struct {
		Address struct {
			City string `json:"city"`
		} `json:"address"`
	} `json:"owner"`
	Qty  int64  `json:"qty"`
	Note string `json:"note"`
}

// naiveReflect is NaiveLoop for any width: the item struct is built from
// the columns' paths with reflect.StructOf.
func naiveReflect(name string, client *http.Client, s *Server, q Query) Reader {
	kinds := q.kinds(s)
	item, index := structFor(s.cols)
	pageType := reflect.StructOf([]reflect.StructField{
		{Name: "Data", Type: reflect.SliceOf(item), Tag: `json:"data"`},
		{Name: "Total", Type: reflect.TypeFor[*int64](), Tag: `json:"total"`},
		{Name: "NextCursor", Type: reflect.TypeFor[string](), Tag: `json:"next_cursor"`},
		{Name: "Next", Type: reflect.TypeFor[string](), Tag: `json:"next"`},
	})
	return Reader{Name: name, Kinds: kinds, Ordered: q.ordered(), Read: func(ctx context.Context, t *Tally) error {
		if err := q.valid(s); err != nil {
			return err
		}
		rec := make(Record, len(q.Columns))
		p := newPager(s)
		for p.more() {
			resp, err := get(ctx, client, p.url)
			if err != nil {
				return err
			}
			page := reflect.New(pageType)
			err = json.NewDecoder(resp.Body).Decode(page.Interface())
			resp.Body.Close()
			if err != nil {
				return err
			}
			data := page.Elem().Field(0)
			for i := 0; i < data.Len(); i++ {
				it := data.Index(i)
				if q.QtyBelow > 0 && it.FieldByIndex(index[qtyColumn]).Int() >= q.QtyBelow {
					continue
				}
				for j, ci := range q.Columns {
					f := it.FieldByIndex(index[ci])
					switch s.cols[ci].Kind {
					case KindInt:
						rec[j].Int = f.Int()
					case KindFloat:
						rec[j].Float = f.Float()
					case KindString:
						rec[j].Str = f.String()
					case KindBool:
						rec[j].Bool = f.Bool()
					case KindTime:
						rec[j].Time = *f.Addr().Interface().(*time.Time)
					}
				}
				t.Add(kinds, rec)
			}
			total := int64(-1)
			if tp := page.Elem().Field(1); !tp.IsNil() {
				total = tp.Elem().Int()
			}
			p.advance(data.Len(), total, page.Elem().Field(2).String(), page.Elem().Field(3).String())
		}
		return nil
	}}
}

// structFor builds a struct type whose json tags follow the columns'
// dotted paths (nested structs for nested objects) and returns, for each
// column, the field index path of its value.
func structFor(cols []Column) (reflect.Type, [][]int) {
	type node struct {
		key      string
		col      int // -1 for an object
		children []*node
	}
	root := &node{col: -1}
	for i, c := range cols {
		n := root
		parts := strings.Split(c.Path, ".")
		for depth, part := range parts {
			var next *node
			for _, ch := range n.children {
				if ch.key == part {
					next = ch
				}
			}
			if next == nil {
				next = &node{key: part, col: -1}
				n.children = append(n.children, next)
			}
			if depth == len(parts)-1 {
				next.col = i
			}
			n = next
		}
	}
	index := make([][]int, len(cols))
	var build func(n *node, prefix []int) reflect.Type
	build = func(n *node, prefix []int) reflect.Type {
		fields := make([]reflect.StructField, len(n.children))
		for i, ch := range n.children {
			path := append(append([]int(nil), prefix...), i)
			var typ reflect.Type
			if ch.col >= 0 {
				index[ch.col] = path
				switch cols[ch.col].Kind {
				case KindInt:
					typ = reflect.TypeFor[int64]()
				case KindFloat:
					typ = reflect.TypeFor[float64]()
				case KindBool:
					typ = reflect.TypeFor[bool]()
				case KindTime:
					typ = reflect.TypeFor[time.Time]()
				default:
					typ = reflect.TypeFor[string]()
				}
			} else {
				typ = build(ch, path)
			}
			fields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: typ, Tag: reflect.StructTag(`json:"` + ch.key + `"`)}
		}
		return reflect.StructOf(fields)
	}
	return build(root, nil), index
}

// TransferFloor fetches the same pages as the other readers, one after
// the other, and discards the bytes: what the network and HTTP cost with
// no parsing at all. It knows the row count, so page and offset URLs need
// no parsing; cursor and next-URL pages are read into one reused buffer
// and the link is found with bytes.LastIndex (the server writes it last).
func TransferFloor(name string, client *http.Client, s *Server) Reader {
	return Reader{Name: name, Read: func(ctx context.Context, t *Tally) error {
		var buf bytes.Buffer
		p := newPager(s)
		cfg := s.cfg
		start := 0
		for p.more() {
			resp, err := get(ctx, client, p.url)
			if err != nil {
				return err
			}
			n := min(cfg.PageSize, cfg.Rows-start)
			start += n
			t.Rows += int64(n)
			switch cfg.Pagination {
			case PagePage, PageOffset:
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					return err
				}
				total := int64(cfg.Rows)
				if cfg.NoTotal {
					total = -1
				}
				p.advance(n, total, "", "")
			default:
				buf.Reset()
				_, err = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				if err != nil {
					return err
				}
				link := lastString(buf.Bytes(), `"next_cursor":"`)
				if cfg.Pagination == PageNextURL {
					link = lastString(buf.Bytes(), `"next":"`)
				}
				p.advance(n, -1, link, link)
			}
		}
		return nil
	}}
}

// ParallelFloor is the transfer floor of a parallel scan: workers
// goroutines fetch pages 1 to the last (offset or page pagination), each
// taking the next page number as soon as its last page's bytes are
// discarded. It knows the page count in advance and parses nothing, so no
// client with workers requests in flight can be faster: it shows what the
// server's latency and the machine allow.
func ParallelFloor(name string, client *http.Client, s *Server, workers int) Reader {
	return Reader{Name: name, Read: func(ctx context.Context, t *Tally) error {
		cfg := s.cfg
		if cfg.Pagination != PagePage && cfg.Pagination != PageOffset {
			return fmt.Errorf("bench: %s needs page or offset pagination, not %s", name, cfg.Pagination)
		}
		pages := (cfg.Rows + cfg.PageSize - 1) / cfg.PageSize
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		var next, rows atomic.Int64
		// worker fetches pages until none is left.
		worker := func() error {
			for {
				k := int(next.Add(1)) // 1-based
				if k > pages {
					return nil
				}
				u := s.url + "/items?page=" + strconv.Itoa(k) + "&per_page=" + strconv.Itoa(cfg.PageSize)
				if cfg.Pagination == PageOffset {
					u = s.url + "/items?offset=" + strconv.Itoa((k-1)*cfg.PageSize) + "&limit=" + strconv.Itoa(cfg.PageSize)
				}
				resp, err := get(ctx, client, u)
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					return err
				}
				rows.Add(int64(min(cfg.PageSize, cfg.Rows-(k-1)*cfg.PageSize)))
			}
		}
		var wg sync.WaitGroup
		for range max(workers, 1) {
			wg.Go(func() {
				if err := worker(); err != nil {
					cancel(err)
				}
			})
		}
		wg.Wait()
		t.Rows += rows.Load()
		return context.Cause(ctx)
	}}
}

// lastString returns the JSON string (without escapes) that follows the
// last occurrence of key in body.
func lastString(body []byte, key string) string {
	i := bytes.LastIndex(body, []byte(key))
	if i < 0 {
		return ""
	}
	rest := body[i+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return ""
	}
	return string(rest[:end])
}

// pager walks the server's pages as a hand-written client does.
type pager struct {
	s    *Server
	url  string // the next page's URL ("" = no more)
	page int
	seen int
}

func newPager(s *Server) *pager {
	p := &pager{s: s, page: 1}
	size := strconv.Itoa(s.cfg.PageSize)
	switch s.cfg.Pagination {
	case PagePage:
		p.url = s.url + "/items?page=1&per_page=" + size
	case PageOffset:
		p.url = s.url + "/items?offset=0&limit=" + size
	default:
		p.url = s.url + "/items?limit=" + size
	}
	return p
}

func (p *pager) more() bool { return p.url != "" }

// advance takes what the page just read said: its row count, the total
// (-1 = not given), the next cursor and the next URL.
func (p *pager) advance(rows int, total int64, cursor, next string) {
	p.seen += rows
	size := p.s.cfg.PageSize
	switch p.s.cfg.Pagination {
	case PagePage, PageOffset:
		if rows == 0 || rows < size || (total >= 0 && int64(p.seen) >= total) {
			p.url = ""
			return
		}
		p.page++
		if p.s.cfg.Pagination == PagePage {
			p.url = p.s.url + "/items?page=" + strconv.Itoa(p.page) + "&per_page=" + strconv.Itoa(size)
		} else {
			p.url = p.s.url + "/items?offset=" + strconv.Itoa(p.seen) + "&limit=" + strconv.Itoa(size)
		}
	case PageCursor:
		p.url = ""
		if rows > 0 && cursor != "" {
			p.url = p.s.url + "/items?cursor=" + url.QueryEscape(cursor) + "&limit=" + strconv.Itoa(size)
		}
	case PageNextURL:
		p.url = ""
		if rows > 0 {
			p.url = next
		}
	}
}

// get sends GET u and checks for 200 OK.
func get(ctx context.Context, client *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("bench: GET %s: %s: %s", u, resp.Status, b)
	}
	return resp, nil
}

// Export reads the query through restsql and writes it with the export
// package's encoder of format f (what restsql export does) to a writer
// that counts and discards the bytes; the rows are counted, not checked.
func Export(name string, db *sql.DB, s *Server, q Query, f export.Format) Reader {
	query := q.SQL(s)
	return Reader{Name: name, Read: func(ctx context.Context, t *Tally) error {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := export.ColumnsOf(rows)
		if err != nil {
			return err
		}
		enc, err := export.NewEncoder(f, io.Discard, cols)
		if err != nil {
			return err
		}
		n, err := export.Copy(rows, enc, nil)
		if err != nil {
			return err
		}
		t.Rows = n
		return enc.Close()
	}}
}

// scanTargets returns a Record for one row of kinds and the Scan
// destinations that fill it (pointers into the Record's fields).
func scanTargets(kinds []Kind) (Record, []any) {
	rec := make(Record, len(kinds))
	dest := make([]any, len(kinds))
	for i, k := range kinds {
		switch k {
		case KindInt:
			dest[i] = &rec[i].Int
		case KindFloat:
			dest[i] = &rec[i].Float
		case KindString:
			dest[i] = &rec[i].Str
		case KindBool:
			dest[i] = &rec[i].Bool
		case KindTime:
			dest[i] = &rec[i].Time
		}
	}
	return rec, dest
}
