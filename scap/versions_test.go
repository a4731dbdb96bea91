package scap_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
)

// builder writes blocks the way each writer generation laid them out, so
// every block version the reader accepts is exercised, not only those the
// real traces happen to hold.
type builder struct{ bytes.Buffer }

func (b *builder) block(typ uint32, body []byte) {
	total := 12 + len(body)
	pad := (4 - total%4) % 4
	total += pad
	binary.Write(&b.Buffer, binary.LittleEndian, typ)
	binary.Write(&b.Buffer, binary.LittleEndian, uint32(total))
	b.Write(body)
	b.Write(make([]byte, pad))
	binary.Write(&b.Buffer, binary.LittleEndian, uint32(total))
}

func (b *builder) section(options []byte) {
	var body bytes.Buffer
	binary.Write(&body, binary.LittleEndian, uint32(scap.SectionMagic))
	binary.Write(&body, binary.LittleEndian, uint16(1))
	binary.Write(&body, binary.LittleEndian, uint16(2))
	binary.Write(&body, binary.LittleEndian, int64(-1))
	body.Write(options)
	b.block(uint32(scap.BlockSectionHeader), body.Bytes())
}

type fields struct{ bytes.Buffer }

func (f *fields) u8(v uint8)   { f.WriteByte(v) }
func (f *fields) u16(v uint16) { binary.Write(f, binary.LittleEndian, v) }
func (f *fields) u32(v uint32) { binary.Write(f, binary.LittleEndian, v) }
func (f *fields) u64(v uint64) { binary.Write(f, binary.LittleEndian, v) }
func (f *fields) str(s string) { f.u16(uint16(len(s))); f.WriteString(s) }

// procEntry lays out one process list entry of version ver.
func procEntry(ver int, tid int64, comm string) []byte {
	var f fields
	f.u64(uint64(tid))
	f.u64(uint64(tid)) // pid
	f.u64(1)           // ptid
	if ver >= 6 {
		f.u64(7) // sid
	}
	if ver >= 8 {
		f.u64(8) // vpgid
	}
	f.str(comm)
	f.str("/bin/" + comm)
	if ver >= 7 {
		f.str("/usr/bin/" + comm)
	}
	f.str("-a\x00-b\x00")
	f.str("/root")
	f.u64(1024) // fdlimit
	f.u32(0)    // flags
	f.u32(1000) // uid
	f.u32(1001) // gid
	if ver >= 2 {
		f.u32(10)
		f.u32(11)
		f.u32(12)
		f.u64(13)
		f.u64(14)
		if ver >= 3 {
			f.str("HOME=/root\x00")
		}
		if ver >= 4 {
			f.u64(uint64(tid) + 100) // vtid
			f.u64(uint64(tid) + 100) // vpid
			f.str("cpu=/docker/0123456789abcdef0123\x00")
			if ver >= 5 {
				f.str("/")
			}
		}
	}
	if ver >= 9 {
		f.u32(4242) // loginuid, as written before libs 0.10
		b := f.Bytes()
		var e fields
		e.u32(uint32(4 + len(b)))
		e.Write(b)
		return e.Bytes()
	}
	return f.Bytes()
}

type collect struct {
	procs  []scap.Process
	fds    []scap.FDInfo
	users  []scap.User
	groups []scap.Group
	ifs    []scap.Interface
	mi     *scap.MachineInfo
}

func (c *collect) Machine(m *scap.MachineInfo)      { c.mi = m }
func (c *collect) Process(p *scap.Process)          { c.procs = append(c.procs, *p) }
func (c *collect) FD(_ int64, f *scap.FDInfo)       { c.fds = append(c.fds, *f) }
func (c *collect) User(u *scap.User)                { c.users = append(c.users, *u) }
func (c *collect) Group(g *scap.Group)              { c.groups = append(c.groups, *g) }
func (c *collect) Interfaces(list []scap.Interface) { c.ifs = append(c.ifs, list...) }

func eventBody(v2 bool, flags bool, code uint16, params ...[]byte) []byte {
	var f fields
	f.u16(3) // cpu
	if flags {
		f.u32(event.FlagStateOnly)
	}
	hl := 22
	if v2 {
		hl = 26
	}
	n := hl + 2*len(params)
	for _, p := range params {
		n += len(p)
	}
	f.u64(1000) // ts
	f.u64(42)   // tid
	f.u32(uint32(n))
	f.u16(code)
	if v2 {
		f.u32(uint32(len(params)))
	}
	for _, p := range params {
		f.u16(uint16(len(p)))
	}
	for _, p := range params {
		f.Write(p)
	}
	return f.Bytes()
}

func TestBlockVersions(t *testing.T) {
	var b builder
	// A section header with pcapng options after its fixed body, as
	// editcap leaves them.
	b.section([]byte{1, 0, 4, 0, 'n', 'o', 't', 'e', 0, 0, 0, 0})
	var mi fields
	mi.u32(2)
	mi.u64(1 << 30)
	mi.u64(32768)
	host := make([]byte, 128)
	copy(host, "box")
	mi.Write(host)
	mi.u64(5)
	mi.u64(0)
	mi.u64(0)
	mi.u64(0)
	b.block(0x8002ABCD, mi.Bytes()) // the legacy code of machine info
	codes := map[int]uint32{1: 0x202, 2: 0x207, 3: 0x209, 4: 0x210, 5: 0x211, 6: 0x212, 7: 0x213, 8: 0x214, 9: 0x215}
	for ver := 1; ver <= 9; ver++ {
		b.block(codes[ver], procEntry(ver, int64(100+ver), "p"))
	}
	b.block(0x8000ABCD, procEntry(1, 99, "legacy")) // legacy V1 code
	b.block(0x77777777, []byte("unknown block, skipped by length"))

	// fd list V1 and V2.
	var fd1 fields
	fd1.u64(101)
	fd1.u64(3)
	fd1.u64(77)
	fd1.u8(scap.FDTypeFile)
	fd1.str("/etc/passwd")
	b.block(0x203, fd1.Bytes())
	var fd2 fields
	fd2.u64(109)
	var e fields
	e.u64(4)
	e.u64(78)
	e.u8(scap.FDTypeIPv4Sock)
	e.Write([]byte{127, 0, 0, 1, 10, 0, 0, 1})
	e.u16(40000)
	e.u16(80)
	e.u8(2)
	fd2.u32(uint32(4 + e.Len()))
	fd2.Write(e.Bytes())
	b.block(0x218, fd2.Bytes())

	// user list V1 and V2.
	var ul fields
	ul.u8(0)
	ul.u32(0)
	ul.u32(0)
	ul.str("root")
	ul.str("/root")
	ul.str("/bin/sh")
	ul.u8(1)
	ul.u32(0)
	ul.str("root")
	b.block(0x206, ul.Bytes())
	var ul2, u fields
	u.u8(0)
	u.u32(1000)
	u.u32(1000)
	u.str("alice")
	u.str("/home/alice")
	u.str("/bin/bash")
	ul2.u32(uint32(4 + u.Len()))
	ul2.Write(u.Bytes())
	b.block(0x220, ul2.Bytes())

	// interface list V1 and V2.
	var il fields
	il.u16(1)
	il.u16(2)
	il.Write([]byte{127, 0, 0, 1, 255, 0, 0, 0, 127, 255, 255, 255})
	il.u64(0)
	il.WriteString("lo")
	b.block(0x205, il.Bytes())
	var il2, it fields
	it.u16(3) // IPv4 without link speed
	it.u16(4)
	it.Write([]byte{10, 0, 0, 1, 255, 0, 0, 0, 10, 255, 255, 255})
	it.WriteString("eth0")
	il2.u32(uint32(it.Len()))
	il2.Write(it.Bytes())
	b.block(0x219, il2.Bytes())

	// Events: V1 (no nparams), V2, with flags, the legacy code, and an
	// unknown code that is skipped.
	b.block(0x204, eventBody(false, false, 5, tracetest.I64(0)))       // close exit, V1
	b.block(0x8010ABCD, eventBody(false, false, 5, tracetest.I64(-2))) // legacy V1 code
	b.block(0x216, eventBody(true, false, 4, tracetest.I64(3)))        // close enter, V2
	b.block(0x217, eventBody(true, true, 4, tracetest.I64(4)))         // with flags
	b.block(0x216, eventBody(true, false, 60000, tracetest.I64(1)))    // unknown code
	b.block(0x208, eventBody(false, true, 5, tracetest.I64(0)))        // V1 with flags
	// A second section, as appending captures produces.
	b.section(nil)
	b.block(0x215, procEntry(9, 555, "second"))
	b.block(0x216, eventBody(true, false, 4, tracetest.I64(5)))

	var c collect
	rd, err := scap.NewReader(bytes.NewReader(b.Bytes()), &c)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatalf("after %d events: %v", len(got), err)
		}
		got = append(got, ev.Name()+string(ev.Type.DirChar())+":"+string(rune('0'+ev.NParams())))
		if ev.CPU != 3 || ev.TID != 42 || ev.TS != 1000 {
			t.Errorf("event %d header: cpu %d tid %d ts %d", ev.Num, ev.CPU, ev.TID, ev.TS)
		}
		if fd := event.Int(ev.Param(0)); ev.Type == 4 && fd < 3 {
			t.Errorf("event %d: fd %d", ev.Num, fd)
		}
	}
	want := []string{"close<:1", "close<:1", "close>:1", "close>:1", "close<:1", "close>:1"}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %s, want %s", i+1, got[i], want[i])
		}
	}
	if c.mi == nil || c.mi.Hostname != "box" || c.mi.NumCPUs != 2 {
		t.Errorf("machine info %+v", c.mi)
	}
	if len(c.procs) != 11 {
		t.Fatalf("%d processes, want 11", len(c.procs))
	}
	for i, p := range c.procs[:9] {
		ver := i + 1
		if p.Comm != "p" || p.Exe != "/bin/p" || len(p.Args) != 2 || p.Cwd != "/root" || p.UID != 1000 || p.GID != 1001 {
			t.Errorf("V%d entry: %+v", ver, p)
		}
		if (ver >= 2) != (p.VMSize == 10) || (ver >= 3) != (len(p.Env) == 1) ||
			(ver >= 4) != (p.VTID == p.TID+100) || (ver >= 5) != (p.Root == "/") ||
			(ver >= 6) != (p.SID == 7) || (ver >= 7) != (p.ExePath == "/usr/bin/p") ||
			(ver >= 8) != (p.VPGID == 8) || (ver >= 9) != (p.LoginUID == 4242) {
			t.Errorf("V%d entry fields: %+v", ver, p)
		}
	}
	if c.procs[9].Comm != "legacy" || c.procs[10].Comm != "second" {
		t.Errorf("legacy and second-section entries: %q %q", c.procs[9].Comm, c.procs[10].Comm)
	}
	if len(c.fds) != 2 || c.fds[0].Name != "/etc/passwd" || c.fds[1].DPort != 80 || c.fds[1].L4Proto != 2 {
		t.Errorf("fds %+v", c.fds)
	}
	if len(c.users) != 2 || c.users[1].Name != "alice" || len(c.groups) != 1 {
		t.Errorf("users %+v groups %+v", c.users, c.groups)
	}
	if len(c.ifs) != 2 || c.ifs[0].Name != "lo" || c.ifs[1].Name != "eth0" {
		t.Errorf("interfaces %+v", c.ifs)
	}
}
