package rowscan

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
)

// This file reads a page in one pass: the body is validated, the rows array
// is found and every needed column of every row is converted as the
// scanner walks each byte once. Plain column paths (a.b.c) are compiled
// into a tree of keys, so a row's keys are matched as they are read and the
// values no column needs are skipped without being parsed. A column path
// that is more than plain keys is answered by gjson on the row's bytes.
//
// The scanner is strict JSON (what gjson.Valid accepts). When it meets
// anything it does not handle (invalid JSON, a rows path that is not plain
// keys, a rows path through something other than objects), the page is read
// again the general way (CheckJSON, FindRows, Extractor.ExtractRow), which
// gives the same values or the error that explains what is wrong.

// pathNode is one key of the compiled column paths.
type pathNode struct {
	id   int
	keys []string    // child keys, in first-seen order
	kids []*pathNode // parallel to keys
	// index maps a key to its position in keys when there are many.
	index map[string]int
	// exact is true when no key has a byte that a JSON string must
	// escape: a key in the body is then matched by comparing bytes.
	exact bool
	// words and masks hold, for each key of at most 7 bytes, the key and
	// its closing quote as a little-endian word and the mask of those
	// bytes (0 = a longer key): one load and compare matches it.
	words, masks []uint64
	// cols are the columns whose path ends here, kinds their kinds.
	cols  []int
	kinds []kind
	// below are the columns under this node with their path below it,
	// for a value that is not an object (gjson answers, e.g. an array
	// index).
	below []belowCol
}

type belowCol struct {
	col  int
	rest string
}

// mark sets exact on n and the nodes below it.
func (n *pathNode) mark() {
	n.exact = true
	n.words, n.masks = make([]uint64, len(n.keys)), make([]uint64, len(n.keys))
	for i, k := range n.keys {
		if len(k) <= 7 {
			var w uint64
			for j := len(k); j >= 0; j-- {
				b := byte('"')
				if j < len(k) {
					b = k[j]
				}
				w = w<<8 | uint64(b)
			}
			n.words[i] = w
			n.masks[i] = ^uint64(0) >> (64 - 8*(len(k)+1))
		}
		for j := 0; j < len(k); j++ {
			if k[j] < 0x20 || k[j] == '"' || k[j] == '\\' {
				n.exact = false
			}
		}
		n.kids[i].mark()
	}
}

// childAt returns the child of key and its position, or nil.
func (n *pathNode) childAt(key string) (*pathNode, int) {
	if n.index != nil {
		if i, ok := n.index[key]; ok {
			return n.kids[i], i
		}
		return nil, 0
	}
	for i, k := range n.keys {
		if k == key {
			return n.kids[i], i
		}
	}
	return nil, 0
}

func (n *pathNode) child(key string) *pathNode {
	if n.index != nil {
		if i, ok := n.index[key]; ok {
			return n.kids[i]
		}
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	return nil
}

// program is an extractor compiled for the one-pass scanner.
type Program struct {
	root  *pathNode
	nodes int
	// paths are the columns read by gjson on the row's bytes.
	paths []int
	// rowsKeys is the rows path split at its dots (nil = the body);
	// plainRows is false when it is not plain keys (the general way
	// reads such pages).
	rowsKeys  []string
	plainRows bool
	// capture holds the first keys of the plain body paths the
	// pagination reads: the values of these top-level keys are kept, so
	// the walk does not read the body again to find them.
	capture map[string]bool
	// count is the number of columns of each kind, to size the slabs.
	count [slabs]int
}

// Slabs of column values, by the type they box.
const (
	slabInt = iota
	slabFloat
	slabString
	slabTime
	slabs
)

// compile builds the scanner's program for the extractor's columns, a
// page's rows path and the body paths pagination reads.
func (e *Extractor) Compile(rowsPath string, bodyPaths []string) *Program {
	p := &Program{root: &pathNode{}, nodes: 1}
	for i := range e.cols {
		c := &e.cols[i]
		if c.slot < 0 {
			p.paths = append(p.paths, i)
			continue
		}
		keys := strings.Split(c.path, ".")
		n := p.root
		for k, key := range keys {
			kid := n.child(key)
			if kid == nil {
				kid = &pathNode{id: p.nodes}
				p.nodes++
				n.keys = append(n.keys, key)
				n.kids = append(n.kids, kid)
				if len(n.keys) > smallKeys {
					n.index = make(map[string]int, len(n.keys))
					for j, k := range n.keys {
						n.index[k] = j
					}
				}
			}
			n = kid
			if k < len(keys)-1 {
				n.below = append(n.below, belowCol{col: i, rest: strings.Join(keys[k+1:], ".")})
			}
		}
		n.cols = append(n.cols, i)
		n.kinds = append(n.kinds, c.kind)
	}
	p.root.mark()
	for i := range e.cols {
		switch e.cols[i].typ {
		case catalog.TypeInt:
			p.count[slabInt]++
		case catalog.TypeFloat:
			p.count[slabFloat]++
		case catalog.TypeDatetime:
			p.count[slabTime]++
		case catalog.TypeBool:
			// true and false need no slab
		default:
			p.count[slabString]++
		}
	}
	for _, bp := range bodyPaths {
		if top, _, ok := splitPlainPath(bp); ok {
			if p.capture == nil {
				p.capture = map[string]bool{}
			}
			p.capture[top] = true
		}
	}
	switch {
	case e.Shaped():
		// Child rows and header rows are read the general way.
	case rowsPath == "":
		p.plainRows = true
	default:
		if _, _, ok := splitPlainPath(rowsPath); ok {
			p.rowsKeys = strings.Split(rowsPath, ".")
			p.plainRows = true
		}
	}
	return p
}

// pageScan is the state of one page's scan.
type pageScan struct {
	s    string
	e    *Extractor
	prog *Program
	ncol int
	// vals holds the values of the rows read so far, ncol per row.
	vals []any
	n    int // rows read
	// dest is the current row's values (a window of vals).
	dest []any
	// seen[node.id] == gen when the node's key was met in the current
	// row: the first of duplicate keys wins, as in gjson.
	seen []uint32
	gen  uint32
	// bad is the first row with a value that does not fit a strict
	// table (-1 = none), and why.
	bad    int
	badErr *FitError
	slots  []gjson.Result
	// tops are the captured top-level values (they share the body's
	// bytes: the walk reads them before the buffer is used again).
	tops []topValue
	// arena holds the bytes of the string values: see keep. arenaFull
	// counts the bytes of the chunks before it.
	arena     []byte
	arenaFull int
	// caches are the string columns' caches (see strCache), by column.
	caches []*strCache
	// The page's values are boxed in slabs: see box.go.
	ints   slab[int64]
	floats slab[float64]
	strs   slab[string]
	times  slab[time.Time]
	// depth is the nesting of the position being read.
	depth int
}

// ScanPage reads a page's rows. ok is false when the page needs the
// general way (see above). hint is the expected number of rows.
func (e *Extractor) ScanPage(prog *Program, body string, hint int) (pg Page, ok bool) {
	if !prog.plainRows {
		return Page{}, false
	}
	x := &pageScan{s: body, e: e, prog: prog, ncol: len(e.cols), bad: -1, seen: make([]uint32, prog.nodes)}
	if x.ncol > 0 {
		x.vals = getVals(hint * x.ncol)
	}
	rows := max(hint, 64)
	// Integers below 256 need no room (boxInt): chunks of at most 1,024.
	x.ints.chunk, x.floats.chunk = min(rows*prog.count[slabInt], 1024), rows*prog.count[slabFloat]
	// Strings in smaller chunks: repeated values are not boxed again
	// (strCache), so a page may need far fewer than one per row.
	x.strs.chunk, x.times.chunk = min(rows*prog.count[slabString], 512), rows*prog.count[slabTime]
	i := x.ws(0)
	var end int
	if len(prog.rowsKeys) == 0 {
		end, ok = x.rows(i)
	} else {
		end, ok = x.FindRows(i, 0)
	}
	for _, c := range x.caches {
		if c != nil {
			*c = strCache{} // it refers to the body and the page's values
			strCaches.Put(c)
		}
	}
	if !ok || x.ws(end) != len(body) {
		PutVals(x.vals)
		return Page{}, false
	}
	x.learnArena()
	pg = Page{N: x.n, Outer: x.n, Vals: x.vals, Bad: x.bad, BadErr: x.badErr, Detached: true}
	if prog.capture != nil && len(prog.rowsKeys) > 0 {
		pg.Values = &BodyValues{capture: prog.capture, tops: x.tops}
	}
	return pg, true
}

// topValue is a top-level key of the body and its value's JSON.
type topValue struct{ key, raw string }

// BodyValues answers the plain body paths under captured keys from the
// values kept while the page was read (pagination.Page.Values).
type BodyValues struct {
	capture map[string]bool
	tops    []topValue
}

func (b *BodyValues) Get(path string) (gjson.Result, bool) {
	top, rest, ok := splitPlainPath(path)
	if !ok || !b.capture[top] {
		return gjson.Result{}, false
	}
	for _, t := range b.tops {
		if t.key == top {
			if rest == "" {
				return gjson.Parse(t.raw), true
			}
			return gjson.Get(t.raw, rest), true
		}
	}
	return gjson.Result{}, true // the body has no such key
}

// Clone returns a copy of b that shares no bytes with the body.
func (b *BodyValues) Clone() *BodyValues {
	if b == nil {
		return nil
	}
	c := &BodyValues{capture: b.capture, tops: make([]topValue, len(b.tops))}
	for i, t := range b.tops {
		c.tops[i] = topValue{key: strings.Clone(t.key), raw: strings.Clone(t.raw)}
	}
	return c
}

// Bytes is about the memory b holds.
func (b *BodyValues) Bytes() int {
	n := 0
	if b != nil {
		for _, t := range b.tops {
			n += len(t.key) + len(t.raw) + 32
		}
	}
	return n
}

// valsPool holds the values' arrays of pages that have been read.
var valsPool sync.Pool

// getVals returns an empty array for a page's values, with room for n.
func getVals(n int) []any {
	if v, ok := valsPool.Get().(*[]any); ok && cap(*v) >= n {
		return (*v)[:0]
	}
	return make([]any, 0, n)
}

// PutVals gives back an array no one refers to any more; its values are
// cleared first, so it keeps no page's values alive.
func PutVals(v []any) {
	if cap(v) == 0 || cap(v) > 1<<20 {
		return
	}
	clear(v) // what lies past len was cleared before
	v = v[:0]
	valsPool.Put(&v)
}

// at returns s[i], or 0 past the end: 0 is wrong wherever the scanner
// looks, so the end of the body needs no other check.
func (x *pageScan) at(i int) byte {
	if i < len(x.s) {
		return x.s[i]
	}
	return 0
}

func (x *pageScan) ws(i int) int {
	if i < len(x.s) && x.s[i] > ' ' {
		return i // compact JSON: no white space
	}
	return x.wsSlow(i)
}

func (x *pageScan) wsSlow(i int) int {
	for i < len(x.s) {
		switch x.s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// FindRows walks the objects of the rows path from key k on, at i.
func (x *pageScan) FindRows(i, k int) (int, bool) {
	if x.at(i) != '{' {
		return 0, false // gjson decides what a path through a non-object means
	}
	found := false
	return x.members(i, func(key string, j int) (int, bool) {
		var end int
		var ok bool
		switch {
		case found || key != x.prog.rowsKeys[k]:
			end, ok = x.skip(j)
		case k == len(x.prog.rowsKeys)-1:
			found = true
			end, ok = x.rows(j)
		default:
			found = true
			end, ok = x.FindRows(j, k+1)
		}
		if ok && k == 0 && x.prog.capture[key] && !x.captured(key) {
			x.tops = append(x.tops, topValue{key: key, raw: x.s[j:end]})
		}
		return end, ok
	})
}

func (x *pageScan) captured(key string) bool {
	for _, t := range x.tops {
		if t.key == key {
			return true
		}
	}
	return false
}

// members reads the object at i ('{'), calling value for each member with
// the key and the position of its value; value returns the position after
// the value.
func (x *pageScan) members(i int, value func(key string, j int) (int, bool)) (int, bool) {
	i, done, ok := x.open(i, '}')
	if done || !ok {
		return i, ok
	}
	for {
		if x.at(i) != '"' {
			return 0, false
		}
		key, end, ok := x.key(i)
		if !ok {
			return 0, false
		}
		i = x.ws(end + 1)
		if x.at(i) != ':' {
			return 0, false
		}
		if i, ok = value(key, x.ws(i+1)); !ok {
			return 0, false
		}
		var more bool
		if i, more, ok = x.sep(i, '}'); !ok || !more {
			return i, ok
		}
	}
}

// key reads the member name whose opening quote is at i, decoded, and the
// position of its closing quote.
func (x *pageScan) key(i int) (key string, end int, ok bool) {
	end, esc, ok := x.str(i + 1)
	if !ok {
		return "", 0, false
	}
	if esc {
		return unescapeString(x.s[i : end+1]), end, true
	}
	return x.s[i+1 : end], end, true
}

// open enters the object or array at i: done is true when it closes at
// once (then next is past it), else next is its first member or element.
func (x *pageScan) open(i int, closer byte) (next int, done, ok bool) {
	x.depth++
	if x.depth > maxDepth {
		return 0, false, false
	}
	i = x.ws(i + 1)
	if x.at(i) == closer {
		x.depth--
		return i + 1, true, true
	}
	return i, false, true
}

// sep reads what follows a member or an element: a comma (more follows)
// or the closing bracket, which ends a level.
func (x *pageScan) sep(i int, closer byte) (next int, more, ok bool) {
	i = x.ws(i)
	switch x.at(i) {
	case ',':
		return x.ws(i + 1), true, true
	case closer:
		x.depth--
		return i + 1, false, true
	}
	return 0, false, false
}

// rows reads the value at the rows path: an array of rows, one object, or
// null (no rows).
func (x *pageScan) rows(i int) (int, bool) {
	switch x.at(i) {
	case '[':
		i, done, ok := x.open(i, ']')
		if done || !ok {
			return i, ok
		}
		for {
			var ok bool
			if i, ok = x.row(i); !ok {
				return 0, false
			}
			var more bool
			if i, more, ok = x.sep(i, ']'); !ok || !more {
				return i, ok
			}
		}
	case '{':
		return x.row(i)
	case 'n':
		return x.skip(i)
	}
	return 0, false // FindRows explains what else is there
}

// row reads one row at i.
func (x *pageScan) row(i int) (int, bool) {
	start := len(x.vals)
	x.vals = slices.Grow(x.vals, x.ncol)[:start+x.ncol]
	x.dest = x.vals[start:]
	clear(x.dest)
	x.gen++
	if x.gen == 0 { // wrapped: forget every mark
		clear(x.seen)
		x.gen = 1
	}
	rowStart := i
	var end int
	var ok bool
	if x.at(i) == '{' {
		end, ok = x.object(i, x.prog.root)
		if ok {
			for _, c := range x.prog.paths {
				v := gjson.Get(x.s[rowStart:end], x.e.cols[c].path)
				x.set(c, &v)
			}
		}
	} else {
		// Not an object: the general extractor answers the paths (an
		// array answers index paths).
		if end, ok = x.skip(i); ok {
			if x.slots == nil {
				x.slots = make([]gjson.Result, x.e.nslots)
			}
			if fe := x.e.ExtractRow(gjson.Parse(x.s[i:end]), x.dest, x.slots); fe != nil {
				fe.raw = strings.Clone(fe.raw)
				x.fail(fe)
			}
			for c, v := range x.dest {
				if str, ok := v.(string); ok {
					x.dest[c] = x.keep(str)
				}
			}
		}
	}
	x.n++
	return end, ok
}

// fail records the first value that does not fit a strict table: of the
// first such row, the first such column (as the general way reports it).
func (x *pageScan) fail(fe *FitError) {
	if x.bad < 0 || (x.bad == x.n && fe.col.idx < x.badErr.col.idx) {
		x.bad, x.badErr = x.n, fe
	}
}

// set converts v into column c of the current row. The common cases are
// converted here and boxed in the page's slabs; the rest by convert.
func (x *pageScan) set(c int, v *gjson.Result) {
	col := &x.e.cols[c]
	switch {
	case v.Type == gjson.String && col.kind == kindString:
		x.dest[c] = x.strs.box(x.keep(v.Str))
		return
	case v.Type == gjson.Number && col.kind == kindInt:
		if n, ok := atoi(v.Raw); ok {
			x.dest[c] = boxInt(&x.ints, n)
			return
		}
	case v.Type == gjson.Number && col.kind == kindFloat:
		x.dest[c] = x.floats.box(parseFloat(v.Raw))
		return
	case v.Type == gjson.String && col.kind == kindTime:
		if t, ok := parseRFC3339(v.Str); ok {
			x.dest[c] = x.times.box(t)
			return
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(v.Str)); err == nil {
			x.dest[c] = x.times.box(t)
			return
		}
	}
	if v.Type == gjson.Number {
		v.Num, _ = strconv.ParseFloat(v.Raw, 64)
	}
	val, ok := convert(col, *v)
	if !ok {
		if x.e.strict {
			x.fail(&FitError{col: col, raw: strings.Clone(v.Raw)})
		}
		val = nil
	}
	if str, ok := val.(string); ok {
		val = x.keep(str)
	}
	x.dest[c] = val
}

// strCache remembers, for one string column of one page, the boxed values
// of the last raw strings seen, by a hash of their JSON text: columns of
// few distinct values (a status, a city, a category) then cost no copy
// and no box per row. A column whose values rarely repeat stops using it.
// Each set holds two values, the newer first: two frequent values whose
// hashes share a set do not evict each other at every row.
type strCache struct {
	raws       [strCacheSets][2]string // the JSON text, in the page's body
	vals       [strCacheSets][2]any
	hits, miss int
	off        bool
}

const (
	strCacheBits = 6
	strCacheSets = 1 << strCacheBits
)

// cache returns column col's cache, made on first use.
func (x *pageScan) cache(col int) *strCache {
	if x.caches == nil {
		x.caches = make([]*strCache, x.ncol)
	}
	c := x.caches[col]
	if c == nil {
		c = strCaches.Get().(*strCache)
		x.caches[col] = c
	}
	return c
}

// strCaches holds cleared caches for the next pages.
var strCaches = sync.Pool{New: func() any { return new(strCache) }}

// get returns the value cached for raw (a JSON string with its quotes), or
// the set where put stores raw's value.
func (c *strCache) get(raw string) (v any, set int, ok bool) {
	if c.off || len(raw) > 64 {
		return nil, -1, false
	}
	i := strSlot(raw)
	for w := range 2 {
		if c.raws[i][w] == raw && c.vals[i][w] != nil {
			c.hits++
			return c.vals[i][w], i, true
		}
	}
	c.miss++
	if c.miss >= 256 && c.hits < c.miss/4 {
		c.off = true // mostly distinct values
		return nil, -1, false
	}
	return nil, i, false
}

// put caches v for raw in the set get returned (-1: none), where it
// pushes out the older of the two values.
func (c *strCache) put(set int, raw string, v any) {
	if set >= 0 {
		c.raws[set][1], c.vals[set][1] = c.raws[set][0], c.vals[set][0]
		c.raws[set][0], c.vals[set][0] = raw, v
	}
}

// strSlot picks raw's set from its length and its first and last eight
// bytes (raw has at least its two quotes): a cheap hash, enough to spread
// the few distinct values of a column; a hit is decided by comparing the
// text.
func strSlot(raw string) int {
	h := uint64(len(raw))
	if len(raw) >= 8 {
		h ^= load8(raw, 0) ^ bits.RotateLeft64(load8(raw, len(raw)-8), 31)
	} else {
		for i := 0; i < len(raw); i++ {
			h = h<<8 | uint64(raw[i])
		}
	}
	h *= 0x9e3779b97f4a7c15
	return int(h >> (64 - strCacheBits))
}

// keep returns a copy of s that does not share the body's bytes, in the
// page's string arena: a value may outlive the body, whose buffer is used
// again for another page (and a value kept by a sort or an aggregate does
// not hold a whole page in memory).
func (x *pageScan) keep(s string) string {
	if s == "" {
		return ""
	}
	x.grow(len(s))
	start := len(x.arena)
	x.arena = append(x.arena, s...)
	return unsafe.String(&x.arena[start], len(s))
}

// unescape decodes a quoted JSON string with escapes straight into the
// arena (the text is at most as long as the escaped one), like keep.
func (x *pageScan) unescape(quoted string) string {
	x.grow(len(quoted) - 2)
	start := len(x.arena)
	x.arena = unescapeInto(x.arena, quoted)
	return unsafe.String(unsafe.SliceData(x.arena[start:]), len(x.arena)-start)
}

// grow makes room for n more bytes in the arena. The bytes already there
// are never written again: strings share them. A page's first chunk is
// as large as the last page's strings needed for a body of this size, and
// a little more (a small page does not take a whole chunk); later chunks
// are arenaChunk bytes.
func (x *pageScan) grow(n int) {
	if len(x.arena)+n <= cap(x.arena) {
		return
	}
	size := arenaChunk
	if x.arena == nil {
		if r := x.e.arenaRate.Load(); r > 0 {
			size = min(size, int(uint64(r)*uint64(len(x.s))>>16)+arenaSlack)
		}
	}
	x.arenaFull += len(x.arena)
	x.arena = make([]byte, 0, max(n, size))
}

// learnArena records the arena bytes this page needed for its body's size.
func (x *pageScan) learnArena() {
	if len(x.s) > 0 {
		used := uint64(x.arenaFull+len(x.arena)) << 16 / uint64(len(x.s))
		x.e.arenaRate.Store(uint32(min(max(used, 1), 1<<16)))
	}
}

const (
	// arenaChunk is the size of a page's string arena chunks.
	arenaChunk = 16 << 10
	// arenaSlack is added to a first chunk sized from the last page.
	arenaSlack = 512
)

// object reads the object at i, matching its keys against node's. Rows
// of a page mostly have their keys in one order, so the key after the last
// one matched is tried first, by comparing bytes.
func (x *pageScan) object(i int, node *pathNode) (int, bool) {
	if len(node.keys) == 0 {
		return x.skip(i)
	}
	i, done, ok := x.open(i, '}')
	if done || !ok {
		return i, ok
	}
	s := x.s
	guess := 0
	for {
		if x.at(i) != '"' {
			return 0, false
		}
		var kid *pathNode
		end := -1
		if node.exact && guess < len(node.keys) {
			k := node.keys[guess]
			if m := node.masks[guess]; m != 0 && i+9 <= len(s) {
				if load8(s, i+1)&m == node.words[guess] {
					kid, end = node.kids[guess], i+1+len(k)
					guess++
				}
			} else if e := i + 1 + len(k); e < len(s) && s[e] == '"' && s[i+1:e] == k {
				kid, end = node.kids[guess], e
				guess++
			}
		}
		if end < 0 {
			key, e, ok := x.key(i)
			if !ok {
				return 0, false
			}
			var at int
			if kid, at = node.childAt(key); kid != nil {
				guess = at + 1
			}
			end = e
		}
		i = x.ws(end + 1)
		if x.at(i) != ':' {
			return 0, false
		}
		i = x.ws(i + 1)
		var ok bool
		if kid == nil || x.seen[kid.id] == x.gen {
			i, ok = x.skip(i)
		} else {
			x.seen[kid.id] = x.gen
			i, ok = x.value(i, kid)
		}
		if !ok {
			return 0, false
		}
		// sep, written out: it is not inlined, and this runs per key.
		i = x.ws(i)
		switch x.at(i) {
		case ',':
			i = x.ws(i + 1)
		case '}':
			x.depth--
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// value reads the value at i of a key that columns need.
func (x *pageScan) value(i int, node *pathNode) (int, bool) {
	c := x.at(i)
	if len(node.kids) > 0 {
		var end int
		var ok bool
		if c == '{' {
			end, ok = x.object(i, node)
		} else {
			end, ok = x.skip(i)
		}
		if !ok {
			return 0, false
		}
		if c != '{' || len(node.cols) > 0 {
			v := gjson.Parse(x.s[i:end])
			for _, col := range node.cols {
				x.set(col, &v)
			}
			if c != '{' {
				for _, b := range node.below {
					bv := v.Get(b.rest)
					x.set(b.col, &bv)
				}
			}
		}
		return end, true
	}
	// A leaf: scalars are converted from their bytes.
	var end int
	switch {
	case c == '"':
		e, esc, ok := x.str(i + 1)
		if !ok {
			return 0, false
		}
		end = e + 1
		// A single string column: a value the page has had before is
		// boxed once (see strCache).
		if len(node.cols) == 1 && node.kinds[0] == kindString {
			col := node.cols[0]
			c := x.cache(col)
			v, set, ok := c.get(x.s[i:end])
			if ok {
				x.dest[col] = v
				return end, true
			}
			var str string
			if esc {
				str = x.unescape(x.s[i:end])
			} else {
				str = x.keep(x.s[i+1 : e])
			}
			v = x.strs.box(str)
			c.put(set, x.s[i:end], v)
			x.dest[col] = v
			return end, true
		}
		var str string
		if esc {
			str = x.unescape(x.s[i:end])
		} else {
			str = x.s[i+1 : e]
		}
		kept := esc
		for j, col := range node.cols {
			if node.kinds[j] == kindString {
				if !kept {
					str, kept = x.keep(str), true
				}
				x.dest[col] = x.strs.box(str)
				continue
			}
			if node.kinds[j] == kindTime {
				if t, ok := parseRFC3339(str); ok {
					x.dest[col] = x.times.box(t)
					continue
				}
			}
			v := gjson.Result{Type: gjson.String, Raw: x.s[i:end], Str: str}
			x.set(col, &v)
		}
		return end, true
	case c == '-' || (c >= '0' && c <= '9'):
		e, ok := x.number(i)
		if !ok {
			return 0, false
		}
		end = e
		raw := x.s[i:end]
		for j, col := range node.cols {
			switch node.kinds[j] {
			case kindInt:
				if n, ok := atoi(raw); ok {
					x.dest[col] = boxInt(&x.ints, n)
					continue
				}
			case kindFloat:
				x.dest[col] = x.floats.box(parseFloat(raw))
				continue
			}
			v := gjson.Result{Type: gjson.Number, Raw: raw}
			x.set(col, &v)
		}
		return end, true
	default:
		e, ok := x.skip(i)
		if !ok {
			return 0, false
		}
		end = e
		typ := gjson.JSON
		switch c {
		case 't':
			typ = gjson.True
		case 'f':
			typ = gjson.False
		case 'n':
			typ = gjson.Null
		}
		for j, col := range node.cols {
			switch {
			case typ == gjson.Null:
				x.dest[col] = nil
			case (typ == gjson.True || typ == gjson.False) && node.kinds[j] == kindBool:
				x.dest[col] = typ == gjson.True
			default:
				v := gjson.Result{Type: typ, Raw: x.s[i:end]}
				x.set(col, &v)
			}
		}
		return end, true
	}
}

// parseRFC3339 reads the common form of an RFC 3339 time,
// 2006-01-02T15:04:05[.fraction](Z|±07:00), as time.Parse(time.RFC3339)
// reads it, to the location: UTC for Z, Local when its offset is the one
// given, else a fixed zone. ok is false for anything else (time.Parse
// decides then).
func parseRFC3339(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4], 0, 9999)
	month, ok2 := digits(s[5:7], 1, 12)
	day, ok3 := digits(s[8:10], 1, 31)
	hour, ok4 := digits(s[11:13], 0, 23)
	minute, ok5 := digits(s[14:16], 0, 59)
	sec, ok6 := digits(s[17:19], 0, 59)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || day > daysIn(month, year) {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) >= 2 && rest[0] == '.' && rest[1]-'0' <= 9 {
		n := 1
		for n < len(rest) && rest[n]-'0' <= 9 {
			n++
		}
		if n > 10 {
			return time.Time{}, false // more than nanoseconds: time.Parse rounds them
		}
		nsec, _ = digits(rest[1:n], 0, 999999999)
		for range 10 - n {
			nsec *= 10
		}
		rest = rest[n:]
	}
	unix := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	if rest == "Z" {
		return time.Unix(unix, int64(nsec)).UTC(), true
	}
	if len(rest) != len("+07:00") || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
		return time.Time{}, false
	}
	oh, ok1 := digits(rest[1:3], 0, 23)
	om, ok2 := digits(rest[4:6], 0, 59)
	if !ok1 || !ok2 {
		return time.Time{}, false
	}
	offset := (oh*60 + om) * 60
	if rest[0] == '-' {
		offset = -offset
	}
	t := time.Unix(unix-int64(offset), int64(nsec))
	if _, local := t.Zone(); local == offset {
		return t.In(time.Local), true
	}
	return t.In(time.FixedZone("", offset)), true
}

// daysFromCivil is the number of days from 1970-01-01 to a date of the
// proleptic Gregorian calendar (H. Hinnant's algorithm, eras of 400
// years counted from March).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400                     // [0, 399]
	doy := (153*((m+9)%12)+2)/5 + d - 1    // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return int64(era)*146097 + int64(doe) - 719468
}

// digits reads a decimal number made only of digits, between lo and hi.
func digits(s string, lo, hi int) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int(d)
	}
	return n, n >= lo && n <= hi
}

// daysIn is the number of days of a month.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat reads a valid JSON number as gjson does (strconv.ParseFloat;
// a number too large is ±Inf). A plain decimal of at most 15 digits is
// read directly: its digits and the power of ten are exact in a float64,
// so one correctly rounded division gives the same value as ParseFloat.
func parseFloat(s string) float64 {
	i, neg := 0, false
	if s[0] == '-' {
		i, neg = 1, true
	}
	var mant uint64
	digits, frac := 0, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c-'0' <= 9:
			mant = mant*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.':
			frac = 0
		default: // an exponent
			f, _ := strconv.ParseFloat(s, 64)
			return f
		}
	}
	if digits > 15 {
		f, _ := strconv.ParseFloat(s, 64)
		return f
	}
	f := float64(mant)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f
}

// atoi parses a JSON integer of at most 18 digits.
func atoi(s string) (int64, bool) {
	neg := false
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + int64(c)
	}
	if neg {
		n = -n
	}
	return n, true
}

// skip validates the value at i and returns the position after it.
// Containers are walked without recursion: a stack of closing brackets
// holds what is open.
func (x *pageScan) skip(i int) (int, bool) {
	switch c := x.at(i); c {
	case '"':
		end, _, ok := x.str(i + 1)
		return end + 1, ok
	case 't':
		return i + 4, strings.HasPrefix(x.s[i:], "true")
	case 'f':
		return i + 5, strings.HasPrefix(x.s[i:], "false")
	case 'n':
		return i + 4, strings.HasPrefix(x.s[i:], "null")
	case '{', '[':
		return x.container(i)
	default:
		return x.number(i)
	}
}

// container validates the object or array at i.
func (x *pageScan) container(i int) (int, bool) {
	var buf [64]byte
	stack := buf[:0]
	open := func(c byte) bool {
		if x.depth+len(stack) >= maxDepth {
			return false
		}
		if c == '{' {
			stack = append(stack, '}')
		} else {
			stack = append(stack, ']')
		}
		return true
	}
	if !open(x.s[i]) {
		return 0, false
	}
	i = x.ws(i + 1)
	// first: just after an opening bracket, where the closing one may come.
	first := true
	for {
		closer := stack[len(stack)-1]
		c := x.at(i)
		if first && c == closer {
			i++
			stack = stack[:len(stack)-1]
			goto after
		}
		if closer == '}' {
			if c != '"' {
				return 0, false
			}
			end, _, ok := x.str(i + 1)
			if !ok {
				return 0, false
			}
			i = x.ws(end + 1)
			if x.at(i) != ':' {
				return 0, false
			}
			i = x.ws(i + 1)
			c = x.at(i)
		}
		switch c {
		case '{', '[':
			if !open(c) {
				return 0, false
			}
			i = x.ws(i + 1)
			first = true
			continue
		case '"':
			end, _, ok := x.str(i + 1)
			if !ok {
				return 0, false
			}
			i = end + 1
		default:
			var ok bool
			if i, ok = x.skip(i); !ok {
				return 0, false
			}
		}
	after:
		// After a value (or a closed container): a comma, or the
		// closing bracket of what is open.
		for {
			if len(stack) == 0 {
				return i, true
			}
			i = x.ws(i)
			switch x.at(i) {
			case ',':
				i = x.ws(i + 1)
				first = false
			case stack[len(stack)-1]:
				i++
				stack = stack[:len(stack)-1]
				continue
			default:
				return 0, false
			}
			break
		}
	}
}

// number validates the JSON number at i.
func (x *pageScan) number(i int) (int, bool) {
	s := x.s
	if x.at(i) == '-' {
		i++
	}
	switch c := x.at(i); {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		i++
		for i < len(s) && s[i]-'0' <= 9 {
			i++
		}
	default:
		return 0, false
	}
	if x.at(i) == '.' {
		i++
		if x.at(i)-'0' > 9 {
			return 0, false
		}
		for i < len(s) && s[i]-'0' <= 9 {
			i++
		}
	}
	if c := x.at(i); c == 'e' || c == 'E' {
		i++
		if c := x.at(i); c == '+' || c == '-' {
			i++
		}
		if x.at(i)-'0' > 9 {
			return 0, false
		}
		for i < len(s) && s[i]-'0' <= 9 {
			i++
		}
	}
	return i, true
}

// load8 returns the eight bytes of s at i as a little-endian word.
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// SWAR constants: a byte of each in every lane of a word.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// str validates the string whose first byte (after the quote) is at i. It
// returns the position of the closing quote and whether there are
// escapes.
func (x *pageScan) str(i int) (end int, esc, ok bool) {
	s := x.s
	for {
		// Eight bytes at a time while none is a quote, a backslash or
		// a control character.
		for i+8 <= len(s) {
			w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			q := w ^ (lanes01 * '"')
			b := w ^ (lanes01 * '\\')
			zq := (q - lanes01) &^ q
			zb := (b - lanes01) &^ b
			lt := (w - lanes01*0x20) &^ w
			if m := (zq | zb | lt) & lanes80; m != 0 {
				// The lowest flagged byte is a true one (a borrow only
				// flags bytes above it).
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			return 0, false, false
		}
		switch c := s[i]; {
		case c == '"':
			return i, esc, true
		case c == '\\':
			esc = true
			i++
			switch x.at(i) {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) {
					return 0, false, false
				}
				i += 5
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default:
			i++
		}
	}
}

func isHex(c byte) bool {
	return c-'0' <= 9 || (c|0x20)-'a' <= 5
}

// unescapeString returns the text of a valid JSON string with escapes
// (quotes included), decoded as gjson decodes it: a \u escape of half a
// surrogate pair that has no other half is U+FFFD.
func unescapeString(quoted string) string {
	out := unescapeInto(make([]byte, 0, len(quoted)-2), quoted)
	// out is not used again: the string shares its bytes.
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// unescapeInto appends the decoded text of a quoted JSON string to out.
func unescapeInto(out []byte, quoted string) []byte {
	in := quoted[1 : len(quoted)-1]
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch in[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(in[i+1:])
			i += 4
			if r >= 0xD800 && r < 0xDC00 && i+6 < len(in) && in[i+1] == '\\' && in[i+2] == 'u' {
				if r2 := hex4(in[i+3:]); r2 >= 0xDC00 && r2 < 0xE000 {
					r = utf16.DecodeRune(r, r2)
					i += 6
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, in[i])
		}
	}
	return out
}

// hex4 decodes the four hex digits that start s (validated by str).
func hex4(s string) rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
