package restsource

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/restsql/restsql/internal/rowscan"
)

// A response cache in the client's transport (httpcache) keeps, beside a
// stored body, the rows a plan extracted from it: a fresh or revalidated
// (304) answer then skips the extraction. The rows are kept under the
// plan's extraction fingerprint (memoName), and belong to the one stored
// body they were read from: a body replaced by a 200, dropped by a write or
// evicted takes them with it (see httpcache.Memo).

// memoName is the fingerprint of what decides a page's rows from its
// body: the table, its rows path, shape and strictness, the body paths the
// pagination reads, and each column with every setting of its profile
// entry but its filters. Plans with the same name extract the same rows
// from the same body. "" = the plan's rows are not kept: a header: first
// table's pages are read with its first page's header.
func memoName(s *Source, p *Plan) string {
	if !s.opts.CacheTags || p.shape.Header {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "rows table=%q path=%q strict=%v lookup=%v shape=%#v\n", s.name, p.rowsPath, s.t.Strict, p.lookup, p.shape)
	if !p.lookup {
		fmt.Fprintf(h, "body %q\n", s.bodyPaths)
	}
	for _, c := range p.cols {
		cc := *c
		cc.Filters = nil // request side only, and pointers
		fmt.Fprintf(h, "col %#v\n", cc)
	}
	return "restsource.rows:" + hex.EncodeToString(h.Sum(nil))
}

// memoPage is a page's rows as the cache keeps them: values that share no
// bytes with the body, in an array no one recycles.
type memoPage struct{ pg rowscan.Page }

// fromMemo returns the rows kept for resp's body under the plan's name.
func fromMemo(p *Plan, resp *response) (rowscan.Page, bool) {
	if p.memoName == "" || resp.memo == nil {
		return rowscan.Page{}, false
	}
	v, ok := resp.memo.Get(p.memoName)
	if !ok {
		return rowscan.Page{}, false
	}
	mp, ok := v.(*memoPage)
	if !ok {
		return rowscan.Page{}, false
	}
	return mp.pg, true
}

// memoize keeps pg for resp's body under the plan's name, and returns it
// marked as shared (its values' array is the cache's too). A page with a
// value that does not fit a strict table is not kept: its error quotes the
// body.
func memoize(p *Plan, resp *response, pg rowscan.Page) rowscan.Page {
	if p.memoName == "" || resp.memo == nil || pg.Bad >= 0 || pg.BadErr != nil {
		return pg
	}
	size := int64(16*len(pg.Vals) + 128 + pg.Values.Bytes())
	for i, v := range pg.Vals {
		switch x := v.(type) {
		case string:
			if !pg.Detached {
				pg.Vals[i] = strings.Clone(x)
			}
			size += int64(16 + len(x))
		case time.Time:
			size += 24
		case int64, float64:
			size += 8
		}
	}
	pg.Values = pg.Values.Clone()
	pg.Detached = true
	pg.Shared = true
	if !resp.memo.Put(p.memoName, &memoPage{pg}, size) {
		// Not kept: the array is the page's alone after all.
		pg.Shared = false
	}
	return pg
}
