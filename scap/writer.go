package scap

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/syscope/syscope/event"
)

// Meta is the metadata a capture file starts with: what a reader hands to
// its Sink before the first event. Recorder collects it from a reader;
// the live capture builds it from /proc.
type Meta struct {
	Machine    *MachineInfo
	Interfaces []Interface
	Users      []User
	Groups     []Group
	Procs      []Process
	// FDs holds the fds of each thread, by thread id, in the order read.
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
	// Filled directly: any order will do, but a stable one.
	tids := make([]int64, 0, len(m.FDs))
	for _, p := range m.Procs {
		if _, ok := m.FDs[p.TID]; ok {
			tids = append(tids, p.TID)
		}
	}
	return tids
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
}

// Writer writes a capture file: section header 1.2 and metadata blocks
// (machine info, interface list V2, user list V2, process list V9, fd list
// V2), then event blocks V2, with flags when an event has them, and the
// large variants for large-payload event types. These are the blocks
// sysdig 0.29.3 writes, so it reads our files as its own.
//
// Blocks are written whole to a buffer; only whole blocks reach the
// underlying writer, so a file cut by an error or a crash ends at a block
// boundary. A Writer is not safe for concurrent use.
type Writer struct {
	dst io.Writer // the file, or the gzip stream over it
	gz  *gzip.Writer
	buf []byte // whole blocks not yet written
	blk []byte // the block being built
	n   int64  // bytes accepted, uncompressed
	// flushed counts the bytes written out whole (uncompressed files
	// only): a caller can cut a file back to it after a failed write.
	flushed int64
	err     error
	wrote   bool // a section header was written
}

// bufSize is how much the writer buffers before writing.
const bufSize = 256 << 10

// NewWriter starts a capture file on w. Nothing is written until
// WriteMeta or WriteEvent.
func NewWriter(w io.Writer, opt WriterOptions) *Writer {
	wr := &Writer{dst: w, buf: make([]byte, 0, bufSize)}
	if opt.Compress {
		wr.gz = gzip.NewWriter(w)
		wr.dst = wr.gz
	}
	return wr
}

// Written is the number of uncompressed bytes written so far.
func (w *Writer) Written() int64 { return w.n }

// Flushed is, for an uncompressed file, the length of its longest prefix
// known to hold whole blocks only.
func (w *Writer) Flushed() int64 { return w.flushed }

func (w *Writer) begin(typ BlockType) {
	w.blk = w.blk[:0]
	w.blk = binary.LittleEndian.AppendUint32(w.blk, uint32(typ))
	w.blk = binary.LittleEndian.AppendUint32(w.blk, 0)
}

func (w *Writer) u8(v uint8)   { w.blk = append(w.blk, v) }
func (w *Writer) u16(v uint16) { w.blk = binary.LittleEndian.AppendUint16(w.blk, v) }
func (w *Writer) u32(v uint32) { w.blk = binary.LittleEndian.AppendUint32(w.blk, v) }
func (w *Writer) u64(v uint64) { w.blk = binary.LittleEndian.AppendUint64(w.blk, v) }

// str writes a string with a 16-bit length, no terminator, as libscap's
// process and fd lists store names.
func (w *Writer) str(s string) {
	if len(s) > 0xffff {
		s = s[:0xffff]
	}
	w.u16(uint16(len(s)))
	w.blk = append(w.blk, s...)
}

// strs writes NUL-terminated strings with a 16-bit total length.
func (w *Writer) strs(list []string) {
	at := len(w.blk)
	w.u16(0)
	for _, s := range list {
		if len(w.blk)-at-2+len(s)+1 > 0xffff {
			break
		}
		w.blk = append(w.blk, s...)
		w.blk = append(w.blk, 0)
	}
	binary.LittleEndian.PutUint16(w.blk[at:], uint16(len(w.blk)-at-2))
}

// end pads the block, sets its lengths and writes it.
func (w *Writer) end() error {
	for len(w.blk)%4 != 0 {
		w.blk = append(w.blk, 0)
	}
	total := uint32(len(w.blk) + 4)
	binary.LittleEndian.PutUint32(w.blk[4:], total)
	w.blk = binary.LittleEndian.AppendUint32(w.blk, total)
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, w.blk...)
	w.n += int64(len(w.blk))
	if len(w.buf) >= bufSize {
		return w.drain()
	}
	return nil
}

// drain writes the buffered blocks, all of them whole.
func (w *Writer) drain() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.dst.Write(w.buf)
	if err == nil {
		w.flushed += int64(n)
	}
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
	}
	return err
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

// WriteMeta writes a section header and the metadata blocks. Calling it
// again starts a new section, which readers take as new metadata.
func (w *Writer) WriteMeta(m *Meta) error {
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
		w.blk = append(w.blk, host[:]...)
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
		for _, it := range m.Interfaces {
			at := len(w.blk)
			w.u32(0)
			if it.IPv6 {
				w.u16(ifIPv6)
			} else {
				w.u16(ifIPv4)
			}
			w.u16(uint16(len(it.Name)))
			n := 4
			if it.IPv6 {
				n = 16
			}
			w.blk = append(w.blk, it.Addr[:n]...)
			w.blk = append(w.blk, it.Netmask[:n]...)
			w.blk = append(w.blk, it.Bcast[:n]...)
			w.u64(it.LinkSpeed)
			w.blk = append(w.blk, it.Name...)
			// The entry length excludes itself.
			binary.LittleEndian.PutUint32(w.blk[at:], uint32(len(w.blk)-at-4))
		}
		if err := w.end(); err != nil {
			return fmt.Errorf("write interface list: %w", err)
		}
	}
	if len(m.Users)+len(m.Groups) > 0 {
		w.begin(BlockUserListV2)
		for _, u := range m.Users {
			at := len(w.blk)
			w.u32(0)
			w.u8(0)
			w.u32(u.UID)
			w.u32(u.GID)
			w.str(u.Name)
			w.str(u.Home)
			w.str(u.Shell)
			binary.LittleEndian.PutUint32(w.blk[at:], uint32(len(w.blk)-at))
		}
		for _, g := range m.Groups {
			at := len(w.blk)
			w.u32(0)
			w.u8(1)
			w.u32(g.GID)
			w.str(g.Name)
			binary.LittleEndian.PutUint32(w.blk[at:], uint32(len(w.blk)-at))
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
		w.begin(BlockFDListV2)
		w.u64(uint64(tid))
		for i := range m.FDs[tid] {
			w.fd(&m.FDs[tid][i])
		}
		if err := w.end(); err != nil {
			return fmt.Errorf("write fd list of thread %d: %w", tid, err)
		}
	}
	return nil
}

// proc writes a V9 process entry in the layout libs wrote before 0.10
// (loginuid last), which every reader since sysdig 0.27 accepts.
func (w *Writer) proc(p *Process) {
	at := len(w.blk)
	w.u32(0)
	w.u64(uint64(p.TID))
	w.u64(uint64(p.PID))
	w.u64(uint64(p.PTID))
	w.u64(uint64(p.SID))
	w.u64(uint64(p.VPGID))
	w.str(p.Comm)
	w.str(p.Exe)
	w.str(p.ExePath)
	w.strs(p.Args)
	w.str(p.Cwd)
	w.u64(uint64(p.FDLimit))
	w.u32(p.Flags)
	w.u32(p.UID)
	w.u32(p.GID)
	w.u32(p.VMSize)
	w.u32(p.VMRSS)
	w.u32(p.VMSwap)
	w.u64(p.PgftMaj)
	w.u64(p.PgftMin)
	w.strs(p.Env)
	w.u64(uint64(p.VTID))
	w.u64(uint64(p.VPID))
	w.strs(p.Cgroups)
	w.str(p.Root)
	w.u32(p.LoginUID)
	binary.LittleEndian.PutUint32(w.blk[at:], uint32(len(w.blk)-at))
}

func (w *Writer) fd(f *FDInfo) {
	at := len(w.blk)
	w.u32(0)
	w.u64(uint64(f.FD))
	w.u64(f.Ino)
	w.u8(f.Type)
	switch f.Type {
	case FDTypeIPv4Sock:
		w.blk = append(w.blk, f.SIP[:4]...)
		w.blk = append(w.blk, f.DIP[:4]...)
		w.u16(f.SPort)
		w.u16(f.DPort)
		w.u8(f.L4Proto)
	case FDTypeIPv4Server:
		w.blk = append(w.blk, f.SIP[:4]...)
		w.u16(f.SPort)
		w.u8(f.L4Proto)
	case FDTypeIPv6Sock:
		w.blk = append(w.blk, f.SIP[:]...)
		w.blk = append(w.blk, f.DIP[:]...)
		w.u16(f.SPort)
		w.u16(f.DPort)
		w.u8(f.L4Proto)
	case FDTypeIPv6Server:
		w.blk = append(w.blk, f.SIP[:]...)
		w.u16(f.SPort)
		w.u8(f.L4Proto)
	case FDTypeUnixSock:
		w.u64(f.UnixSource)
		w.u64(f.UnixDest)
		w.str(f.Name)
	case FDTypeFileV2:
		w.u32(f.OpenFlags)
		w.str(f.Name)
		w.u32(f.Dev)
	case FDTypeUnknown:
	default:
		w.str(f.Name)
	}
	binary.LittleEndian.PutUint32(w.blk[at:], uint32(len(w.blk)-at))
}

// ErrNoMeta is returned by WriteEvent before any metadata was written.
var ErrNoMeta = errors.New("capture file has no section header yet")

// WriteEvent writes one event. Events of V1 blocks get the current
// 26-byte header.
func (w *Writer) WriteEvent(ev *event.Event) error {
	if !w.wrote {
		return ErrNoMeta
	}
	large := ev.Info != nil && ev.Info.Flags&event.FlagLargePayload != 0
	var typ BlockType
	switch {
	case ev.Flags != 0 && large:
		typ = BlockEventFlagsV2L
	case ev.Flags != 0:
		typ = BlockEventFlagsV2
	case large:
		typ = BlockEventV2Large
	default:
		typ = BlockEventV2
	}
	w.begin(typ)
	w.u16(ev.CPU)
	if ev.Flags != 0 {
		w.u32(ev.Flags)
	}
	if ev.V1 {
		raw := ev.Raw
		w.blk = append(w.blk, raw[:16]...)
		w.u32(uint32(len(raw) + 4))
		w.blk = append(w.blk, raw[20:22]...)
		w.u32(uint32(ev.NParams()))
		w.blk = append(w.blk, raw[event.HeaderLenV1:]...)
	} else {
		w.blk = append(w.blk, ev.Raw...)
	}
	if err := w.end(); err != nil {
		return fmt.Errorf("write event block: %w", err)
	}
	return nil
}

// Flush writes out what is buffered: whole blocks only.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
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
// close the underlying writer.
func (w *Writer) Close() error {
	if err := w.Flush(); err != nil {
		return err
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			return fmt.Errorf("close gzip stream: %w", err)
		}
	}
	return nil
}
