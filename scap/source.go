package scap

import "io"

// source is what the splitter reads blocks from: a bufio.Reader over the
// file, or a mapping of the whole file (mapped), which holds every block
// whole and in place.
type source interface {
	Peek(n int) ([]byte, error)
	Discard(n int) (int, error)
	Buffered() int
	Size() int
	Read(p []byte) (int, error)
}

// mapped is a source over a file mapped into memory: nothing is copied,
// and every event points into the mapping.
type mapped struct {
	data []byte
	pos  int
	// unmap releases the mapping; nil once done.
	unmap func()
	// release gives back the pages of data[:n] (they stay readable,
	// from the page cache), so that the pages already read do not
	// count as the process's memory; nil where it cannot.
	release  func(n int)
	released int // data[:released] is given back
}

// releaseEvery is how far the reading goes between two releases, and
// releaseLag how far behind the reading they stop, to spare the pages of
// what was read last (the current event), which are likely to be read
// again. A page given back early is only read again: its bytes are
// still the file's.
const (
	releaseEvery = 2 << 20
	releaseLag   = 256 << 10
)

// advanced gives back the pages well behind pos, from time to time.
func (m *mapped) advanced() {
	if m.pos-m.released >= releaseEvery+releaseLag {
		m.releaseBehind()
	}
}

// releaseBehind is advanced's work, out of line so that the check for it
// is inlined into the reading of every event.
func (m *mapped) releaseBehind() {
	n := (m.pos - releaseLag) &^ (releasePage - 1)
	if m.release != nil {
		m.release(n)
	}
	m.released = n
}

func (m *mapped) Peek(n int) ([]byte, error) {
	rest := m.data[m.pos:]
	if n > len(rest) {
		return rest, io.EOF
	}
	return rest[:n:n], nil
}

func (m *mapped) Discard(n int) (int, error) {
	if rest := len(m.data) - m.pos; n > rest {
		m.pos = len(m.data)
		return rest, io.EOF
	}
	m.pos += n
	m.advanced()
	return n, nil
}

func (m *mapped) Buffered() int { return len(m.data) - m.pos }

// Size is the whole file, so that the splitter takes every block in place.
func (m *mapped) Size() int { return len(m.data) }

func (m *mapped) Read(p []byte) (int, error) {
	if m.pos == len(m.data) {
		return 0, io.EOF
	}
	n := copy(p, m.data[m.pos:])
	m.pos += n
	m.advanced()
	return n, nil
}

func (m *mapped) close() {
	if m.unmap != nil {
		m.unmap()
		m.unmap = nil
		m.data = nil
	}
}
