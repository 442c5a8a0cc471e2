package httpcache

import (
	"context"
	"hash/maphash"
	"sync"
)

// A Memo keeps values derived from one stored response body (the rows a
// reader extracted from it, say) beside the body, so that the next request
// the same body answers can skip the work. A Memo belongs to one version of
// one entry: once the entry is replaced (a 200 with a new body), dropped
// (a write, an eviction, a 404) or its file changed under it, Get finds
// nothing and Put keeps nothing, so a value never outlives the bytes it was
// derived from. A 304 keeps the body, and the values with it.
//
// The values count against Options.MaxBytes with the sizes their callers
// give; they never push an entry out: a value that does not fit in what is
// left is not kept, and storing a response drops values (least recently
// used entries' first) before it drops entries.
type Memo struct {
	s   *store
	key string
	gen uint64
	// sum is the body's hash in a directory store, where a file may be
	// replaced by another process using the same directory (0 in memory,
	// where a body never changes under its entry's generation).
	sum uint64
}

// memoItem is one value of a Memo.
type memoItem struct {
	v    any
	size int64
	sum  uint64
}

// MemoSlot receives, from the cache, the Memo of the stored body that
// answered a request (a hit, a revalidation) or that a response was stored
// as, once its body has been read to the end. Pass it with WithMemoSlot.
type MemoSlot struct {
	mu sync.Mutex
	m  *Memo
}

// Memo returns the Memo the cache set (nil = the answer did not come from
// the cache, nor was it stored).
func (s *MemoSlot) Memo() *Memo {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m
}

func (s *MemoSlot) set(m *Memo) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.m = m
	s.mu.Unlock()
}

type memoSlotKey struct{}

// WithMemoSlot returns ctx for a request whose answer's Memo slot is to
// receive.
func WithMemoSlot(ctx context.Context, slot *MemoSlot) context.Context {
	return context.WithValue(ctx, memoSlotKey{}, slot)
}

func memoSlotOf(ctx context.Context) *MemoSlot {
	s, _ := ctx.Value(memoSlotKey{}).(*MemoSlot)
	return s
}

// Get returns the value kept under name for this body, if any.
func (m *Memo) Get(name string) (any, bool) {
	if m == nil {
		return nil, false
	}
	s := m.s
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(m)
	if e == nil {
		return nil, false
	}
	it, ok := e.memos[name]
	if !ok || it.sum != m.sum {
		return nil, false
	}
	s.st.MemoHits++
	e.memoHits++
	return it.v, true
}

// Put keeps v, of about size bytes, under name for this body; false when
// the entry has changed or gone, or v does not fit in the bytes left.
func (m *Memo) Put(name string, v any, size int64) bool {
	if m == nil {
		return false
	}
	s := m.s
	size += int64(len(name)) + 64
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(m)
	if e == nil {
		return false
	}
	delta := size
	if old, had := e.memos[name]; had {
		delta -= old.size
	}
	if s.bytes+delta > s.maxBytes {
		return false
	}
	if e.memos == nil {
		e.memos = map[string]memoItem{}
	}
	e.memos[name] = memoItem{v: v, size: size, sum: m.sum}
	e.memoBytes += delta
	s.bytes += delta
	s.st.MemoStores++
	return true
}

// live returns the stored entry m belongs to, nil when it has changed or
// gone. s.mu is held.
func (s *store) live(m *Memo) *entry {
	el, ok := s.byKey[m.key]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if e.gen != m.gen {
		return nil
	}
	return e
}

// memo returns the Memo of entry e's body.
func (s *store) memo(e *entry, body []byte) *Memo {
	m := &Memo{s: s, key: e.key, gen: e.gen}
	if s.dir != "" {
		m.sum = maphash.Bytes(s.seed, body) | 1
	}
	return m
}

// dropMemos drops the values of the least recently used entries until the
// bytes fit. s.mu is held.
func (s *store) dropMemos() {
	for el := s.lru.Back(); el != nil && s.bytes > s.maxBytes; el = el.Prev() {
		e := el.Value.(*entry)
		if e.memos != nil {
			s.bytes -= e.memoBytes
			e.memos, e.memoBytes = nil, 0
		}
	}
}
