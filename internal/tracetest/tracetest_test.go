package tracetest_test

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
)

// TestRaw checks the header Raw writes, and the 32-bit parameter lengths
// of a large-payload type.
func TestRaw(t *testing.T) {
	for _, c := range []struct {
		code  event.Code
		lsize int
	}{{6, 2}, {324, 4}} { // read >, container (large payload)
		ev := tracetest.Event{TS: 7, TID: -2, CPU: 3, Code: c.code,
			Params: [][]byte{tracetest.I64(5), tracetest.Str("ab")}}
		b := ev.Raw()
		if want := event.HeaderLen + 2*c.lsize + 8 + 3; len(b) != want {
			t.Fatalf("code %d: %d bytes, want %d", c.code, len(b), want)
		}
		if binary.LittleEndian.Uint32(b[16:]) != uint32(len(b)) || binary.LittleEndian.Uint16(b[20:]) != uint16(c.code) ||
			binary.LittleEndian.Uint32(b[22:]) != 2 {
			t.Errorf("code %d: header % x", c.code, b[:event.HeaderLen])
		}
		e := ev.Decode(t, 9)
		if e.TS != 7 || e.TID != -2 || e.CPU != 3 || e.Num != 9 || event.Int(e.Param(0)) != 5 ||
			string(e.Param(1)) != "ab\x00" {
			t.Errorf("code %d: decoded %+v", c.code, e)
		}
	}
}

// sink keeps what a scap.Reader hands over.
type sink struct {
	procs  []*scap.Process
	fds    []*scap.FDInfo
	users  []*scap.User
	groups []*scap.Group
}

func (s *sink) Machine(*scap.MachineInfo)     {}
func (s *sink) Process(p *scap.Process)       { s.procs = append(s.procs, p) }
func (s *sink) FD(tid int64, fd *scap.FDInfo) { s.fds = append(s.fds, fd) }
func (s *sink) User(u *scap.User)             { s.users = append(s.users, u) }
func (s *sink) Group(g *scap.Group)           { s.groups = append(s.groups, g) }
func (s *sink) Interfaces([]scap.Interface)   {}

// TestScapFile reads back, with package scap, a V5 and a V9 file that
// ScapFile wrote: the processes, each kind of fd, users, groups and events.
func TestScapFile(t *testing.T) {
	w := tracetest.World{
		Procs: []tracetest.Proc{
			{TID: 10, PID: 10, PTID: 1, Comm: "sh", Exe: "/bin/sh", Args: []string{"-c", "x"}, Cwd: "/tmp/",
				UID: 1000, GID: 100, VTID: 10, VPID: 10, Cgroups: []string{"cpu=/"}, Flags: 4,
				Env: []string{"A=1", ""}, SID: 7, VPGID: 8, LoginUID: 1000, ExeWritable: true,
				FDs: []tracetest.FD{
					{Num: 3, Type: 3, SIP: tracetest.IP4(10, 0, 0, 1), DIP: tracetest.IP4(10, 0, 0, 2),
						SPort: 1, DPort: 2, L4: 1},
					{Num: 4, Type: 4, SIP: tracetest.IP6("::1"), DIP: tracetest.IP6("2001:db8::3"),
						SPort: 3, DPort: 4, L4: 1},
					{Num: 5, Type: 5, SIP: tracetest.IP4(0, 0, 0, 0), SPort: 80, L4: 1},
					{Num: 6, Type: 6, SIP: tracetest.IP6("::"), SPort: 443, L4: 1},
					{Num: 7, Type: 8, Src: 0xa, Dst: 0xb, Name: "/run/s"},
					{Num: 8, Type: 16, Flags: 1, Name: "/etc/hosts"},
					{Num: 9, Type: 2, Name: "pipe:[1]"},
				}},
			{TID: 11, PID: 10, PTID: 1, Comm: "sh", Exe: "/bin/sh", Cwd: "/", VTID: -1, VPID: -1},
		},
		Users:  []tracetest.User{{UID: 1000, GID: 100, Name: "alice"}},
		Groups: []tracetest.Group{{GID: 100, Name: "users"}},
	}
	evs := []tracetest.Event{
		{TS: 1, TID: 10, CPU: 1, Code: 6, Params: [][]byte{tracetest.I64(3), tracetest.U32(10)}},
		{TS: 2, TID: 10, CPU: 1, Code: 7, Params: [][]byte{tracetest.I64(2), tracetest.Buf("hi")}},
	}
	for _, v9 := range []bool{false, true} {
		w.V9 = v9
		var s sink
		rd, err := scap.NewReader(bytes.NewReader(w.ScapFile(evs)), &s)
		if err != nil {
			t.Fatalf("v9 %v: %v", v9, err)
		}
		var got []uint64
		for e, err := range rd.Events() {
			if err != nil {
				t.Fatalf("v9 %v: %v", v9, err)
			}
			got = append(got, e.TS)
		}
		if !slices.Equal(got, []uint64{1, 2}) {
			t.Errorf("v9 %v: events at %v", v9, got)
		}
		if len(s.procs) != 2 || len(s.fds) != 7 || len(s.users) != 1 || len(s.groups) != 1 {
			t.Fatalf("v9 %v: %d procs, %d fds, %d users, %d groups", v9, len(s.procs), len(s.fds), len(s.users), len(s.groups))
		}
		p := s.procs[0]
		if p.TID != 10 || p.Comm != "sh" || !slices.Equal(p.Args, []string{"-c", "x"}) || p.Cwd != "/tmp/" ||
			p.UID != 1000 || p.Flags != 4 || !slices.Equal(p.Env, []string{"A=1", ""}) ||
			!slices.Equal(p.Cgroups, []string{"cpu=/"}) {
			t.Errorf("v9 %v: process %+v", v9, p)
		}
		if v9 && (p.SID != 7 || p.VPGID != 8 || p.LoginUID != 1000 || !p.ExeWritable || p.ExePath != "/bin/sh") {
			t.Errorf("v9: process %+v", p)
		}
		for i, want := range []struct {
			num  int64
			typ  uint8
			name string
		}{{3, 3, ""}, {4, 4, ""}, {5, 5, ""}, {6, 6, ""}, {7, 8, "/run/s"}, {8, 16, "/etc/hosts"}, {9, 2, "pipe:[1]"}} {
			f := s.fds[i]
			if f.FD != want.num || f.Type != want.typ || f.Name != want.name {
				t.Errorf("v9 %v: fd %d: %+v", v9, i, f)
			}
		}
		if f := s.fds[3]; f.SPort != 443 {
			t.Errorf("v9 %v: ipv6 server fd %+v", v9, f)
		}
		if s.users[0].Name != "alice" || s.users[0].Home != "/home/alice" || s.groups[0].Name != "users" {
			t.Errorf("v9 %v: user %+v, group %+v", v9, s.users[0], s.groups[0])
		}
	}
}
