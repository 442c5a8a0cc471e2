package httpcache

import (
	"bufio"
	"bytes"
	"container/list"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// store holds the entries: their metadata in memory, in least recently
// used order, their bodies in memory or in files of a directory.
type store struct {
	dir      string
	maxBytes int64

	mu    sync.Mutex
	lru   *list.List // of *entry, most recent first
	byKey map[string]*list.Element
	bytes int64
	st    Stats
	// gen numbers the entries stored: a Memo belongs to one.
	gen uint64
	// seed hashes bodies read from files (see Memo).
	seed maphash.Seed
}

// fileSuffix names entry files; the name before it is the key.
const fileSuffix = ".entry"

func newStore(dir string, maxBytes int64) (*store, error) {
	s := &store{dir: dir, maxBytes: maxBytes, lru: list.New(), byKey: map[string]*list.Element{}, seed: maphash.MakeSeed()}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("httpcache: directory %s: %w", dir, err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("httpcache: directory %s: %w", dir, err)
	}
	type found struct {
		e    *entry
		used time.Time
	}
	var all []found
	for _, de := range des {
		name := de.Name()
		path := filepath.Join(dir, name)
		if strings.HasSuffix(name, ".tmp") && strings.HasPrefix(name, ".entry-") {
			_ = os.Remove(path) // a write cut short
			continue
		}
		if !strings.HasSuffix(name, fileSuffix) || de.IsDir() {
			continue
		}
		e, err := readMeta(path)
		if err != nil || e.key != strings.TrimSuffix(name, fileSuffix) {
			_ = os.Remove(path) // not a whole entry of ours
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		all = append(all, found{e, info.ModTime()})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].used.After(all[j].used) })
	for _, f := range all {
		s.gen++
		f.e.gen = s.gen
		s.byKey[f.e.key] = s.lru.PushBack(f.e)
		s.bytes += f.e.Size
	}
	s.mu.Lock()
	s.evict()
	s.mu.Unlock()
	return s, nil
}

// entrySize is what an entry counts against maxBytes.
func entrySize(e *entry, body int) int64 {
	n := int64(body + len(e.URL) + len(e.Tag) + 64)
	for k, vs := range e.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

func (s *store) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.st)
	s.mu.Unlock()
}

func (s *store) stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Entries, st.Bytes = s.lru.Len(), s.bytes
	for el := s.lru.Front(); el != nil; el = el.Next() {
		st.MemoBytes += el.Value.(*entry).memoBytes
	}
	return st
}

// get returns a copy of the entry of key k (nil = none) and marks it used.
func (s *store) get(k string) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byKey[k]
	if !ok {
		return nil
	}
	s.lru.MoveToFront(el)
	e := *el.Value.(*entry)
	return &e
}

// list returns copies of every entry, most recently used first.
func (s *store) list() []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*entry, 0, s.lru.Len())
	for el := s.lru.Front(); el != nil; el = el.Next() {
		e := *el.Value.(*entry)
		out = append(out, &e)
	}
	return out
}

// put stores e (its body in e.body), replacing the entry of its key; false
// when it is too large to keep.
func (s *store) put(e *entry) bool {
	e.Size = entrySize(e, len(e.body))
	if e.Size > s.maxBytes {
		s.drop(e.key)
		return false
	}
	if s.dir != "" {
		if err := s.write(e); err != nil {
			s.drop(e.key)
			return false
		}
		e.body = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byKey[e.key]; ok {
		old := el.Value.(*entry)
		s.bytes -= old.Size + old.memoBytes
		s.lru.Remove(el)
	}
	// A new body: a new generation, without the old body's values.
	s.gen++
	e.gen, e.memos, e.memoBytes = s.gen, nil, 0
	s.byKey[e.key] = s.lru.PushFront(e)
	s.bytes += e.Size
	s.evict()
	return true
}

// evict drops the values of Memos, then the least recently used
// entries, until the bytes fit. s.mu is held.
func (s *store) evict() {
	s.dropMemos()
	for s.bytes > s.maxBytes && s.lru.Len() > 0 {
		el := s.lru.Back()
		s.removeLocked(el)
		s.st.Evictions++
	}
}

func (s *store) removeLocked(el *list.Element) {
	e := el.Value.(*entry)
	s.lru.Remove(el)
	delete(s.byKey, e.key)
	s.bytes -= e.Size + e.memoBytes
	e.memos, e.memoBytes = nil, 0
	if s.dir != "" {
		_ = os.Remove(s.path(e.key))
	}
}

func (s *store) drop(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byKey[k]; ok {
		s.removeLocked(el)
	}
}

// dropWhere drops the entries for which match holds and returns how many.
func (s *store) dropWhere(match func(*entry) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for el := s.lru.Front(); el != nil; {
		next := el.Next()
		if match(el.Value.(*entry)) {
			s.removeLocked(el)
			n++
		}
		el = next
	}
	return n
}

func (s *store) dropURL(u string) int {
	return s.dropWhere(func(e *entry) bool { return e.URL == u })
}

func (s *store) dropTag(tag string) int {
	return s.dropWhere(func(e *entry) bool { return e.Tag == tag })
}

// refresh updates the entry of key k with a 304's header fields (RFC 9111
// section 4.3.4) and times, and returns a copy (nil = gone meanwhile).
func (s *store) refresh(k string, h http.Header, sent, got time.Time) *entry {
	s.mu.Lock()
	el, ok := s.byKey[k]
	if !ok {
		s.mu.Unlock()
		return nil
	}
	old := el.Value.(*entry)
	e := *old
	e.Header = old.Header.Clone()
	for name, vs := range h {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Length", "Content-Encoding", "Transfer-Encoding", "Content-Range":
			continue
		}
		e.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), vs...)
	}
	e.Requested, e.Received = sent, got
	body := int(old.Size - entrySize(old, 0))
	e.Size = entrySize(&e, body)
	el.Value = &e
	s.bytes += e.Size - old.Size
	s.lru.MoveToFront(el)
	cp := e
	s.mu.Unlock()
	if s.dir != "" {
		if err := s.rewriteMeta(&cp); err != nil {
			s.drop(k)
			return nil
		}
	}
	return &cp
}

// response makes the answer of entry e to req, and hands the Memo of its
// body to the request's MemoSlot.
func (s *store) response(e *entry, req *http.Request, age time.Duration) (*http.Response, error) {
	body := e.body
	if s.dir != "" {
		b, err := readBody(s.path(e.key))
		if err != nil {
			return nil, err
		}
		body = b
	}
	if slot := memoSlotOf(req.Context()); slot != nil {
		slot.set(s.memo(e, body))
	}
	s.mu.Lock()
	if el, ok := s.byKey[e.key]; ok {
		el.Value.(*entry).Hits++
	}
	s.mu.Unlock()
	h := e.Header.Clone()
	h.Set("Age", strconv.FormatInt(int64(age/time.Second), 10))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status)),
		StatusCode:    e.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
		Uncompressed:  e.Uncompressed,
	}, nil
}

// An entry file is: "RSQLC1\n", the metadata's length (uvarint), the
// metadata (JSON, with the key), then the body.
const fileMagic = "RSQLC1\n"

type fileMeta struct {
	Key string `json:"key"`
	*entry
}

func (s *store) path(k string) string { return filepath.Join(s.dir, k+fileSuffix) }

// write writes e's file atomically: a temporary file in the directory,
// synced, then renamed over the old one.
func (s *store) write(e *entry) error {
	meta, err := json.Marshal(fileMeta{Key: e.key, entry: e})
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, ".entry-*.tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString(fileMagic)
	var n [binary.MaxVarintLen64]byte
	w.Write(n[:binary.PutUvarint(n[:], uint64(len(meta)))])
	w.Write(meta)
	w.Write(e.body)
	err = errors.Join(w.Flush(), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), s.path(e.key))
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}

// rewriteMeta writes e's file again with its stored body and new metadata.
func (s *store) rewriteMeta(e *entry) error {
	body, err := readBody(s.path(e.key))
	if err != nil {
		return err
	}
	cp := *e
	cp.body = body
	return s.write(&cp)
}

// openEntry opens an entry file and reads its metadata; the reader is left
// at the body.
func openEntry(path string) (*os.File, *bufio.Reader, *entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	r := bufio.NewReader(f)
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != fileMagic {
		f.Close()
		return nil, nil, nil, errors.New("httpcache: not an entry file")
	}
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 16<<20 {
		f.Close()
		return nil, nil, nil, errors.New("httpcache: bad entry file")
	}
	meta := make([]byte, n)
	if _, err := io.ReadFull(r, meta); err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	var m fileMeta
	m.entry = &entry{}
	if err := json.Unmarshal(meta, &m); err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	m.entry.key = m.Key
	return f, r, m.entry, nil
}

func readMeta(path string) (*entry, error) {
	f, _, e, err := openEntry(path)
	if err != nil {
		return nil, err
	}
	f.Close()
	return e, nil
}

func readBody(path string) ([]byte, error) {
	f, r, _, err := openEntry(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(r)
}
