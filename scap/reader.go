package scap

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"sync/atomic"

	"github.com/syscope/syscope/event"
)

// Limits on what a file's length fields may ask for. Memory is only ever
// allocated as the bytes actually arrive, so a lying length on a short file
// costs nothing; these caps stop a long file from asking for absurd blocks.
const (
	maxEventBlock = 64 << 10  // libscap's reader buffer for non-large event blocks
	maxLargeBlock = 256 << 20 // large-payload events (container metadata)
	maxMetaBlock  = 512 << 20 // process, fd, user and interface lists
	chunk         = 1 << 20
)

// Error is a problem with a trace file's content, with the byte offset
// (in the uncompressed stream) of the block where it was found.
type Error struct {
	Offset int64
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("offset %d: %s: %v", e.Offset, e.Msg, e.Err)
	}
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotScap is wrapped by the error of a file that is not a trace file.
var ErrNotScap = errors.New("not a scap trace file")

// SectionSink is a Sink that wants to know when a section other than the
// first begins (a file made of several captures one after another): its
// NewSection is called before the section's metadata blocks are handed
// over. libscap and sinsp restart the capture there, reading the new
// section's tables afresh.
type SectionSink interface {
	Sink
	NewSection()
}

// Reader reads the blocks of a trace file: metadata blocks go to its Sink,
// events are returned by Next. It is not safe for concurrent use.
//
// Once a file proves long (asyncAfter bytes), the reading, splitting into
// blocks and decoding of events moves to a goroutine of its own, which
// hands over events in batches (see pipe.go): on a machine with two cores
// the work of whoever calls Next then overlaps with the reading. Metadata
// still reaches the Sink from Next, in the file's order, so the Sink is
// only ever called from the goroutine calling Next.
type Reader struct {
	sp     *splitter
	sink   Sink
	off    int64 // with the pipe: the end of the last block handed over
	blkOff int64 // offset of the current block
	ev     event.Event
	// Major and Minor are the version of the last section header read.
	Major, Minor uint16
	sections     int
	gz           *gzip.Reader
	in           *counter // a compressed file's bytes read, for InputOffset
	stop         *stopper

	asyncAfter int64 // bytes read before the pipe starts; <0: never
	pipe       *pipe
	cur        *batch // the batch being handed over
	pos        int    // next event of cur
	mpos       int    // next metadata block of cur
	err        error  // the pipe's last word, once reached

	// mp is the file's mapping, when it is read through one (see
	// mapFile); the pipe then never starts: nothing is left to read
	// ahead, and decoding in place costs less than handing events over.
	mp *mapped
}

// splitter reads blocks and decodes events: the part of reading that can
// run ahead of the Reader's user, on another goroutine.
type splitter struct {
	r      source
	off    int64 // bytes consumed from the uncompressed stream
	blkOff int64 // offset of the current block
	buf    []byte
	inBuf  bool // the last block's body is in buf, not in r's buffer
	// block8 is the last block whole, header and trailer included, when
	// it is in r's buffer; nil otherwise.
	block8 []byte
	nev    uint64
	skim   []bool // skim[code]: check the parameters, locate none
	// skimEvery skims every code.
	skimEvery bool

	// The pipe's channels, once the splitter runs on its own.
	full chan<- *batch
	free <-chan *batch
	done <-chan struct{}
}

// NewReader starts reading a trace file, plain or gzip-compressed (told
// apart by the content), and reads its first section header. Metadata
// blocks are handed to sink, which may be nil. Close releases what a
// Reader left before the end of its file holds.
func NewReader(r io.Reader, sink Sink) (*Reader, error) {
	rd := &Reader{sink: sink, sp: &splitter{}, stop: newStopper(), asyncAfter: defaultAsyncAfter}
	if f, ok := r.(*os.File); ok {
		rd.mp = mapFile(f)
	}
	if rd.mp != nil {
		rd.sp.r = rd.mp
		rd.asyncAfter = -1
		if err := rd.start(); err != nil {
			rd.mp.close()
			return nil, err
		}
		return rd, nil
	}
	in := &counter{r: r}
	br := bufio.NewReaderSize(in, 256<<10)
	// A Reader dropped without Close stops its goroutines when collected:
	// they hold the stopper, never the Reader.
	runtime.AddCleanup(rd, func(s *stopper) { s.close() }, rd.stop)
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &Error{Offset: 0, Msg: "read gzip header", Err: err}
		}
		gz.Multistream(true)
		rd.gz = gz
		rd.in = in
		br = bufio.NewReaderSize(newAheadReader(rd.stop.done, gz), 256<<10)
	}
	rd.sp.r = br
	if err := rd.start(); err != nil {
		return nil, err
	}
	return rd, nil
}

// start reads the first section header.
func (rd *Reader) start() error {
	if _, err := rd.sp.r.Peek(1); err != nil {
		if err == io.EOF {
			return &Error{Offset: 0, Msg: "empty file", Err: ErrNotScap}
		}
		return &Error{Offset: 0, Msg: "read file", Err: err}
	}
	typ, body, err := rd.sp.block()
	rd.blkOff = rd.sp.blkOff
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) && typ != BlockSectionHeader {
			fe.Err = ErrNotScap
			fe.Msg = "no section header"
		}
		return err
	}
	if typ != BlockSectionHeader {
		return &Error{Offset: 0, Msg: fmt.Sprintf("first block has type %#x, not a section header", uint32(typ)), Err: ErrNotScap}
	}
	if err := rd.section(body); err != nil {
		return err
	}
	return nil
}

// Close stops the goroutines reading ahead, if any, and unmaps a mapped
// file. The Reader, and the events it returned, must not be used after.
// A Reader that maps its file and is never closed keeps the mapping.
func (rd *Reader) Close() {
	rd.stop.close()
	if rd.mp != nil {
		rd.mp.close()
	}
}

// Next returns the next event. The event is reused by the following call.
// At the end of the file it returns io.EOF; a damaged file gives an
// *Error, after every event before the damage has been returned.
func (rd *Reader) Next() (*event.Event, error) {
	if rd.mp != nil {
		if ev := rd.nextMapped(); ev != nil {
			return ev, nil
		}
	} else if rd.pipe == nil && rd.asyncAfter >= 0 && rd.sp.off >= rd.asyncAfter {
		rd.startPipe()
	}
	if rd.pipe != nil {
		return rd.nextPiped()
	}
	for {
		typ, body, err := rd.sp.block()
		rd.blkOff = rd.sp.blkOff
		if err != nil {
			return nil, err
		}
		switch {
		case typ.isEvent():
			ok, err := rd.sp.decodeEvent(&rd.ev, typ, body)
			if err != nil {
				return nil, err
			}
			if ok {
				return &rd.ev, nil
			}
		case typ == BlockSectionHeader:
			if err := rd.section(body); err != nil {
				return nil, err
			}
		default:
			if err := rd.meta(typ, body); err != nil {
				return nil, err
			}
		}
	}
}

// Events returns the events Next returns, for a range loop: it stops at
// the end of the file, and at damage after yielding the error (with a nil
// event). As with Next, each event is reused by the next step.
func (rd *Reader) Events() iter.Seq2[*event.Event, error] {
	return func(yield func(*event.Event, error) bool) {
		for {
			ev, err := rd.Next()
			if err == io.EOF || !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

// Skim tells the reader that nobody asks for the parameters of events
// of the codes c for which set[c] is true: their parameters are checked
// (a damaged event is an error all the same) but not located, and
// NParams is 0 for them. Call it before the first Next.
func (rd *Reader) Skim(set []bool) {
	if rd.sp != nil {
		rd.sp.skim = set
	}
}

// NextBlock is Next for a copy of the file: it also returns the whole
// block of the event when that block holds the bytes Writer.WriteEvent
// writes for the event, so that the copy can take them as they are
// (Writer.WriteEventBlock); otherwise nil. The event's parameters are
// checked but not located (see Skim). The block, like the event, is valid
// until the next call. NextBlock reads on the caller's goroutine: mixing
// it with Next is not supported.
func (rd *Reader) NextBlock() (*event.Event, []byte, error) {
	rd.asyncAfter = -1
	if ev, blk := rd.nextBuffered(); ev != nil {
		return ev, blk, nil
	}
	for {
		typ, body, err := rd.sp.block()
		rd.blkOff = rd.sp.blkOff
		if err != nil {
			return nil, nil, err
		}
		switch {
		case typ.isEvent():
			ok, err := rd.sp.decodeEventSkim(&rd.ev, typ, body)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				var blk []byte
				if b := rd.sp.block8; b != nil && sameAsWritten(&rd.ev, b) {
					blk = b
				}
				return &rd.ev, blk, nil
			}
		case typ == BlockSectionHeader:
			if err := rd.section(body); err != nil {
				return nil, nil, err
			}
		default:
			if err := rd.meta(typ, body); err != nil {
				return nil, nil, err
			}
		}
	}
}

// nextBuffered is NextBlock's fast way: the next block when it is a V2
// event block the read buffer holds whole, read without the calls of
// block into the buffered reader; nil when it is anything else, for
// block to read.
func (rd *Reader) nextBuffered() (*event.Event, []byte) {
	sp := rd.sp
	buf, _ := sp.r.Peek(sp.r.Buffered())
	if len(buf) < 8 {
		return nil, nil
	}
	typ := BlockType(binary.LittleEndian.Uint32(buf))
	total := int(binary.LittleEndian.Uint32(buf[4:]))
	if typ != BlockEventV2 && typ != BlockEventFlagsV2 || total < 12 || total > maxEventBlock+12 || total > len(buf) {
		return nil, nil
	}
	ok, err := sp.decodeEventSkimAt(&rd.ev, typ, buf[8:total-4], sp.off)
	if err != nil || !ok {
		return nil, nil // block reads it again, for its error or to skip it
	}
	blk := buf[:total]
	sp.blkOff = sp.off
	rd.blkOff = sp.off
	sp.discard(total)
	if !sameAsWritten(&rd.ev, blk) {
		blk = nil
	}
	return &rd.ev, blk
}

// nextMapped is Next's fast way through a mapped file: the next block
// when it is a V2 event block whole in the file, decoded in place; nil
// when it is anything else, for block to read.
func (rd *Reader) nextMapped() *event.Event {
	m := rd.mp
	buf := m.data[m.pos:]
	// wholeEventBlock's checks, written out: through the function, the
	// reading of every event took 6% more instructions (callgrind).
	if len(buf) < 8 {
		return nil
	}
	typ := BlockType(binary.LittleEndian.Uint32(buf))
	total := int(binary.LittleEndian.Uint32(buf[4:]))
	hdr := 2
	if typ != BlockEventV2 {
		if typ != BlockEventFlagsV2 {
			return nil
		}
		hdr = 6
	}
	if total > len(buf) || total > maxEventBlock+12 || total < 8+hdr+event.HeaderLen+4 {
		return nil
	}
	sp := rd.sp
	body := buf[8 : total-4]
	ev := &rd.ev
	if code := int(binary.LittleEndian.Uint16(body[hdr+20:])); sp.skimEvery || code < len(sp.skim) && sp.skim[code] {
		if ok, err := sp.decodeEventAt(ev, typ, body, sp.off); err != nil || !ok {
			return nil // block reads it again, for its error or to skip it
		}
	} else {
		// decodeEventAt's way, in fewer steps, for the common event:
		// anything else (a code the table does not know, damage) is
		// block's to read, skip or report.
		if !ev.DecodeCommon(body[hdr:]) {
			return nil
		}
		ev.CPU = binary.LittleEndian.Uint16(body)
		ev.Flags = 0
		if hdr == 6 {
			ev.Flags = binary.LittleEndian.Uint32(body[2:])
		}
		sp.nev++
		ev.Num = sp.nev
	}
	sp.blkOff = sp.off
	rd.blkOff = sp.off
	m.pos += total
	m.advanced()
	sp.off += int64(total)
	return ev
}

// NextRun is NextBlock for many events at once, in a mapped file: it
// returns the next blocks, one after another in the file, as long as each
// is an event block that NextBlock would hand out with its block (one
// that holds what Writer.WriteEvent writes for its event) and not of a
// code in stop, up to about max bytes, and how many there are. It returns
// no block (n = 0) when the next one is anything else, for NextBlock to
// read: always on a Reader that does not map its file. The run is valid
// until the next call; the events in it are counted but not returned.
func (rd *Reader) NextRun(max int, stop []bool) (run []byte, n int) {
	m := rd.mp
	if m == nil {
		return nil, 0
	}
	m.advanced()
	start, pos, last := m.pos, m.pos, m.pos
	for pos-start < max {
		total := runnable(m.data[pos:], stop, &rd.ev)
		if total == 0 {
			break
		}
		last = pos
		pos += total
		n++
	}
	if n == 0 {
		return nil, 0
	}
	sp := rd.sp
	sp.nev += uint64(n)
	sp.blkOff = sp.off + int64(last-start)
	sp.off += int64(pos - start)
	rd.blkOff = sp.blkOff
	m.pos = pos
	return m.data[start:pos:pos], n
}

// runnable returns the length of the event block buf starts with when
// NextRun may take it: a V2 event block, whole, of a code the table knows
// and stop does not hold, not of a large-payload event, whose parameters
// Decode would accept, and that holds what Writer.WriteEvent writes for
// it; 0 otherwise. ev is scratch space.
func runnable(buf []byte, stop []bool, ev *event.Event) int {
	_, total, hdr := wholeEventBlock(buf)
	if total == 0 || !ev.DecodeCommon(buf[8+hdr:total-4]) || int(ev.Type) < len(stop) && stop[ev.Type] {
		return 0
	}
	ev.Flags = 0
	if hdr == 6 {
		ev.Flags = binary.LittleEndian.Uint32(buf[10:])
	}
	if !sameAsWritten(ev, buf[:total]) {
		return 0
	}
	return total
}

// wholeEventBlock reports, for buf starting with a V2 event block that it
// holds whole, with room for an event header, the block's type, its
// length and the length of what comes before the event in its body (2,
// the CPU, or 6 with the flags); total is 0 for anything else.
func wholeEventBlock(buf []byte) (typ BlockType, total, hdr int) {
	if len(buf) < 8 {
		return 0, 0, 0
	}
	typ = BlockType(binary.LittleEndian.Uint32(buf))
	total = int(binary.LittleEndian.Uint32(buf[4:]))
	hdr = 2
	if typ != BlockEventV2 {
		if typ != BlockEventFlagsV2 {
			return 0, 0, 0
		}
		hdr = 6
	}
	if total > len(buf) || total > maxEventBlock+12 || total < 8+hdr+event.HeaderLen+4 {
		return 0, 0, 0
	}
	return typ, total, hdr
}

// Mapped reports whether the Reader reads a mapping of its file. The
// events then point into the mapping, and a file cut short while it is
// read makes whoever touches the lost bytes fault (see
// debug.SetPanicOnFault).
func (rd *Reader) Mapped() bool { return rd.mp != nil }

// SkimAll is Skim for every code.
func (rd *Reader) SkimAll() {
	if rd.sp != nil {
		rd.sp.skimEvery = true
	}
}

// Sections is the number of section headers read so far: a file may hold
// several sections one after another (trace files concatenated).
func (rd *Reader) Sections() int { return rd.sections }

// Offset is the number of bytes of the uncompressed stream read so far:
// up to the end of the block of the event Next last returned (or of the
// damage it reported).
func (rd *Reader) Offset() int64 {
	if rd.pipe != nil {
		return rd.off
	}
	return rd.sp.off
}

// InputOffset is the number of bytes of the file read so far: Offset for
// a plain file; for a compressed one, the compressed bytes taken from it,
// which run ahead of the events returned by what is read and decompressed
// ahead of them.
func (rd *Reader) InputOffset() int64 {
	if rd.in != nil {
		return rd.in.n.Load()
	}
	return rd.Offset()
}

// counter counts the bytes read through it. The goroutine decompressing
// ahead reads through it while the Reader's user asks for the count.
type counter struct {
	r io.Reader
	n atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (rd *Reader) errf(format string, a ...any) error {
	return &Error{Offset: rd.blkOff, Msg: fmt.Sprintf(format, a...)}
}

func (sp *splitter) errf(format string, a ...any) error {
	return &Error{Offset: sp.blkOff, Msg: fmt.Sprintf(format, a...)}
}

// block reads one whole block and returns its type and its body, without
// the header and the trailing length. The body is valid until the next call:
// a block that fits the read buffer is returned in place, without a copy.
func (sp *splitter) block() (BlockType, []byte, error) {
	sp.blkOff = sp.off
	sp.inBuf = false
	sp.block8 = nil
	hdr, err := sp.r.Peek(8)
	if err != nil {
		n, _ := sp.r.Discard(len(hdr))
		sp.off += int64(n)
		if err == io.EOF {
			if n == 0 {
				return 0, nil, io.EOF
			}
			return 0, nil, &Error{Offset: sp.blkOff, Msg: fmt.Sprintf("file ends inside a block header (%d of 8 bytes)", n)}
		}
		return 0, nil, &Error{Offset: sp.blkOff, Msg: "read block header", Err: err}
	}
	typ := BlockType(binary.LittleEndian.Uint32(hdr[0:])).canonical()
	total := binary.LittleEndian.Uint32(hdr[4:])
	if total < 12 {
		sp.discard(8)
		return typ, nil, sp.errf("block of type %#x has length %d, less than the 12 bytes of its framing", uint32(typ), total)
	}
	limit := uint32(maxMetaBlock)
	switch typ {
	case BlockEvent, BlockEventFlags, BlockEventV2, BlockEventFlagsV2:
		limit = maxEventBlock + 12
	case BlockEventV2Large, BlockEventFlagsV2L:
		limit = maxLargeBlock
	}
	if total > limit {
		sp.discard(8)
		return typ, nil, sp.errf("block of type %#x has length %d, more than the %d bytes such a block may have", uint32(typ), total, limit)
	}
	var body []byte
	if int(total) <= sp.r.Size() {
		// The whole block in the read buffer: no copy.
		b, err := sp.r.Peek(int(total))
		if err != nil {
			sp.discard(len(b))
			if err == io.EOF {
				return typ, nil, sp.errf("file ends inside a block of type %#x and length %d", uint32(typ), total)
			}
			return typ, nil, &Error{Offset: sp.blkOff, Msg: "read block", Err: err}
		}
		sp.discard(len(b))
		body = b[8:]
		sp.block8 = b
	} else {
		sp.discard(8)
		need := int(total - 8)
		if err := sp.fill(need); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return typ, nil, sp.errf("file ends inside a block of type %#x and length %d", uint32(typ), total)
			}
			return typ, nil, &Error{Offset: sp.blkOff, Msg: "read block", Err: err}
		}
		body = sp.buf[:need]
		sp.inBuf = true
	}
	need := len(body)
	trailer := binary.LittleEndian.Uint32(body[need-4:])
	if trailer != total && !typ.isEvent() {
		// libscap checks the trailer of metadata blocks only.
		return typ, nil, sp.errf("block of type %#x: trailing length %d differs from leading length %d", uint32(typ), trailer, total)
	}
	return typ, body[:need-4], nil
}

// discard consumes n bytes that the read buffer holds.
func (sp *splitter) discard(n int) {
	m, _ := sp.r.Discard(n)
	sp.off += int64(m)
}

// fill reads n bytes into sp.buf, growing it only as data arrives.
func (sp *splitter) fill(n int) error {
	if n <= cap(sp.buf) {
		sp.buf = sp.buf[:n]
		m, err := io.ReadFull(sp.r, sp.buf)
		sp.off += int64(m)
		return err
	}
	have := 0
	sp.buf = sp.buf[:0]
	for have < n {
		step := n - have
		if step > chunk {
			step = chunk
		}
		if cap(sp.buf) < have+step {
			nb := make([]byte, have, max(have+step, 2*cap(sp.buf)))
			copy(nb, sp.buf[:have])
			sp.buf = nb
		}
		sp.buf = sp.buf[:have+step]
		m, err := io.ReadFull(sp.r, sp.buf[have:have+step])
		sp.off += int64(m)
		have += m
		if err != nil {
			return err
		}
	}
	return nil
}

func (rd *Reader) section(body []byte) error {
	if len(body) < 16 {
		return rd.errf("section header of %d bytes is shorter than 16", len(body))
	}
	magic := binary.LittleEndian.Uint32(body[0:])
	if magic != SectionMagic {
		if magic == 0x4D3C2B1A {
			return &Error{Offset: rd.blkOff, Msg: "section header is big-endian, which no scap writer produces", Err: ErrNotScap}
		}
		return &Error{Offset: rd.blkOff, Msg: fmt.Sprintf("section header has magic %#x, not %#x", magic, SectionMagic), Err: ErrNotScap}
	}
	rd.Major = binary.LittleEndian.Uint16(body[4:])
	rd.Minor = binary.LittleEndian.Uint16(body[6:])
	if rd.Major > 1 {
		return rd.errf("section version %d.%d is newer than the 1.x this reader knows", rd.Major, rd.Minor)
	}
	rd.sections++
	if rd.sections > 1 {
		if r, ok := rd.sink.(SectionSink); ok {
			r.NewSection()
		}
	}
	return nil
}

// decodeEvent fills ev from an event block. It returns false for an
// event to skip: one of a type this table does not know.
func (sp *splitter) decodeEvent(ev *event.Event, typ BlockType, body []byte) (bool, error) {
	return sp.decodeEventAt(ev, typ, body, sp.blkOff)
}

// decodeEventSkim is decodeEvent with every code skimmed.
func (sp *splitter) decodeEventSkim(ev *event.Event, typ BlockType, body []byte) (bool, error) {
	return sp.decodeEventSkimAt(ev, typ, body, sp.blkOff)
}

// decodeEventSkimAt is decodeEventAt with every code skimmed.
func (sp *splitter) decodeEventSkimAt(ev *event.Event, typ BlockType, body []byte, off int64) (bool, error) {
	every := sp.skimEvery
	sp.skimEvery = true
	ok, err := sp.decodeEventAt(ev, typ, body, off)
	sp.skimEvery = every
	return ok, err
}

// decodeEventAt is decodeEvent for a block at offset off.
func (sp *splitter) decodeEventAt(ev *event.Event, typ BlockType, body []byte, off int64) (bool, error) {
	v2 := typ == BlockEventV2 || typ == BlockEventFlagsV2 || typ == BlockEventV2Large || typ == BlockEventFlagsV2L
	flagged := typ == BlockEventFlags || typ == BlockEventFlagsV2 || typ == BlockEventFlagsV2L
	hdr := 2
	if flagged {
		hdr = 6
	}
	hl := event.HeaderLenV1
	if v2 {
		hl = event.HeaderLen
	}
	if len(body) < hdr+hl {
		return false, &Error{Offset: off, Msg: fmt.Sprintf("event block of %d bytes is too short for its header", len(body)+12)}
	}
	ev.CPU = binary.LittleEndian.Uint16(body)
	ev.Flags = 0
	if flagged {
		ev.Flags = binary.LittleEndian.Uint32(body[2:])
	}
	raw := body[hdr:]
	code := event.Code(binary.LittleEndian.Uint16(raw[20:]))
	if event.Lookup(code) == nil {
		// A newer writer's event: skipped, as libscap does.
		return false, nil
	}
	var err error
	if v2 {
		if sp.skimEvery || int(code) < len(sp.skim) && sp.skim[code] {
			err = ev.Skim(raw)
		} else {
			err = ev.Decode(raw)
		}
	} else {
		err = ev.DecodeV1(raw)
	}
	if err != nil {
		return false, &Error{Offset: off, Msg: fmt.Sprintf("event %d", sp.nev+1), Err: err}
	}
	sp.nev++
	ev.Num = sp.nev
	return true, nil
}

// Decompression runs ahead of the reader, in a goroutine of its own, in
// aheadBufs buffers of aheadSize bytes: on a machine with two cores, a
// gzip-compressed file reads nearly as fast as a plain one. The first
// aheadAfter bytes are decompressed as they are asked for, so a small file
// never starts the goroutine.
const (
	aheadBufs  = 4
	aheadSize  = 256 << 10
	aheadAfter = 4 << 20
)

// aheadReader reads src, through a goroutine reading ahead once aheadAfter
// bytes have been read. The goroutine ends at the end of src, at its first
// error, or once done is closed (the Reader that owns the aheadReader is
// closed or garbage).
type aheadReader struct {
	done  <-chan struct{}
	src   io.Reader
	read  int  // bytes read before the goroutine starts
	ahead bool // whether it has started

	full chan aheadChunk // read, in order
	free chan []byte     // buffers to read into
	cur  []byte          // what is left of the chunk being read
	buf  []byte          // the buffer of cur, to give back when done
	err  error           // the error after cur
}

type aheadChunk struct {
	b   []byte
	err error
}

func newAheadReader(done <-chan struct{}, src io.Reader) *aheadReader {
	return &aheadReader{done: done, src: src}
}

// start starts the goroutine.
func (a *aheadReader) start() {
	a.ahead = true
	a.full = make(chan aheadChunk, aheadBufs)
	a.free = make(chan []byte, aheadBufs)
	for range aheadBufs {
		a.free <- nil // allocated when first needed
	}
	go readAhead(a.src, a.full, a.free, a.done)
	a.src = nil
}

// readAhead fills free buffers from src and sends them on full, the last
// one with the error that ended src (io.EOF at its end).
func readAhead(src io.Reader, full chan<- aheadChunk, free <-chan []byte, done <-chan struct{}) {
	for {
		var buf []byte
		select {
		case buf = <-free:
		case <-done:
			return
		}
		if buf == nil {
			buf = make([]byte, aheadSize)
		}
		n := 0
		var err error
		for n < len(buf) && err == nil {
			var m int
			m, err = src.Read(buf[n:])
			n += m
		}
		// full has room for every buffer: this never blocks.
		full <- aheadChunk{buf[:n], err}
		if err != nil {
			return
		}
	}
}

func (a *aheadReader) Read(p []byte) (int, error) {
	if !a.ahead {
		if a.err == nil && a.read < aheadAfter {
			n, err := a.src.Read(p)
			a.read += n
			a.err = err
			return n, err
		}
		if a.err != nil {
			return 0, a.err
		}
		a.start()
	}
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)]
			a.buf = nil
		}
		c := <-a.full
		a.cur, a.buf, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}
