package rewrite

import (
	"fmt"
	"slices"
)

// Span is a half-open byte range [Start, End) of a file.
type Span struct{ Start, End int }

// Edit replaces the bytes in Span with New. Start == End inserts.
type Edit struct {
	Span
	New string
}

// Validate checks edits against a source of size bytes and returns them sorted.
// An edit out of bounds, or two edits that overlap, is an error that names them.
// Identical edits are kept once. Two insertions at the same offset overlap unless
// they are identical.
func Validate(size int, edits []Edit) ([]Edit, error) {
	sorted := slices.Clone(edits)
	slices.SortStableFunc(sorted, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	out := sorted[:0]
	for i, e := range sorted {
		if e.Start < 0 || e.End < e.Start || e.End > size {
			return nil, fmt.Errorf("edit %s is out of bounds [0,%d)", e, size)
		}
		if i > 0 {
			p := out[len(out)-1]
			if p == e {
				continue
			}
			if p.End > e.Start || (p.Start == p.End && e.Start == e.End && p.Start == e.Start) {
				return nil, fmt.Errorf("edits %s and %s overlap", p, e)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func (e Edit) String() string { return fmt.Sprintf("[%d,%d)→%q", e.Start, e.End, e.New) }

// Apply returns src with edits applied. It does not modify src.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	sorted, err := Validate(len(src), edits)
	if err != nil {
		return nil, err
	}
	size := len(src)
	for _, e := range sorted {
		size += len(e.New) - (e.End - e.Start)
	}
	out := make([]byte, 0, size)
	last := 0
	for _, e := range sorted {
		out = append(out, src[last:e.Start]...)
		out = append(out, e.New...)
		last = e.End
	}
	out = append(out, src[last:]...)
	if len(out) != size {
		panic(fmt.Sprintf("rewrite.Apply: wrote %d bytes, want %d", len(out), size))
	}
	return out, nil
}

// Overlaps reports whether any edit of a overlaps any edit of b (identical edits do not).
func Overlaps(a, b []Edit) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				continue
			}
			if x.Start < y.End && y.Start < x.End {
				return true
			}
			if x.Start == y.Start && (x.Start == x.End || y.Start == y.End) {
				return true
			}
		}
	}
	return false
}
