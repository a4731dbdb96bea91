package scap

import (
	"sync"

	"github.com/syscope/syscope/event"
)

// The pipe: once a file has proved long, a goroutine reads its blocks,
// decodes the events and hands them to Next in batches, so that reading
// overlaps with what the caller does with the events. A batch owns copies
// of its blocks' bytes; the events point into them. pipeBatches batches
// circulate, so memory stays bounded whatever the file's length:
// about pipeBatches * (batchBytes + batchEvents * sizeof(event.Event)).
const (
	defaultAsyncAfter = 2 << 20
	pipeBatches       = 4
	batchBytes        = 64 << 10
	batchEvents       = 1024
)

// batch is a run of blocks, in the file's order: events, and between
// them the metadata and section blocks for Next to hand to the sink.
type batch struct {
	data  []byte        // copies of the blocks' bodies
	evs   []event.Event // the decoded events, pointing into data
	ends  []int64       // where each event's block ends
	metas []metaBlock
	// err ends the file after the blocks (io.EOF at its end), with the
	// offset the reader had reached; nil: more batches follow.
	err    error
	errOff int64
}

// metaBlock is a block other than an event, which comes after the first
// at events of its batch.
type metaBlock struct {
	at       int
	typ      BlockType
	off, end int64 // where the block starts and ends
	body     []byte
}

type pipe struct {
	full chan *batch
	free chan *batch
}

// stopper closes done once, from Close or from the Reader's cleanup.
type stopper struct {
	done chan struct{}
	once sync.Once
}

func newStopper() *stopper { return &stopper{done: make(chan struct{})} }

func (s *stopper) close() { s.once.Do(func() { close(s.done) }) }

// startPipe hands the splitter over to a goroutine of its own.
func (rd *Reader) startPipe() {
	p := &pipe{full: make(chan *batch, pipeBatches), free: make(chan *batch, pipeBatches)}
	for range pipeBatches {
		p.free <- nil // allocated when first needed
	}
	rd.pipe = p
	rd.off = rd.sp.off
	go rd.sp.run(p.full, p.free, rd.stop.done)
	rd.sp = nil // the goroutine's now
}

// nextPiped is Next, from the pipe's batches.
func (rd *Reader) nextPiped() (*event.Event, error) {
	for {
		b := rd.cur
		if b == nil {
			if rd.err != nil {
				return nil, rd.err
			}
			rd.cur, rd.pos, rd.mpos = <-rd.pipe.full, 0, 0
			continue
		}
		if rd.mpos < len(b.metas) && b.metas[rd.mpos].at == rd.pos {
			m := &b.metas[rd.mpos]
			rd.mpos++
			rd.blkOff, rd.off = m.off, m.end
			var err error
			if m.typ == BlockSectionHeader {
				err = rd.section(m.body)
			} else {
				err = rd.meta(m.typ, m.body)
			}
			if err != nil {
				rd.err, rd.cur = err, nil
				return nil, err
			}
			continue
		}
		if rd.pos == len(b.evs) {
			rd.cur = nil
			if b.err != nil {
				rd.err, rd.off = b.err, b.errOff
				return nil, rd.err
			}
			rd.pipe.free <- b
			continue
		}
		i := rd.pos
		rd.pos++
		rd.off = b.ends[i]
		return &b.evs[i], nil
	}
}

// run reads blocks into batches until the end of the file, its first
// damage, or done.
func (sp *splitter) run(full chan<- *batch, free <-chan *batch, done <-chan struct{}) {
	var b *batch
	get := func() bool {
		select {
		case b = <-free:
		case <-done:
			return false
		}
		if b == nil {
			b = &batch{
				data: make([]byte, 0, batchBytes),
				evs:  make([]event.Event, 0, batchEvents),
				ends: make([]int64, 0, batchEvents),
			}
			return true
		}
		if cap(b.data) > batchBytes {
			// One outsized block: not kept for the next ones.
			b.data = make([]byte, 0, batchBytes)
		}
		clear(b.metas) // let go of their bodies
		b.data, b.evs, b.ends, b.metas, b.err = b.data[:0], b.evs[:0], b.ends[:0], b.metas[:0], nil
		return true
	}
	// full has room for every batch: sending never blocks.
	send := func() { full <- b; b = nil }
	for {
		if b == nil && !get() {
			return
		}
		typ, body, err := sp.block()
		if err != nil {
			b.err, b.errOff = err, sp.off
			send()
			return
		}
		isEv := typ.isEvent()
		owned := !isEv && sp.inBuf
		if !owned && (len(b.data)+len(body) > cap(b.data) || len(b.evs) == cap(b.evs)) {
			if len(b.evs) > 0 || len(b.metas) > 0 {
				send()
				if !get() {
					return
				}
			}
			if len(body) > cap(b.data) {
				b.data = make([]byte, 0, len(body))
			}
		}
		var cp []byte
		if owned {
			// A big metadata block, read into sp.buf: handed over as
			// it is, and sp.buf starts again.
			cp = body
			sp.buf = nil
		} else {
			at := len(b.data)
			b.data = append(b.data, body...)
			cp = b.data[at:len(b.data):len(b.data)]
		}
		if !isEv {
			b.metas = append(b.metas, metaBlock{at: len(b.evs), typ: typ, off: sp.blkOff, end: sp.off, body: cp})
			continue
		}
		k := len(b.evs)
		b.evs = b.evs[:k+1]
		ok, err := sp.decodeEvent(&b.evs[k], typ, cp)
		if err != nil || !ok {
			b.evs = b.evs[:k]
			b.data = b.data[:len(b.data)-len(cp)]
		}
		if err != nil {
			b.err, b.errOff = err, sp.off
			send()
			return
		}
		if ok {
			b.ends = append(b.ends, sp.off)
		}
	}
}
