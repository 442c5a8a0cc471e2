package difftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The shapes suite's fake API (TestRandomShapes): one set of orders, each
// with a nested array of lines and each line with a nested array of taxes,
// served four ways:
//
//   - GET /orders: a bare JSON array paged by offset and limit (capped at 3
//     rows a page), filtered by status (exact), total_gt, sku (orders that
//     have a line of that sku), sorted by sort=id&order=asc|desc;
//   - POST /search: a search endpoint that reads its filters, sort, limit
//     and cursor from the JSON body ({"filters": [{"field", "op", "value"}],
//     "sort": {"field", "dir"}, "limit", "after", "page_size"}) and answers
//     {"results": […], "next": cursor or null};
//   - POST /graphql: {"variables": {"first", "after", "status"}} answered
//     with {"data": {"orders": {"nodes": […], "pageInfo": {…}}}};
//   - GET /sheet: {"values": [[header…], [cells…]…]} with short rows.
//
// Lines and taxes are missing, null or empty in some orders and lines.

// shOrder is one order of the shapes API, as its JSON object.
type shOrder map[string]any

// shData is the shapes API's data set.
type shData struct {
	orders []shOrder
	sheet  [][]any // the sheet's rows after the header: id, name, score
	// cursor is how /search writes its cursor: 0 text, 1 a number, 2 an
	// array.
	cursor int
}

var shStatuses = []any{"open", "paid", "void", "Open", "", nil}
var shTotals = []any{0.0, 1.5, 10.0, 99.25, -3.0, nil, 10.0}
var shSkus = []any{"A", "B", "C", "a", nil}

func newShData(seed uint64) *shData {
	r := rand.New(rand.NewPCG(seed, 4242))
	pick := func(xs []any) any { return xs[r.IntN(len(xs))] }
	d := &shData{cursor: int(seed % 3)}
	n := 5 + r.IntN(10)
	ids := r.Perm(n)
	lid, tid := 100, 1000
	for _, i := range ids {
		o := shOrder{"id": float64(i + 1), "cust": fmt.Sprintf("c%d", r.IntN(4))}
		if s := pick(shStatuses); s != nil || r.IntN(2) == 0 {
			o["status"] = s
		}
		if t := pick(shTotals); t != nil || r.IntN(2) == 0 {
			o["total"] = t
		}
		switch k := r.IntN(10); {
		case k == 0: // no lines field
		case k == 1:
			o["lines"] = nil
		case k == 2:
			o["lines"] = []any{}
		default:
			var lines []any
			for j := 0; j < 1+r.IntN(3); j++ {
				lid++
				l := map[string]any{"lid": float64(lid), "sku": pick(shSkus), "price": pick(shTotals)}
				if r.IntN(5) > 0 {
					l["qty"] = float64(r.IntN(4))
				}
				switch k := r.IntN(6); {
				case k == 0:
				case k == 1:
					l["taxes"] = nil
				case k == 2:
					l["taxes"] = []any{}
				default:
					var taxes []any
					for m := 0; m < 1+r.IntN(2); m++ {
						tid++
						taxes = append(taxes, map[string]any{"tid": float64(tid), "rate": pick([]any{0.1, 0.2, nil}), "code": pick([]any{"x", "y", nil})})
					}
					l["taxes"] = taxes
				}
				lines = append(lines, l)
			}
			o["lines"] = lines
		}
		d.orders = append(d.orders, o)
	}
	for i := 0; i < 3+r.IntN(8); i++ {
		row := []any{float64(i + 1)}
		if r.IntN(2) == 0 {
			row[0] = strconv.Itoa(i + 1)
		}
		row = append(row, pick([]any{"ann", "bob", "Cy", "", "d e"}))
		switch r.IntN(4) {
		case 0: // short row: no score
		case 1:
			row = append(row, "2.5")
		default:
			row = append(row, pick([]any{1.0, 2.5, -1.0}))
		}
		if len(row) == 3 && r.IntN(3) > 0 {
			// A date in one of the column's two layouts (a format list).
			day := []string{"2024-03-01", "2024-03-02", "2023-12-31"}[r.IntN(3)]
			if r.IntN(2) == 0 {
				tm, _ := time.Parse("2006-01-02", day)
				day = tm.Format("1/2/2006")
			}
			row = append(row, day)
		}
		if r.IntN(6) == 0 {
			row = row[:1]
		}
		d.sheet = append(d.sheet, row)
	}
	return d
}

// shAPI serves shData and logs the requests it sees.
type shAPI struct {
	d   *shData
	mu  sync.Mutex
	log []string
}

func (a *shAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.log...)
}

func (a *shAPI) reset() {
	a.mu.Lock()
	a.log = nil
	a.mu.Unlock()
}

func shReply(status int, v any, hdr map[string]string) *http.Response {
	b, _ := json.Marshal(v)
	h := http.Header{"Content-Type": {"application/json"}}
	for k, x := range hdr {
		h.Set(k, x)
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h,
		Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b))}
}

// shFilter is one filter the API applies to its orders.
type shFilter struct {
	field, op string
	value     any
}

func (f shFilter) keep(o shOrder) bool {
	switch f.field {
	case "sku":
		lines, _ := o["lines"].([]any)
		for _, l := range lines {
			if s, ok := l.(map[string]any)["sku"].(string); ok && s == fmt.Sprint(f.value) {
				return true
			}
		}
		return false
	}
	v, ok := o[f.field]
	if !ok || v == nil {
		return false
	}
	switch f.op {
	case "eq":
		if s, ok := v.(string); ok {
			return s == fmt.Sprint(f.value)
		}
		return fmt.Sprint(v) == fmt.Sprint(f.value)
	case "gt":
		x, _ := v.(float64)
		y, err := toF(f.value)
		return err == nil && x > y
	case "lt":
		x, _ := v.(float64)
		y, err := toF(f.value)
		return err == nil && x < y
	case "in":
		vals, _ := f.value.([]any)
		for _, w := range vals {
			if fmt.Sprint(v) == fmt.Sprint(w) {
				return true
			}
		}
	}
	return false
}

func toF(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case string:
		return strconv.ParseFloat(x, 64)
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func (a *shAPI) filtered(fs []shFilter, sortField, dir string) []shOrder {
	var out []shOrder
	for _, o := range a.d.orders {
		ok := true
		for _, f := range fs {
			ok = ok && f.keep(o)
		}
		if ok {
			out = append(out, o)
		}
	}
	if sortField == "id" || sortField == "total" {
		// NULL and missing values sort low (first ascending); ties keep
		// the API's own order.
		key := func(o shOrder) (float64, bool) {
			f, ok := o[sortField].(float64)
			return f, ok
		}
		sort.SliceStable(out, func(i, j int) bool {
			x, xok := key(out[i])
			y, yok := key(out[j])
			if dir == "desc" {
				x, xok, y, yok = y, yok, x, xok
			}
			if !xok || !yok {
				return !xok && yok
			}
			return x < y
		})
	}
	return out
}

func (a *shAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	a.mu.Lock()
	a.log = append(a.log, strings.TrimSpace(req.Method+" "+req.URL.RequestURI()+" "+string(body)))
	a.mu.Unlock()
	q := req.URL.Query()
	switch {
	case req.Method == http.MethodGet && req.URL.Path == "/orders":
		var fs []shFilter
		// Empty values are ignored, as many APIs do.
		if v := q.Get("status"); v != "" {
			fs = append(fs, shFilter{"status", "eq", v})
		}
		if v := q.Get("total_gt"); v != "" {
			fs = append(fs, shFilter{"total", "gt", v})
		}
		if v := q.Get("id"); v != "" {
			fs = append(fs, shFilter{"id", "eq", v})
		}
		if v := q.Get("sku"); v != "" {
			fs = append(fs, shFilter{"sku", "eq", v})
		}
		rows := a.filtered(fs, q.Get("sort"), q.Get("order"))
		off, _ := strconv.Atoi(q.Get("offset"))
		size, err := strconv.Atoi(q.Get("limit"))
		if err != nil || size <= 0 || size > 3 {
			size = 3
		}
		total := len(rows)
		if off > len(rows) {
			off = len(rows)
		}
		rows = rows[off:]
		if len(rows) > size {
			rows = rows[:size]
		}
		if rows == nil {
			rows = []shOrder{}
		}
		if v, ok := q["fields"]; ok {
			rows = shSelect(rows, strings.Split(strings.Join(v, ","), ","))
		}
		return shReply(200, rows, map[string]string{"X-Total-Count": strconv.Itoa(total)}), nil
	case req.Method == http.MethodPost && req.URL.Path == "/search":
		var b struct {
			Filters []struct {
				Field string `json:"field"`
				Op    string `json:"op"`
				Value any    `json:"value"`
			} `json:"filters"`
			Sort *struct {
				Field string `json:"field"`
				Dir   string `json:"dir"`
			} `json:"sort"`
			Limit    *int      `json:"limit"`
			PageSize int       `json:"page_size"`
			After    any       `json:"after"`
			Fields   *[]string `json:"fields"`
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return shReply(400, map[string]any{"error": err.Error()}, nil), nil
		}
		var fs []shFilter
		for _, f := range b.Filters {
			if f.Field != "status" && f.Field != "total" && f.Field != "cust" && f.Field != "sku" {
				return shReply(400, map[string]any{"error": "unknown field " + f.Field}, nil), nil
			}
			fs = append(fs, shFilter{f.Field, f.Op, f.Value})
		}
		sf, dir := "", ""
		if b.Sort != nil {
			sf, dir = b.Sort.Field, b.Sort.Dir
		}
		rows := a.filtered(fs, sf, dir)
		size := b.PageSize
		if size <= 0 || size > 4 {
			size = 4
		}
		if b.Limit != nil && *b.Limit > 0 && *b.Limit < size {
			size = *b.Limit
		}
		// The cursor is a string, a number or an array (Elasticsearch's
		// search_after), by data set.
		off := 0
		switch c := b.After.(type) {
		case nil:
		case string:
			n, err := strconv.Atoi(strings.TrimPrefix(c, "c"))
			if err != nil {
				return shReply(400, map[string]any{"error": "bad cursor"}, nil), nil
			}
			off = n
		case float64:
			off = int(c)
		case []any:
			if len(c) != 2 {
				return shReply(400, map[string]any{"error": "bad cursor"}, nil), nil
			}
			off = int(c[1].(float64))
		default:
			return shReply(400, map[string]any{"error": "bad cursor"}, nil), nil
		}
		if off > len(rows) {
			off = len(rows)
		}
		page := rows[off:]
		var next any
		if len(page) > size {
			page = page[:size]
			switch a.d.cursor {
			case 0:
				next = fmt.Sprintf("c%d", off+size)
			case 1:
				next = float64(off + size)
			default:
				next = []any{"x", float64(off + size)}
			}
		}
		if page == nil {
			page = []shOrder{}
		}
		if b.Fields != nil {
			page = shSelect(page, *b.Fields)
		}
		return shReply(200, map[string]any{"results": page, "next": next}, nil), nil
	case req.Method == http.MethodPost && req.URL.Path == "/graphql":
		var b struct {
			Query     string `json:"query"`
			Variables struct {
				First  int     `json:"first"`
				After  *string `json:"after"`
				Status *string `json:"status"`
			} `json:"variables"`
		}
		if err := json.Unmarshal(body, &b); err != nil || b.Query == "" {
			return shReply(400, map[string]any{"error": fmt.Sprint("bad body ", err)}, nil), nil
		}
		var fs []shFilter
		if b.Variables.Status != nil {
			fs = append(fs, shFilter{"status", "eq", *b.Variables.Status})
		}
		rows := a.filtered(fs, "", "")
		size := b.Variables.First
		if size <= 0 || size > 3 {
			size = 3
		}
		off := 0
		if b.Variables.After != nil {
			n, err := strconv.Atoi(strings.TrimPrefix(*b.Variables.After, "g"))
			if err != nil {
				return shReply(200, map[string]any{"errors": []any{map[string]any{"message": "bad cursor"}}}, nil), nil
			}
			off = n
		}
		if off > len(rows) {
			off = len(rows)
		}
		page := rows[off:]
		more := false
		if len(page) > size {
			page = page[:size]
			more = true
		}
		if page == nil {
			page = []shOrder{}
		}
		var end any
		if len(page) > 0 {
			end = fmt.Sprintf("g%d", off+len(page))
		}
		return shReply(200, map[string]any{"data": map[string]any{"orders": map[string]any{
			"nodes": page, "pageInfo": map[string]any{"endCursor": end, "hasNextPage": more}}}}, nil), nil
	case req.Method == http.MethodGet && req.URL.Path == "/sheetp":
		// The sheet paged by offset over its arrays, the header among them.
		values := [][]any{{"ID", "Name", " score ", "Signed up"}}
		values = append(values, a.d.sheet...)
		off, _ := strconv.Atoi(q.Get("offset"))
		size, err := strconv.Atoi(q.Get("limit"))
		if err != nil || size <= 0 || size > 4 {
			size = 4
		}
		off = min(off, len(values))
		values = values[off:]
		if len(values) > size {
			values = values[:size]
		}
		return shReply(200, map[string]any{"values": values}, nil), nil
	case req.Method == http.MethodGet && req.URL.Path == "/sheet":
		values := [][]any{{"ID", "Name", " score ", "Signed up"}}
		values = append(values, a.d.sheet...)
		return shReply(200, map[string]any{"range": "Sheet1", "values": values}, nil), nil
	}
	return shReply(404, map[string]any{"error": "no route " + req.Method + " " + req.URL.Path}, nil), nil
}

// shSelect keeps the named top-level fields of each order, as an API's
// field selection does, and the id, which the API always returns (else
// two pages of one row could be the same bytes, which the driver takes
// for an API that ignores its offset: see difftest-findings.md).
func shSelect(rows []shOrder, fields []string) []shOrder {
	out := make([]shOrder, len(rows))
	for i, o := range rows {
		c := shOrder{"id": o["id"]}
		for _, f := range fields {
			if v, ok := o[f]; ok {
				c[f] = v
			}
		}
		out[i] = c
	}
	return out
}
