package scap

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/syscope/syscope/event"
)

// Meta is the metadata a capture file starts with: what a reader hands to
// its Sink before the first event. Recorder collects it from a reader;
// state.Snapshot builds it from the state; the live capture from /proc.
type Meta struct {
	Machine    *MachineInfo // nil: no machine info block
	Interfaces []Interface
	Users      []User
	Groups     []Group
	Procs      []Process
	// FDs holds the fds of each thread, by thread id. Filled with AddFD,
	// the fd list blocks come in the order the threads were first added;
	// filled directly, in the order of Procs.
	FDs   map[int64][]FDInfo
	fdTID []int64 // thread ids of FDs in the order first seen
}

// AddFD adds an fd of thread tid, keeping the order of threads.
func (m *Meta) AddFD(tid int64, f FDInfo) {
	if m.FDs == nil {
		m.FDs = make(map[int64][]FDInfo)
	}
	if _, ok := m.FDs[tid]; !ok {
		m.fdTID = append(m.fdTID, tid)
	}
	m.FDs[tid] = append(m.FDs[tid], f)
}

func (m *Meta) fdThreads() []int64 {
	if len(m.fdTID) == len(m.FDs) {
		return m.fdTID
	}
	// Filled directly: the order of the process list, then the rest.
	tids := make([]int64, 0, len(m.FDs))
	seen := make(map[int64]bool, len(m.FDs))
	for _, p := range m.Procs {
		if _, ok := m.FDs[p.TID]; ok && !seen[p.TID] {
			seen[p.TID] = true
			tids = append(tids, p.TID)
		}
	}
	if len(tids) < len(m.FDs) {
		rest := make([]int64, 0, len(m.FDs)-len(tids))
		for tid := range m.FDs {
			if !seen[tid] {
				rest = append(rest, tid)
			}
		}
		sortInt64s(rest)
		tids = append(tids, rest...)
	}
	return tids
}

func sortInt64s(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Recorder is a Sink that keeps a copy of the metadata it receives and
// passes it on to another Sink (which may be nil).
type Recorder struct {
	Next Sink
	Meta Meta
	// Fresh is set whenever metadata arrives; a writer clears it once it
	// has written the metadata out.
	Fresh bool
}

// Machine records and forwards a machine info block.
func (r *Recorder) Machine(m *MachineInfo) {
	c := *m
	r.Meta.Machine, r.Fresh = &c, true
	if r.Next != nil {
		r.Next.Machine(m)
	}
}

// Process records and forwards a process list entry.
func (r *Recorder) Process(p *Process) {
	r.Meta.Procs, r.Fresh = append(r.Meta.Procs, *p), true
	if r.Next != nil {
		r.Next.Process(p)
	}
}

// FD records and forwards an fd list entry.
func (r *Recorder) FD(tid int64, f *FDInfo) {
	r.Meta.AddFD(tid, *f)
	r.Fresh = true
	if r.Next != nil {
		r.Next.FD(tid, f)
	}
}

// User records and forwards a user.
func (r *Recorder) User(u *User) {
	r.Meta.Users, r.Fresh = append(r.Meta.Users, *u), true
	if r.Next != nil {
		r.Next.User(u)
	}
}

// Group records and forwards a group.
func (r *Recorder) Group(g *Group) {
	r.Meta.Groups, r.Fresh = append(r.Meta.Groups, *g), true
	if r.Next != nil {
		r.Next.Group(g)
	}
}

// Interfaces records and forwards an interface list.
func (r *Recorder) Interfaces(list []Interface) {
	r.Meta.Interfaces, r.Fresh = append([]Interface(nil), list...), true
	if r.Next != nil {
		r.Next.Interfaces(list)
	}
}

// Reset forgets the recorded metadata, for a new section.
func (r *Recorder) Reset() { r.Meta = Meta{} }

// NewSection starts recording a new section's metadata, and tells the
// next sink if it wants to know.
func (r *Recorder) NewSection() {
	r.Reset()
	if s, ok := r.Next.(SectionSink); ok {
		s.NewSection()
	}
}

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Compress writes gzip, like sysdig -z.
	Compress bool
	// Level is the gzip level, from gzip.BestSpeed to gzip.BestCompression;
	// 0 means zlib's default (6), which sysdig uses.
	Level int
}

// What sysdig 0.29.3's reader accepts (libscap's SCAP_MAX_PATH_SIZE,
// SCAP_MAX_ARGS_SIZE, ..., MAX_CREDENTIALS_STR_LEN and READER_BUF_SIZE).
// Longer values are cut to fit, as libscap's writer cuts them: a value
// the reader refuses would make it refuse the whole file.
const (
	maxProcPath = 1024    // comm, exe, exepath, cwd, root
	maxArgs     = 4096    // args, env, cgroups: NUL-separated lists
	maxFDName   = 1023    // fd names, interface names
	maxCredStr  = 255     // user name, home, shell; group name
	maxEvBody   = 1 << 16 // a non-large event block, less its 8-byte header
)

// Writer writes a capture file: section header 1.2 and metadata blocks
// (machine info, interface list V2, user list V2, process list V9, fd list
// V2), then event blocks V2, with flags when an event has them, and the
// large variants for large-payload event types. These are the blocks
// sysdig 0.29.3 writes, in the layouts both its reader and current libs'
// read, so either reads our files as its own.
//
// Blocks are built whole in a buffer and only whole blocks are handed to
// the destination, so a file stopped by an error or a crash ends at a
// block boundary. If the destination takes part of a write and then
// fails (a full disk), an uncompressed destination that can seek and
// truncate (an *os.File) is cut back to its last whole block. A gzip
// stream cut by an error keeps every block before the last Flush
// readable; readers then report the damaged end.
//
// The first error is kept: every later call returns it. A Writer is not
// safe for concurrent use. It never closes its destination.
type Writer struct {
	out io.Writer // the destination as given
	dst io.Writer // out, or the gzip stream over it
	gz  *gzip.Writer
	buf []byte // whole blocks not yet written, then the block being built
	blk int    // where the block being built starts in buf
	n   int64  // uncompressed bytes of the blocks accepted
	// flushed counts the uncompressed bytes handed to dst whole.
	flushed int64
	err     error
	wrote   bool // a section header was written
	closed  bool
}

// bufSize is how much the writer buffers before writing.
const bufSize = 256 << 10

// ErrClosed is returned by a Writer used after Close.
var ErrClosed = errors.New("capture file writer is closed")

// NewWriter starts a capture file on w. Nothing is written until
// WriteMeta.
func NewWriter(w io.Writer, opt WriterOptions) *Writer {
	wr := &Writer{buf: make([]byte, 0, bufSize)}
	if opt.Compress {
		level := opt.Level
		if level == 0 {
			level = gzip.DefaultCompression
		}
		gz, err := gzip.NewWriterLevel(w, level)
		if err != nil {
			// An invalid level: the default one.
			gz = gzip.NewWriter(w)
		}
		wr.gz = gz
	}
	wr.Reset(w)
	return wr
}

// Reset starts a new capture file on w with the same options, reusing
// the writer's buffers. What was not flushed to the previous destination
// is dropped: Close it first.
func (w *Writer) Reset(out io.Writer) {
	w.out, w.dst = out, out
	if w.gz != nil {
		w.gz.Reset(out)
		w.dst = w.gz
	}
	w.buf, w.blk = w.buf[:0], 0
	w.n, w.flushed = 0, 0
	w.err, w.wrote, w.closed = nil, false, false
}

// Written is the number of uncompressed bytes of the blocks written so far,
// buffered or not.
func (w *Writer) Written() int64 { return w.n }

// Flushed is the number of uncompressed bytes handed whole to the
// destination (or the gzip stream): the file's longest prefix known to
// hold whole blocks only.
func (w *Writer) Flushed() int64 { return w.flushed }

func (w *Writer) begin(typ BlockType) {
	w.blk = len(w.buf)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(typ))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, 0)
}

func (w *Writer) u8(v uint8)   { w.buf = append(w.buf, v) }
func (w *Writer) u16(v uint16) { w.buf = binary.LittleEndian.AppendUint16(w.buf, v) }
func (w *Writer) u32(v uint32) { w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }
func (w *Writer) u64(v uint64) { w.buf = binary.LittleEndian.AppendUint64(w.buf, v) }

// str writes a string with a 16-bit length and no terminator, as libscap's
// process, fd and user lists store names, cut to max bytes.
func (w *Writer) str(s string, max int) {
	if len(s) > max {
		s = s[:max]
	}
	w.u16(uint16(len(s)))
	w.buf = append(w.buf, s...)
}

// strs writes strings, each NUL-terminated, with a 16-bit total length,
// cut to max bytes. Cutting keeps the bytes a list read from a cut /proc
// file had, so such a list is written back as it was read.
func (w *Writer) strs(list []string, max int) {
	at := len(w.buf)
	w.u16(0)
	for _, s := range list {
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, 0)
		if len(w.buf)-at-2 >= max {
			w.buf = w.buf[:at+2+max]
			break
		}
	}
	binary.LittleEndian.PutUint16(w.buf[at:], uint16(len(w.buf)-at-2))
}

// entry starts a list entry with a 32-bit length, to be set by entryEnd.
func (w *Writer) entry() int {
	at := len(w.buf)
	w.u32(0)
	return at
}

// entryEnd sets the length of the entry at at, counting from at+skip.
func (w *Writer) entryEnd(at, skip int) {
	binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at-skip))
}

// end pads the block, sets its lengths and accepts it; once enough is
// buffered, it writes.
func (w *Writer) end() error {
	for (len(w.buf)-w.blk)%4 != 0 {
		w.buf = append(w.buf, 0)
	}
	total := uint32(len(w.buf) - w.blk + 4)
	binary.LittleEndian.PutUint32(w.buf[w.blk+4:], total)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, total)
	w.n += int64(total)
	w.blk = len(w.buf)
	if len(w.buf) >= bufSize {
		return w.drain()
	}
	return nil
}

// truncater is a destination that can be cut back after a partial write.
type truncater interface {
	Truncate(size int64) error
	Seek(offset int64, whence int) (int64, error)
}

// drain writes the buffered blocks, all of them whole.
func (w *Writer) drain() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.dst.Write(w.buf)
	if err == nil && n < len(w.buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
		if n > 0 && w.gz == nil {
			w.cutBack(int64(n))
		}
		w.buf, w.blk = w.buf[:0], 0
		return err
	}
	w.flushed += int64(n)
	w.buf, w.blk = w.buf[:0], 0
	if cap(w.buf) > 4*bufSize {
		// Grown for a big block (a long process list): let it go.
		w.buf = make([]byte, 0, bufSize)
	}
	return nil
}

// cutBack removes the n bytes of a partial write from the end of an
// uncompressed destination that allows it, so it ends with a whole block.
func (w *Writer) cutBack(n int64) {
	t, ok := w.out.(truncater)
	if !ok {
		return
	}
	pos, err := t.Seek(0, io.SeekCurrent)
	if err != nil || pos < n {
		return
	}
	if t.Truncate(pos-n) == nil {
		t.Seek(pos-n, io.SeekStart)
	}
}

// usable reports why the writer cannot take more blocks, if it cannot.
func (w *Writer) usable() error {
	if w.closed {
		return ErrClosed
	}
	return w.err
}

func (w *Writer) section() error {
	w.begin(BlockSectionHeader)
	w.u32(SectionMagic)
	w.u16(1)
	w.u16(2)
	w.u64(^uint64(0)) // section length: unknown
	w.wrote = true
	return w.end()
}

// WriteMeta writes a section header and the metadata blocks (none for a
// nil m). Calling it again starts a new section, which readers take as new
// metadata: sysdig restarts its state there.
func (w *Writer) WriteMeta(m *Meta) error {
	if m == nil {
		m = &Meta{}
	}
	if err := w.usable(); err != nil {
		return fmt.Errorf("write section header: %w", err)
	}
	if err := w.section(); err != nil {
		return fmt.Errorf("write section header: %w", err)
	}
	if mi := m.Machine; mi != nil {
		w.begin(BlockMachineInfo)
		w.u32(mi.NumCPUs)
		w.u64(mi.MemoryBytes)
		w.u64(mi.MaxPID)
		var host [128]byte
		copy(host[:127], mi.Hostname)
		w.buf = append(w.buf, host[:]...)
		w.u64(mi.BootTS)
		w.u64(mi.Flags)
		w.u64(0)
		w.u64(0)
		if err := w.end(); err != nil {
			return fmt.Errorf("write machine info: %w", err)
		}
	}
	if len(m.Interfaces) > 0 {
		w.begin(BlockIfListV2)
		for i := range m.Interfaces {
			w.iface(&m.Interfaces[i])
		}
		if err := w.end(); err != nil {
			return fmt.Errorf("write interface list: %w", err)
		}
	}
	if len(m.Users)+len(m.Groups) > 0 {
		w.begin(BlockUserListV2)
		for _, u := range m.Users {
			at := w.entry()
			w.u8(0)
			w.u32(u.UID)
			w.u32(u.GID)
			w.str(u.Name, maxCredStr)
			w.str(u.Home, maxCredStr)
			w.str(u.Shell, maxCredStr)
			w.entryEnd(at, 0)
		}
		for _, g := range m.Groups {
			at := w.entry()
			w.u8(1)
			w.u32(g.GID)
			w.str(g.Name, maxCredStr)
			w.entryEnd(at, 0)
		}
		if err := w.end(); err != nil {
			return fmt.Errorf("write user list: %w", err)
		}
	}
	if len(m.Procs) > 0 {
		w.begin(BlockProcListV9)
		for i := range m.Procs {
			w.proc(&m.Procs[i])
		}
		if err := w.end(); err != nil {
			return fmt.Errorf("write process list: %w", err)
		}
	}
	for _, tid := range m.fdThreads() {
		fds := m.FDs[tid]
		if len(fds) == 0 {
			continue
		}
		w.begin(BlockFDListV2)
		w.u64(uint64(tid))
		for i := range fds {
			w.fd(&fds[i])
		}
		if err := w.end(); err != nil {
			return fmt.Errorf("write fd list of thread %d: %w", tid, err)
		}
	}
	return nil
}

func (w *Writer) iface(it *Interface) {
	at := w.entry()
	n := 4
	if it.IPv6 {
		n = 16
		w.u16(ifIPv6)
	} else {
		w.u16(ifIPv4)
	}
	name := it.Name
	if len(name) > maxFDName {
		name = name[:maxFDName]
	}
	w.u16(uint16(len(name)))
	w.buf = append(w.buf, it.Addr[:n]...)
	w.buf = append(w.buf, it.Netmask[:n]...)
	w.buf = append(w.buf, it.Bcast[:n]...)
	w.u64(it.LinkSpeed)
	w.buf = append(w.buf, name...)
	// The entry length of an interface excludes itself.
	w.entryEnd(at, 4)
}

// proc writes a V9 process entry. After root come loginuid, exe_writable
// and the three capability sets: the layout of libs before 0.10, which
// sysdig 0.29.3 reads (loginuid, exe_writable) and current libs recognizes
// by its length. Fields later libs insert before loginuid (pidns init
// time, tty) would make 0.29.3 misread loginuid, so they are not written,
// nor are the ones appended after the capabilities.
func (w *Writer) proc(p *Process) {
	at := w.entry()
	w.u64(uint64(p.TID))
	w.u64(uint64(p.PID))
	w.u64(uint64(p.PTID))
	w.u64(uint64(p.SID))
	w.u64(uint64(p.VPGID))
	w.str(p.Comm, maxProcPath)
	w.str(p.Exe, maxProcPath)
	w.str(p.ExePath, maxProcPath)
	w.strs(p.Args, maxArgs)
	w.str(p.Cwd, maxProcPath)
	w.u64(uint64(p.FDLimit))
	w.u32(p.Flags)
	w.u32(p.UID)
	w.u32(p.GID)
	w.u32(p.VMSize)
	w.u32(p.VMRSS)
	w.u32(p.VMSwap)
	w.u64(p.PgftMaj)
	w.u64(p.PgftMin)
	w.strs(p.Env, maxArgs)
	w.u64(uint64(p.VTID))
	w.u64(uint64(p.VPID))
	w.strs(p.Cgroups, maxArgs)
	w.str(p.Root, maxProcPath)
	w.u32(p.LoginUID)
	w.u8(b2u8(p.ExeWritable))
	w.u64(p.CapInheritable)
	w.u64(p.CapPermitted)
	w.u64(p.CapEffective)
	w.entryEnd(at, 0)
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// fd writes an fd list entry. Types sysdig 0.29.3 does not know (bpf,
// userfaultfd, io_uring, memfd, pidfd) would make it refuse the file:
// they are written as unsupported fds, with their names.
func (w *Writer) fd(f *FDInfo) {
	at := w.entry()
	typ := f.Type
	if typ > FDTypeFileV2 {
		typ = FDTypeUnsupported
	}
	w.u64(uint64(f.FD))
	w.u64(f.Ino)
	w.u8(typ)
	switch typ {
	case FDTypeIPv4Sock:
		w.buf = append(w.buf, f.SIP[:4]...)
		w.buf = append(w.buf, f.DIP[:4]...)
		w.u16(f.SPort)
		w.u16(f.DPort)
		w.u8(f.L4Proto)
	case FDTypeIPv4Server:
		w.buf = append(w.buf, f.SIP[:4]...)
		w.u16(f.SPort)
		w.u8(f.L4Proto)
	case FDTypeIPv6Sock:
		w.buf = append(w.buf, f.SIP[:]...)
		w.buf = append(w.buf, f.DIP[:]...)
		w.u16(f.SPort)
		w.u16(f.DPort)
		w.u8(f.L4Proto)
	case FDTypeIPv6Server:
		w.buf = append(w.buf, f.SIP[:]...)
		w.u16(f.SPort)
		w.u8(f.L4Proto)
	case FDTypeUnixSock:
		w.u64(f.UnixSource)
		w.u64(f.UnixDest)
		w.str(f.Name, maxFDName)
	case FDTypeFileV2:
		w.u32(f.OpenFlags)
		w.str(f.Name, maxFDName)
		w.u32(f.Dev)
	case FDTypeUnknown:
	default:
		w.str(f.Name, maxFDName)
	}
	w.entryEnd(at, 0)
}

// ErrNoMeta is returned by WriteEvent before any metadata was written.
var ErrNoMeta = errors.New("capture file has no section header yet")

// WriteEvent writes one event, in an event block V2 (0x216), or with its
// flags (0x217) when ev.Flags is not 0; large-payload event types go in
// the large variants (0x221, 0x222), as does an event too long for
// sysdig's reader to take in a normal block. An event of a V1 block gets
// the current 26-byte header, with its parameter count. The event's bytes
// are copied: ev may be reused as soon as WriteEvent returns.
func (w *Writer) WriteEvent(ev *event.Event) error {
	if err := w.usable(); err != nil {
		return fmt.Errorf("write event block: %w", err)
	}
	if !w.wrote {
		return ErrNoMeta
	}
	raw := ev.Raw
	hl := event.HeaderLen
	if ev.V1 {
		hl = event.HeaderLenV1
	}
	if len(raw) < hl {
		return fmt.Errorf("write event block: event of %d bytes is shorter than its %d-byte header", len(raw), hl)
	}
	body := 2 + len(raw) + event.HeaderLen - hl
	if ev.Flags != 0 {
		body += 4
	}
	typ := eventBlockType(ev, body)
	if !ev.V1 {
		// The usual case, framed in one go.
		total := 8 + (body+3)&^3 + 4
		at := len(w.buf)
		w.buf = slices.Grow(w.buf, total)[:at+total]
		b := w.buf[at:]
		binary.LittleEndian.PutUint32(b, uint32(typ))
		binary.LittleEndian.PutUint32(b[4:], uint32(total))
		binary.LittleEndian.PutUint16(b[8:], ev.CPU)
		p := 10
		if ev.Flags != 0 {
			binary.LittleEndian.PutUint32(b[10:], ev.Flags)
			p = 14
		}
		p += copy(b[p:], raw)
		clear(b[p : total-4])
		binary.LittleEndian.PutUint32(b[total-4:], uint32(total))
		w.n += int64(total)
		w.blk = len(w.buf)
		if len(w.buf) >= bufSize {
			if err := w.drain(); err != nil {
				return fmt.Errorf("write event block: %w", err)
			}
		}
		return nil
	}
	w.begin(typ)
	w.u16(ev.CPU)
	if ev.Flags != 0 {
		w.u32(ev.Flags)
	}
	if ev.V1 {
		w.buf = append(w.buf, raw[:16]...)
		w.u32(uint32(len(raw) + 4))
		w.buf = append(w.buf, raw[20:22]...)
		w.u32(uint32(ev.NParams()))
		w.buf = append(w.buf, raw[event.HeaderLenV1:]...)
	} else {
		w.buf = append(w.buf, raw...)
	}
	if err := w.end(); err != nil {
		return fmt.Errorf("write event block: %w", err)
	}
	return nil
}

// WriteEventBlock writes ev as WriteEvent does, from block, the bytes
// WriteEvent would write for it (see Reader.NextBlock), copied as they
// are; with a nil block it is WriteEvent.
func (w *Writer) WriteEventBlock(ev *event.Event, block []byte) error {
	if block == nil {
		return w.WriteEvent(ev)
	}
	if err := w.usable(); err != nil {
		return fmt.Errorf("write event block: %w", err)
	}
	if !w.wrote {
		return ErrNoMeta
	}
	w.buf = append(w.buf, block...)
	w.n += int64(len(block))
	w.blk = len(w.buf)
	if len(w.buf) >= bufSize {
		if err := w.drain(); err != nil {
			return fmt.Errorf("write event block: %w", err)
		}
	}
	return nil
}

// WriteEventRun is WriteEventBlock for the n event blocks of run, one
// after another, as Reader.NextRun hands them out.
func (w *Writer) WriteEventRun(run []byte, n int) error {
	if err := w.usable(); err != nil {
		return fmt.Errorf("write event blocks: %w", err)
	}
	if !w.wrote {
		return ErrNoMeta
	}
	if len(w.buf)+len(run) < bufSize {
		w.buf = append(w.buf, run...)
		w.n += int64(len(run))
		w.blk = len(w.buf)
		return nil
	}
	// A long run goes out as it is, without a copy into the buffer.
	if err := w.drain(); err != nil {
		return fmt.Errorf("write event blocks: %w", err)
	}
	m, err := w.dst.Write(run)
	if err == nil && m < len(run) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
		if m > 0 && w.gz == nil {
			w.cutBack(int64(m))
		}
		return fmt.Errorf("write event blocks: %w", err)
	}
	w.n += int64(len(run))
	w.flushed += int64(len(run))
	return nil
}

// sameAsWritten reports whether block, an event block read from a file,
// holds the bytes WriteEvent writes for ev, the event decoded from it:
// a V2 block of the type WriteEvent picks, padded with zeros to the same
// length, ending with its length.
func sameAsWritten(ev *event.Event, block []byte) bool {
	if ev.V1 || len(block) < 12 {
		return false
	}
	body := 2 + len(ev.Raw)
	if ev.Flags != 0 {
		body += 4
	}
	typ := eventBlockType(ev, body)
	total := 8 + (body+3)&^3 + 4
	if len(block) != total || BlockType(binary.LittleEndian.Uint32(block)) != typ ||
		binary.LittleEndian.Uint32(block[4:]) != uint32(total) ||
		binary.LittleEndian.Uint32(block[total-4:]) != uint32(total) {
		return false
	}
	for _, c := range block[8+body : total-4] {
		if c != 0 {
			return false
		}
	}
	return true
}

// Flush writes out what is buffered, whole blocks only, and flushes the
// gzip stream so that what was written so far can be read.
func (w *Writer) Flush() error {
	if err := w.usable(); err != nil {
		return fmt.Errorf("flush capture file: %w", err)
	}
	if err := w.drain(); err != nil {
		return fmt.Errorf("flush capture file: %w", err)
	}
	if w.gz != nil {
		if err := w.gz.Flush(); err != nil {
			w.err = err
			return fmt.Errorf("flush capture file: %w", err)
		}
	}
	return nil
}

// Close flushes and, for gzip, ends the compressed stream. It does not
// close the destination, which the caller owns. Closing twice is
// harmless; after Close, the Writer can only be Reset.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	if err := w.usable(); err != nil {
		w.closed = true
		return fmt.Errorf("close capture file: %w", err)
	}
	if err := w.drain(); err != nil {
		w.closed = true
		return fmt.Errorf("close capture file: %w", err)
	}
	w.closed = true
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			w.err = err
			return fmt.Errorf("close gzip stream: %w", err)
		}
	}
	return nil
}

// eventBlockType is the block an event of body bytes (CPU, flags and
// event) is written in: with flags or not, large when its type carries a
// large payload or the body would not fit a 16-bit-length block.
func eventBlockType(ev *event.Event, body int) BlockType {
	large := ev.Info != nil && ev.Info.Flags&event.FlagLargePayload != 0 ||
		(body+3)&^3+4 > maxEvBody
	switch {
	case ev.Flags != 0 && large:
		return BlockEventFlagsV2L
	case ev.Flags != 0:
		return BlockEventFlagsV2
	case large:
		return BlockEventV2Large
	}
	return BlockEventV2
}
