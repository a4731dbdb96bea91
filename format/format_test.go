package format

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
)

// Expected strings below come from sysdig 0.29.3, glibc's printf and
// inet_ntop, or jsoncpp 1.9.5, as noted.

func TestNumeric(t *testing.T) {
	// printf with the formats SET_NUMERIC_FORMAT picks (checked with gcc).
	for _, c := range []struct {
		v      int64
		width  int
		signed bool
		f      event.PrintFmt
		want   string
	}{
		{-1, 1, true, event.PFOct, "037777777777"},
		{-1, 1, true, event.PFHex, "FFFFFFFF"},
		{-1, 1, true, event.PF10PaddedDec, "-00000001"},
		{-2, 2, true, event.PFOct, "037777777776"},
		{-3, 4, true, event.PFHex, "FFFFFFFD"},
		{-4, 8, true, event.PFOct, "01777777777777777777774"},
		{-4, 8, true, event.PFHex, "FFFFFFFFFFFFFFFC"},
		{-4, 8, true, event.PF10PaddedDec, "-00000004"},
		{0xffffffff, 4, false, event.PFDec, "-1"}, // PRId32 of a uint32
		{0xffffffff, 4, false, event.PFOct, "037777777777"},
		{-1, 8, false, event.PFDec, "-1"}, // uint64 read through an int64
		{-1, 8, false, event.PFHex, "FFFFFFFFFFFFFFFF"},
		{200, 1, false, event.PFOct, "0310"},
		{200, 1, false, event.PFHex, "C8"},
		{200, 1, false, event.PF10PaddedDec, "000000200"},
		{200, 1, false, event.PFNA, "200"},
		{65535, 2, false, event.PFOct, "0177777"},
		{0, 4, false, event.PFOct, "0"},
		{0x55DB0DE73000, 8, false, event.PFHex, "55DB0DE73000"},
	} {
		if got := string(appendNumeric(nil, c.v, c.width, c.signed, c.f)); got != c.want {
			t.Errorf("appendNumeric(%d, %d, %v, %d) = %q, want %q", c.v, c.width, c.signed, c.f, got, c.want)
		}
	}
}

func TestAppendIPv6(t *testing.T) {
	// glibc inet_ntop.
	for in, want := range map[string]string{
		"::":                   "::",
		"::1":                  "::1",
		"::ffff:1.2.3.4":       "::ffff:1.2.3.4",
		"::1.2.3.4":            "::1.2.3.4",
		"1::":                  "1::",
		"1:0:0:1::":            "1:0:0:1::",
		"1:0:1:0:1:0:1:0":      "1:0:1:0:1:0:1:0",
		"2001:db8:0:0:1:0:0:1": "2001:db8::1:0:0:1",
		"fe80::":               "fe80::",
		"0:0:1::":              "0:0:1::",
		"::ffff:0:1.2.3.4":     "::ffff:0:102:304",
		"0:0:0:0:0:1:1.2.3.4":  "::1:102:304",
		"2001:4860:4860::8888": "2001:4860:4860::8888",
	} {
		a := netip.MustParseAddr(in).As16()
		if got := string(event.AppendIPv6(nil, a[:])); got != want {
			t.Errorf("event.AppendIPv6(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONString(t *testing.T) {
	// jsoncpp 1.9.5 FastWriter.
	for in, want := range map[string]string{
		`plain /path`:        `"plain /path"`,
		"q\"b\\":             `"q\"b\\"`,
		"\b\f\n\r\t\x01\x1f": `"\b\f\n\r\t\u0001\u001f"`,
		"\x7f":               "\"\x7f\"",
		"é":                  `"\u00e9"`,
		"€":                  `"\u20ac"`,
		"😀":                  `"\ud83d\ude00"`,
		"\xff":               `"\ufffd"`,
		"a\xc3":              `"a\ufffd"`,
		"\xc0\x80":           `"\ufffd"`,       // overlong
		"\xed\xa0\x80":       `"\ufffd"`,       // surrogate
		"\xc3(":              `"\u00e8"`,       // continuation not checked
		"\xe2\x82":           `"\ufffd\ufffd"`, // truncated: each byte alone
		"\x80x":              `"\ufffd"`,       // a stray continuation byte takes the next
	} {
		if got := string(AppendJSONString(nil, []byte(in))); got != want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFlagNames(t *testing.T) {
	names := []event.NameValue{
		{Name: "O_LARGEFILE", Value: 0x800}, {Name: "O_TRUNC", Value: 0x100}, {Name: "O_CREAT", Value: 4}, {Name: "O_RDWR", Value: 3},
		{Name: "O_WRONLY", Value: 2}, {Name: "O_RDONLY", Value: 1}, {Name: "O_CLOEXEC", Value: 0x1000}, {Name: "O_NONE", Value: 0},
	}
	for v, want := range map[uint32]string{
		0:          "O_NONE",
		1:          "O_RDONLY",
		3:          "O_RDWR",
		4097:       "O_RDONLY|O_CLOEXEC",
		263:        "O_TRUNC|O_CREAT|O_RDWR",
		0x8000:     "",
		0x8000 | 2: "O_WRONLY",
		0x1000:     "O_CLOEXEC",
	} {
		if got := string(appendFlagNames(nil, names, v)); got != want {
			t.Errorf("flags %#x = %q, want %q", v, got, want)
		}
	}
}

func TestBuffers(t *testing.T) {
	src := []byte("-6\x00http://www.google.com\x00")
	for _, c := range []struct {
		f    pf
		want string
	}{
		{pfNormal, "-6.http://www.google.com."},
		{pfJSON, "-6.http://www.google.com."},
		{pfEOLS, "\n-6http://www.google.com"},
		{pfBase64, "LTYAaHR0cDovL3d3dy5nb29nbGUuY29tAA=="},
		{pfHex, "\n\t0x0000: 2d36 0068 7474 703a 2f2f 7777 772e 676f\n\t0x0010: 6f67 6c65 2e63 6f6d 00\n"},
		{pfHexASCII, "\n\t0x0000: 2d36 0068 7474 703a 2f2f 7777 772e 676f  -6.http://www.go\n\t0x0010: 6f67 6c65 2e63 6f6d 00                 ogle.com.\n"},
	} {
		if got := string(appendBinary(nil, src, c.f)); got != c.want {
			t.Errorf("format %#x:\n got %q\nwant %q", c.f, got, c.want)
		}
	}
	r := newRenderer(noState{}, BufNormal, false, false)
	long := bytes.Repeat([]byte("a"), 100)
	if got := string(r.appendBuffer(nil, long)); got != string(long[:77])+"..." {
		t.Errorf("truncated buffer = %q", got)
	}
	r = newRenderer(noState{}, BufNormal, false, true)
	if got := string(r.appendBuffer(nil, long)); got != string(long) {
		t.Errorf("verbose buffer = %q", got)
	}
}

func TestInfo(t *testing.T) {
	// From curl_google.scap.
	w := tracetest.World{
		Procs: []tracetest.Proc{
			{TID: 3200, PID: 3200, Comm: "bash", Cwd: "/home/ubuntu/"},
			{TID: 17497, PID: 17497, PTID: 3200, Comm: "curl", Cwd: "/home/ubuntu/",
				FDs: []tracetest.FD{{Num: 3, Type: 16, StateName: "/etc/ld.so.cache"}}},
		},
	}
	st := worldState(w)
	r := newRenderer(st, BufNormal, false, false)
	th := st.Thread(17497)
	for _, c := range []struct {
		ev   tracetest.Event
		want string
	}{
		{tracetest.Event{TID: 17497, Code: cOpenX, Params: [][]byte{tracetest.I64(3), tracetest.Str("/etc/ld.so.cache"), tracetest.U32(4097), tracetest.U32(0), tracetest.U32(0x803)}},
			"fd=3(<f>/etc/ld.so.cache) name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=803 "},
		{tracetest.Event{TID: 17497, Code: cMmapE, Params: [][]byte{tracetest.U64(0), tracetest.U64(4096), tracetest.U32(3), tracetest.U32(10), tracetest.I64(-1), tracetest.U64(0)}},
			"addr=0 length=4096 prot=3(PROT_READ|PROT_WRITE) flags=10(MAP_PRIVATE|MAP_ANONYMOUS) fd=-1(EPERM) offset=0 "},
		{tracetest.Event{TID: 17497, Code: cKillE, Params: [][]byte{tracetest.I64(3200), tracetest.U8(9)}},
			"pid=3200(bash) sig=9(SIGKILL) "},
		{tracetest.Event{TID: 17497, Code: cGenericE, Params: [][]byte{tracetest.U16(139), tracetest.U16(28)}}, ""},
		{tracetest.Event{TID: 17497, Code: cNA1}, ""},
	} {
		e := c.ev.Decode(t, 1)
		if got := string(r.AppendInfo(nil, e, th)); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", e.Name(), got, c.want)
		}
	}
	// Without a thread, fds and paths are not resolved.
	e := tracetest.Event{TID: 1, Code: cOpenX, Params: [][]byte{tracetest.I64(3), tracetest.Str("x"), tracetest.U32(1), tracetest.U32(0), tracetest.U32(0)}}.Decode(t, 1)
	if got, want := string(r.AppendInfo(nil, e, nil)), "fd=3 name=x flags=1(O_RDONLY) mode=0 dev=0 "; got != want {
		t.Errorf("no thread:\n got %q\nwant %q", got, want)
	}
}

func TestTimeFormats(t *testing.T) {
	n := uint64(0)
	ev := func(ts uint64, tid int64, code event.Code) *event.Event {
		n++
		return tracetest.Event{TS: ts, TID: tid, Code: code, Params: [][]byte{tracetest.I64(3), tracetest.U32(1)}}.Decode(t, n)
	}
	w := tracetest.World{Procs: []tracetest.Proc{{TID: 5, PID: 5, Comm: "p", Cwd: "/"}}}
	const ts = 1534527348514632619
	for _, c := range []struct {
		time byte
		tz   int
		want []string
	}{
		{'h', 0, []string{"17:35:48.514632619", "17:35:48.514633619", "17:35:48.614632619"}},
		{'h', 2*3600 + 30*60, []string{"20:05:48.514632619", "20:05:48.514633619", "20:05:48.614632619"}},
		{'h', -5 * 3600, []string{"12:35:48.514632619", "12:35:48.514633619", "12:35:48.614632619"}},
		{'a', 0, []string{"1534527348.514632619", "1534527348.514633619", "1534527348.614632619"}},
		{'r', 0, []string{"0.000000000", "0.000001000", "0.100000000"}},
		{'d', 0, []string{"0.000000000", "0.000001000", "0.100000000"}},
		{'D', 0, []string{"0.000000000", "0.000001000", "0.099999000"}},
	} {
		var buf bytes.Buffer
		tz := c.tz
		st := worldState(w)
		p := newPrinter(&buf, st, Options{Time: c.time, TZOffset: &tz})
		for _, e := range []*event.Event{ev(ts, 5, cReadE), ev(ts+1000, 5, cReadX), ev(ts+100000000, 5, cReadX)} {
			st.apply(e)
			p.Print(e)
		}
		p.Flush()
		lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
		for i, l := range lines {
			f := bytes.Fields(l)
			if string(f[1]) != c.want[i] {
				t.Errorf("-t %c tz %d line %d: %s, want %s", c.time, c.tz, i, f[1], c.want[i])
			}
		}
	}
}

func TestNParams029(t *testing.T) {
	if len(nparams029) > event.NumCodes() {
		t.Fatalf("%d codes in nparams029, %d in the event table", len(nparams029), event.NumCodes())
	}
	for c := range nparams029 {
		if !event.KnownTo029(event.Code(c)) {
			t.Errorf("code %d: not known to 0.29.3 for package event", c)
		}
		info := event.Lookup(event.Code(c))
		if info == nil {
			t.Errorf("code %d: not in the event table", c)
			continue
		}
		if int(nparams029[c]) > len(info.Params) {
			t.Errorf("code %d (%s): 0.29.3 has %d parameters, the table %d", c, info.Name, nparams029[c], len(info.Params))
		}
	}
}
