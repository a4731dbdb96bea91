package filter

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/syscope/syscope/fields"
)

// setVals sets the fake field values for one test and clears them after.
func setVals(t *testing.T, vals map[string][]fields.Value) {
	t.Helper()
	old := fakeVals
	fakeVals = vals
	t.Cleanup(func() { fakeVals = old })
}

// TestMatch checks each operator on each kind of value, with expected
// results worked out by hand: for sysdig 0.29.3's operators from its
// filter.cpp and filterchecks.cpp (e5c53d64), for the later ones (==,
// iglob, bcontains, bstartswith, regex) from libs' filter_compare.cpp.
func TestMatch(t *testing.T) {
	setVals(t, map[string][]fields.Value{
		"proc.name":   {str("curl")},
		"proc.aname":  {str("bash"), str("sshd"), str("systemd")},
		"proc.args":   {str("-6 http://www.google.com")},
		"fd.name":     {str("/etc/ld.so.cache")},
		"evt.failed":  {{Kind: fields.KindBool, Bool: true}},
		"evt.buffer":  {{Kind: fields.KindBytes, Str: []byte("GET / HTTP/1.1\r\nHost: x\r\n")}},
		"evt.latency": {{Kind: fields.KindRelTime, Uint: 15_000_000}},
		"evt.rawtime": {{Kind: fields.KindAbsTime, Uint: 1_600_000_000_000_000_000}},
		"evt.rawres":  {{Kind: fields.KindInt, Int: -2}},
		"fd.num":      {{Kind: fields.KindInt, Int: 3}},
		"fd.sip":      {ip("10.1.2.3")},
		"fd.ip":       {ip("192.168.0.5"), ip("10.1.2.3")},
		"fd.net":      {ip("192.168.0.5"), ip("10.1.2.3")},
		"fd.snet":     {ip("2001:db8:0:1::5")},
		"fd.port":     {{Kind: fields.KindPort, Uint: 45678}, {Kind: fields.KindPort, Uint: 80}},
		"fd.sport":    {{Kind: fields.KindPort, Uint: 80}},
		"thread.cpu":  {{Kind: fields.KindDouble, Float: 0.25}},
	})
	ctx := fakeEvent(7, code(t, "open")+1) // open exit
	tests := []struct {
		expr string
		want bool
	}{
		// Strings.
		{`proc.name=curl`, true},
		{`proc.name==curl`, true},
		{`proc.name=Curl`, false},
		{`proc.name!=curl`, false},
		{`proc.name!=wget`, true},
		{`proc.name<curm`, true},
		{`proc.name<curl`, false},
		{`proc.name<=curl`, true},
		{`proc.name>cur`, true},
		{`proc.name>=curl`, true},
		{`proc.name>curl`, false},
		{`fd.name contains /etc`, true},
		{`fd.name contains /ETC`, false},
		{`fd.name contains ""`, true},
		{`fd.name icontains /ETC/LD`, true},
		{`fd.name icontains /ETC/X`, false},
		{`fd.name startswith /etc/`, true},
		{`fd.name startswith etc`, false},
		{`fd.name endswith .cache`, true},
		{`fd.name endswith .conf`, false},
		{`proc.name glob c*`, true},
		{`proc.name glob C*`, false},
		{`proc.name glob c?rl`, true},
		{`fd.name glob /etc/*`, true},
		{`fd.name glob *.so.*`, true},
		{`proc.name iglob C*`, true},
		{`proc.name iglob C?RL`, true},
		{`proc.name iglob W*`, false},
		{`proc.name regex c.*l`, true},
		{`proc.name regex c.*`, true},
		{`proc.name regex ur`, false}, // anchored at both ends
		{`proc.name regex '(curl|wget)'`, true},
		{`proc.name regex '^curl$'`, true},
		{`proc.name in (wget, curl)`, true},
		{`proc.name in (wget, Curl)`, false},
		{`proc.name in ()`, false},
		{`proc.name in (a, b, c, d, e, f, g, h, i, j, curl)`, true}, // a map
		{`proc.name in (a, b, c, d, e, f, g, h, i, j, k)`, false},
		{`proc.name intersects (wget, curl)`, true},
		{`fd.name pmatch (/usr, /etc)`, true},
		{`fd.name pmatch (/usr, /et)`, false},
		{`proc.name exists`, true},
		{`proc.args contains "http://www"`, true},
		{`proc.args contains 'google.com'`, true},
		{`proc.args contains "6 h"`, true},
		{`proc.args = '-6 http://www.google.com'`, true},
		{`proc.args bcontains 676f6f676c65`, true}, // "google"
		// Several values (proc.aname): one must match, != included.
		{`proc.aname=sshd`, true},
		{`proc.aname=init`, false},
		{`proc.aname!=bash`, true},
		{`proc.aname in (init, systemd)`, true},
		{`proc.aname glob s*`, true},
		{`proc.aname contains zsh`, false},
		// Buffers.
		{`evt.buffer contains GET`, true},
		{`evt.buffer contains PUT`, false},
		{`evt.buffer startswith "GET /"`, true},
		{`evt.buffer endswith "\x0d\x0a"`, true},
		{`evt.buffer = GET`, false},
		{`evt.buffer != GET`, true},
		{`evt.buffer bcontains 486f73743a`, true}, // "Host:"
		{`evt.buffer bcontains 486F73743A`, true},
		{`evt.buffer bcontains 00`, false},
		{`evt.buffer bstartswith 474554`, true}, // "GET"
		{`evt.buffer bstartswith 4854`, false},
		// Booleans.
		{`evt.failed=true`, true},
		{`evt.failed=false`, false},
		{`evt.failed!=false`, true},
		{`evt.failed in (false, true)`, true},
		// Numbers.
		{`evt.num=7`, true},
		{`evt.num==7`, true},
		{`evt.num=+7`, true},
		{`evt.num=" 7"`, true}, // sscanf skips leading blanks
		{`evt.num!=7`, false},
		{`evt.num<8`, true},
		{`evt.num<7`, false},
		{`evt.num<=7`, true},
		{`evt.num>6`, true},
		{`evt.num>=8`, false},
		{`evt.num in (1, 7, 9)`, true},
		{`evt.num in (1, 9)`, false},
		{`evt.num intersects (7)`, true},
		{`evt.num exists`, true},
		{`evt.num>-1`, false}, // unsigned: -1 wraps to the largest value
		{`evt.rawres=-2`, true},
		{`evt.rawres<0`, true},
		{`evt.rawres>-3`, true},
		{`fd.num=3`, true},
		{`thread.cpu>0.2`, true},
		{`thread.cpu<2.5e-1`, false},
		{`thread.cpu=0.25`, true},
		// Durations and times.
		{`evt.latency>10000000`, true},
		{`evt.latency>10ms`, true},
		{`evt.latency>15ms`, false},
		{`evt.latency>=15ms`, true},
		{`evt.latency<1s`, true},
		{`evt.latency<1.5us`, false},
		{`evt.latency=15000us`, true},
		{`evt.rawtime>1500000000000000000`, true},
		// IP addresses.
		{`fd.sip=10.1.2.3`, true},
		{`fd.sip=10.1.2.4`, false},
		{`fd.sip!=10.1.2.4`, true},
		{`fd.sip in (1.1.1.1, 10.1.2.3)`, true},
		{`fd.sip=::ffff:10.1.2.3`, true},
		// fd.ip: either end matches, and != needs both to differ.
		{`fd.ip=10.1.2.3`, true},
		{`fd.ip=192.168.0.5`, true},
		{`fd.ip=192.168.0.6`, false},
		{`fd.ip!=10.1.2.3`, false},
		{`fd.ip!=10.9.9.9`, true},
		{`not fd.ip=10.1.2.3`, false},
		// Networks.
		{`fd.net=10.0.0.0/8`, true},
		{`fd.net=10.1.2.3/32`, true},
		{`fd.net=192.168.0.0/16`, true},
		{`fd.net=172.16.0.0/12`, false},
		{`fd.net!=10.0.0.0/8`, false},
		{`fd.net!=172.16.0.0/12`, true},
		{`fd.net in (172.16.0.0/12, 192.168.0.0/24)`, true},
		{`fd.net=10.200.0.0/8`, true}, // host bits are ignored
		{`fd.net=0.0.0.0/0`, true},
		{`fd.snet=2001:db8::/32`, true},
		{`fd.snet=2001:db8:0:1::/64`, true},
		{`fd.snet=2001:db8:0:1::1`, true}, // bare IPv6: its /64, as sysdig
		{`fd.snet=2001:db8:0:2::1`, false},
		{`fd.snet=10.0.0.0/8`, false},
		// Ports: either end for fd.port.
		{`fd.port=80`, true},
		{`fd.port=http`, true},
		{`fd.port=45678`, true},
		{`fd.port=443`, false},
		{`fd.port!=80`, false},
		{`fd.port!=443`, true},
		{`fd.port<100`, true},
		{`fd.port>50000`, false},
		{`fd.port in (53, 80)`, true},
		{`fd.sport=80`, true},
		{`fd.sport!=80`, false},
		{`fd.sport=www`, true},
		// Logic.
		{`proc.name=curl and evt.num=7`, true},
		{`proc.name=curl and evt.num=8`, false},
		{`proc.name=wget or evt.num=7`, true},
		{`proc.name=wget or evt.num=8`, false},
		{`not proc.name=wget`, true},
		{`not not proc.name=wget`, false},
		{`not (proc.name=wget or evt.num=7)`, false},
		{`proc.name=wget and evt.num=8 or proc.name=curl`, true},
		{`proc.name=curl or evt.num=8 and proc.name=wget`, true},
		{`(proc.name=curl or evt.num=8) and proc.name=wget`, false},
		{`evt.type=open and evt.dir=<`, true},
		{`evt.type=open and not evt.dir=<`, false},
		{`evt.type in (close, open)`, true},
		{`evt.type!=open`, false},
		// Missing values: a check on a field with no value is false,
		// != included; not makes it true.
		{`evt.arg.fd=3`, false},
		{`evt.arg.fd!=3`, false},
		{`not evt.arg.fd=3`, true},
		{`evt.arg.fd exists`, false},
		{`not evt.arg.fd exists`, true},
	}
	for _, tt := range tests {
		f, err := compile(tt.expr, fakeParse)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if got := f.Match(ctx); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.expr, got, tt.want)
		}
		if got := f.Clone().Match(ctx); got != tt.want {
			t.Errorf("%s: clone: %v, want %v", tt.expr, got, tt.want)
		}
	}
}

// Compilation errors: unknown fields, operators that do not apply,
// values that do not parse. Each says where.
func TestCompileErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`nosuch.field=3`, `filter: column 1: unknown field 'nosuch.field'`},
		{`proc.namex=curl`, `filter: column 1: unknown field 'proc.namex'`},
		{`evt.type=open and proc.nam=curl`, `filter: column 19: unknown field 'proc.nam'`},
		{`proc.aname[2=bash`, `filter: column 1: missing ] after 'proc.aname[2'`},
		{`evt.num contains 3`, `filter: column 9: operator 'contains' does not apply to numeric field 'evt.num'`},
		{`evt.num glob 3*`, `filter: column 9: operator 'glob' does not apply to numeric field 'evt.num'`},
		{`evt.num pmatch (3)`, `filter: column 9: operator 'pmatch' does not apply to numeric field 'evt.num'`},
		{`evt.num regex 3`, `filter: column 9: operator 'regex' does not apply to numeric field 'evt.num'`},
		{`evt.failed > false`, `filter: column 12: operator '>' does not apply to boolean field 'evt.failed'`},
		{`fd.sip > 1.2.3.4`, `filter: column 8: operator '>' does not apply to IP address field 'fd.sip'`},
		{`fd.net contains 10`, `filter: column 8: operator 'contains' does not apply to IP network field 'fd.net'`},
		{`evt.buffer icontains get`, `filter: column 12: operator 'icontains' does not apply to buffer field 'evt.buffer'`},
		{`evt.buffer glob G*`, `filter: column 12: operator 'glob' does not apply to buffer field 'evt.buffer'`},
		{`evt.buffer < G`, `filter: column 12: operator '<' does not apply to buffer field 'evt.buffer'`},
		{`evt.buffer pmatch (/etc)`, `filter: column 12: operator 'pmatch' does not apply to buffer field 'evt.buffer'`},
		{`fd.port contains 8`, `filter: column 9: operator 'contains' does not apply to port field 'fd.port'`},
		{`evt.num=abc`, `filter: column 9: 'abc' is not a valid number for evt.num`},
		{`evt.num=1.5`, `filter: column 9: '1.5' is not a valid number for evt.num`},
		{`evt.num=0x10`, `filter: column 9: '0x10' is not a valid number for evt.num`},
		{`evt.num=`, `filter: column 9: expected a value after '='`},
		{`evt.num=""`, `filter: column 9: '' is not a valid number for evt.num`},
		{`evt.num=99999999999999999999`, `filter: column 9: '99999999999999999999' is not a valid number for evt.num`},
		{`evt.num in (1, x)`, `filter: column 16: 'x' is not a valid number for evt.num`},
		{`evt.rawres=--1`, `filter: column 12: '--1' is not a valid number for evt.rawres`},
		{`thread.cpu>x`, `filter: column 12: 'x' is not a valid number for thread.cpu`},
		{`evt.failed=yes`, `filter: column 12: 'yes' is not a boolean (true or false) for evt.failed`},
		{`evt.failed=True`, `filter: column 12: 'True' is not a boolean (true or false) for evt.failed`},
		{`fd.net=notanip`, `filter: column 8: 'notanip' is not an IP network (such as 10.0.0.0/8) for fd.net`},
		{`fd.net=10.0.0.1`, `filter: column 8: '10.0.0.1' is not an IP network (such as 10.0.0.0/8) for fd.net`},
		{`fd.net=10.0.0.0/33`, `filter: column 8: '10.0.0.0/33' is not an IP network (such as 10.0.0.0/8) for fd.net`},
		{`fd.sip=10.0.0.0/8`, `filter: column 8: '10.0.0.0/8' is not an IP address for fd.sip`},
		{`fd.sip=localhost`, `filter: column 8: 'localhost' is not an IP address for fd.sip`},
		{`fd.sip=010.0.0.1`, `filter: column 8: '010.0.0.1' is not an IP address for fd.sip`},
		{`fd.port=70000`, `filter: column 9: '70000' is not a port number (0 to 65535) for fd.port`},
		{`fd.port=nosuchservice`, `filter: column 9: 'nosuchservice' is not a port number or service name for fd.port`},
		{`evt.latency>10xs`, `filter: column 13: '10xs' is not a duration (nanoseconds, or a number with ns, us, ms, s, m or h) for evt.latency`},
		{`evt.latency>-1s`, `filter: column 13: '-1s' is not a duration (nanoseconds, or a number with ns, us, ms, s, m or h) for evt.latency`},
		{`evt.type=nosuch`, `filter: column 10: unknown event type 'nosuch'`},
		{`evt.type in (open, nosuch)`, `filter: column 20: unknown event type 'nosuch'`},
		{`evt.type!=opne`, `filter: column 11: unknown event type 'opne'`},
		{`evt.buffer bcontains GET`, `filter: column 22: 'bcontains' needs hexadecimal bytes such as 474554, found 'GET'`},
		{`evt.buffer bstartswith 474`, `filter: column 24: 'bstartswith' needs hexadecimal bytes such as 474554, found '474'`},
		{`proc.name regex '(curl'`, `filter: column 17: invalid regular expression '(curl': missing closing )`},
		{`proc.name regex 'a**'`, `filter: column 17: invalid regular expression 'a**': invalid nested repetition operator '**'`},
	}
	for _, tt := range tests {
		_, err := compile(tt.in, fakeParse)
		if err == nil {
			t.Errorf("%s: no error, want %s", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.in, err, tt.want)
		}
		if _, ok := err.(*Error); !ok {
			t.Errorf("%s: error of type %T", tt.in, err)
		}
	}
}

func TestNoCatalog(t *testing.T) {
	_, err := compile("proc.name=x", nil)
	if err == nil || !strings.Contains(err.Error(), "no field catalog") {
		t.Errorf("got %v", err)
	}
}

func TestParseNetForms(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.0/8":              "10.0.0.0/8",
		"::ffff:10.0.0.0/104":     "10.0.0.0/8",
		"2001:db8::/32":           "2001:db8::/32",
		"2001:db8:1:2:3:4:5:6":    "2001:db8:1:2:3:4:5:6/64",
		"fe80::1/10":              "fe80::1/10",
		"192.168.1.7/24":          "192.168.1.7/24",
		"0.0.0.0/0":               "0.0.0.0/0",
		"::/0":                    "::/0",
		"2001:db8::1/128":         "2001:db8::1/128",
		"::ffff:192.168.1.7/128":  "192.168.1.7/32",
		"2001:0db8:0000::1/48":    "2001:db8::1/48",
		"1:2:3:4:5:6:7:8":         "1:2:3:4:5:6:7:8/64",
		"::1":                     "::1/64",
		"2001:db8::5/64":          "2001:db8::5/64",
		"10.1.0.0/16":             "10.1.0.0/16",
		"127.0.0.0/8":             "127.0.0.0/8",
		"172.16.0.0/12":           "172.16.0.0/12",
		"255.255.255.255/32":      "255.255.255.255/32",
		"2001:db8:0:1::5/128":     "2001:db8:0:1::5/128",
		"2001:db8:ffff::/48":      "2001:db8:ffff::/48",
		"fd00::/8":                "fd00::/8",
		"::ffff:0:0/96":           "0.0.0.0/0",
		"64:ff9b::/96":            "64:ff9b::/96",
		"2002::/16":               "2002::/16",
		"100.64.0.0/10":           "100.64.0.0/10",
		"198.18.0.0/15":           "198.18.0.0/15",
		"224.0.0.0/4":             "224.0.0.0/4",
		"169.254.0.0/16":          "169.254.0.0/16",
		"192.0.2.0/24":            "192.0.2.0/24",
		"2001:db8:abcd:12::/64":   "2001:db8:abcd:12::/64",
		"2001:db8:abcd:12::1/127": "2001:db8:abcd:12::1/127",
	} {
		got := parseNet(&Value{Text: in}, "fd.net")
		if got != netip.MustParsePrefix(want) {
			t.Errorf("parseNet(%q) = %v, want %v", in, got, want)
		}
	}
}
