package rowscan

import (
	"time"
	"unsafe"
)

// Boxing a value in an interface allocates it on the heap: an int64, a
// float64, a string header and a time.Time each cost an allocation per
// value, several per row. A slab boxes the values of one page into one
// array instead: the interface's data word points at the value's element,
// so a page's values of a type cost one allocation per chunk.
//
// This relies on how Go lays out an empty interface (a type word, then a
// pointer to the value for types that are not pointer-shaped), which
// reflect, the runtime and many libraries rely on as well. The constraint
// admits only types that are never pointer-shaped, and an element is never
// written again once boxed, as the value of an interface must not change.

// boxable are the types a slab boxes.
type boxable interface {
	int64 | float64 | string | time.Time
}

// eface is the layout of an empty interface.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// slab boxes values of T, chunk values per allocation.
type slab[T boxable] struct {
	typ   unsafe.Pointer
	buf   []T
	chunk int
}

// boxInt boxes n in s, or as any(n) below 256, which the runtime boxes
// without allocating.
func boxInt(s *slab[int64], n int64) any {
	if uint64(n) < 256 {
		return n
	}
	return s.box(n)
}

// box returns v in an interface, as any(v) does.
func (s *slab[T]) box(v T) any {
	if len(s.buf) == cap(s.buf) {
		if s.typ == nil {
			var zero any = *new(T)
			s.typ = (*eface)(unsafe.Pointer(&zero)).typ
		}
		s.buf = make([]T, 0, max(s.chunk, 16))
	}
	s.buf = append(s.buf, v)
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ = s.typ
	e.data = unsafe.Pointer(&s.buf[len(s.buf)-1])
	return out
}
