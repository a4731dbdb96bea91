package scap

import (
	"encoding/binary"
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
	defaultAsyncAfter = 1 << 20
	pipeBatches       = 4
	batchBytes        = 32 << 10
	batchEvents       = 512
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
	sp.full, sp.free, sp.done = full, free, done
	b := sp.getBatch()
	if b == nil {
		return
	}
	for {
		if !sp.fastEvents(&b) {
			return
		}
		if (len(b.evs) > 0 || len(b.metas) > 0) && sp.mustRead() {
			// The next block needs a read, which may wait (a pipe):
			// what is decoded goes now rather than after it.
			if sp.fastSend(&b); b == nil {
				return
			}
		}
		typ, body, err := sp.block()
		if err != nil {
			b.err, b.errOff = err, sp.off
			sp.full <- b
			return
		}
		isEv := typ.isEvent()
		owned := !isEv && sp.inBuf
		if !owned && (len(b.data)+len(body) > cap(b.data) || len(b.evs) == cap(b.evs)) {
			if len(b.evs) > 0 || len(b.metas) > 0 {
				if sp.fastSend(&b); b == nil {
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
			sp.full <- b
			return
		}
		if ok {
			b.ends = append(b.ends, sp.off)
		}
	}
}

// getBatch returns a free batch, emptied, or nil once done.
func (sp *splitter) getBatch() *batch {
	var b *batch
	select {
	case b = <-sp.free:
	case <-sp.done:
		return nil
	}
	if b == nil {
		return &batch{
			data: make([]byte, 0, batchBytes),
			evs:  make([]event.Event, 0, batchEvents),
			ends: make([]int64, 0, batchEvents),
		}
	}
	if cap(b.data) > batchBytes {
		// One outsized block: not kept for the next ones.
		b.data = make([]byte, 0, batchBytes)
	}
	clear(b.metas) // let go of their bodies
	b.data, b.evs, b.ends, b.metas, b.err = b.data[:0], b.evs[:0], b.ends[:0], b.metas[:0], nil
	return b
}

// fastSend hands *bp over and puts a free batch in its place, nil once
// done. full has room for every batch: sending never blocks.
func (sp *splitter) fastSend(bp **batch) {
	sp.full <- *bp
	*bp = sp.getBatch()
}

// fastEvents takes the event blocks the read buffer holds whole, in a
// row, into batches (b, sending it when full and taking another from
// free), up to the first block that is anything else: damaged, not an
// event, not whole, or too big for a batch. block reads that one as usual.
// It saves block's calls into the buffered reader for each block. It
// reports false when it sent b and got no other (done).
func (sp *splitter) fastEvents(bp **batch) bool {
	avail := sp.r.Buffered()
	if avail < 8 {
		return true
	}
	buf, _ := sp.r.Peek(avail)
	pos := 0
	defer func() {
		if pos > 0 {
			sp.discard(pos)
		}
	}()
	for pos+8 <= len(buf) {
		b := *bp
		typ := BlockType(binary.LittleEndian.Uint32(buf[pos:]))
		total := int(binary.LittleEndian.Uint32(buf[pos+4:]))
		switch typ {
		case BlockEventV2, BlockEventFlagsV2:
			if total > maxEventBlock+12 {
				return true
			}
		default:
			return true
		}
		if total < 12 || pos+total > len(buf) {
			return true
		}
		body := buf[pos+8 : pos+total-4]
		if len(b.data)+len(body) > cap(b.data) || len(b.evs) == cap(b.evs) {
			if len(b.evs) == 0 && len(b.metas) == 0 {
				return true // a block as big as a batch: block's way
			}
			sp.fastSend(bp)
			if *bp == nil {
				return false
			}
			continue
		}
		at := len(b.data)
		b.data = append(b.data, body...)
		cp := b.data[at:len(b.data):len(b.data)]
		k := len(b.evs)
		b.evs = b.evs[:k+1]
		blkOff := sp.off + int64(pos)
		ok, err := sp.decodeEventAt(&b.evs[k], typ, cp, blkOff)
		if err != nil || !ok {
			b.evs = b.evs[:k]
			b.data = b.data[:at]
		}
		if err != nil {
			// block reads it again and gives the same error.
			return true
		}
		pos += total
		if ok {
			b.ends = append(b.ends, sp.off+int64(pos))
		}
	}
	return true
}

// mustRead reports whether the next block is not whole in the read
// buffer, so that block will have to read (and may wait).
func (sp *splitter) mustRead() bool {
	n := sp.r.Buffered()
	if n < 8 {
		return true
	}
	hdr, _ := sp.r.Peek(8)
	return uint64(n) < uint64(binary.LittleEndian.Uint32(hdr[4:]))
}
