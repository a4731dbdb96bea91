package fields

import (
	"testing"

	"github.com/syscope/syscope/event"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in, name string
		n        int
		kind     Kind
		field    string
	}{
		{"proc.name", "proc.name", 9, KindString, "proc.name"},
		{"proc.name=curl", "proc.name", 9, KindString, "proc.name"},
		{"proc.name contains x", "proc.name", 9, KindString, "proc.name"},
		{"proc.namex", "proc.name", 9, KindString, "proc.name"},
		{"evt.num>3", "evt.num", 7, KindUint, "evt.num"},
		{"evt.arg.fd=3", "evt.arg.fd", 10, KindString, "evt.arg"},
		{"evt.arg[0]", "evt.arg[0]", 10, KindString, "evt.arg"},
		{"evt.rawarg.res<0", "evt.rawarg.res", 14, KindInt, "evt.rawarg"},
		{"evt.rawarg.size", "evt.rawarg.size", 15, KindUint, "evt.rawarg"},
		{"evt.rawarg.name", "evt.rawarg.name", 15, KindString, "evt.rawarg"},
		{"proc.aname[2]=bash", "proc.aname[2]", 13, KindString, "proc.aname"},
		{"proc.aname=bash", "proc.aname", 10, KindString, "proc.aname"},
		{"proc.apid[1]", "proc.apid[1]", 12, KindInt, "proc.apid"},
		{"evt.type.is.open=1", "evt.type.is.open", 16, KindUint, "evt.type.is"},
		{"fd.name", "fd.name", 7, KindString, "fd.name"},
		{"fd.cip=1.2.3.4", "fd.cip", 6, KindIP, "fd.cip"},
		{"fd.net=10.0.0.0/8", "fd.net", 6, KindIPNet, "fd.net"},
		{"fd.sport", "fd.sport", 8, KindPort, "fd.sport"},
		{"evt.latency", "evt.latency", 11, KindRelTime, "evt.latency"},
		{"evt.rawtime", "evt.rawtime", 11, KindAbsTime, "evt.rawtime"},
		{"evt.failed", "evt.failed", 10, KindBool, "evt.failed"},
		{"evt.buffer", "evt.buffer", 10, KindBytes, "evt.buffer"},
		{"proc.fdusage", "proc.fdusage", 12, KindDouble, "proc.fdusage"},
		{"thread.cgroup.cpuacct", "thread.cgroup.cpuacct", 21, KindString, "thread.cgroup"},
		{"container.mount.source[/x*]", "container.mount.source[/x*]", 27, KindString, "container.mount.source"},
		{"evt.around[1404996934793590564]=1000", "evt.around[1404996934793590564]", 31, KindUint, "evt.around"},
		{"k8s.pod.label.app=x", "k8s.pod.label.app", 17, KindString, "k8s.pod.label"},
		{"evt.abspath.src", "evt.abspath.src", 15, KindString, "evt.abspath"},
	} {
		ex, name, n, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if name != c.name || n != c.n || ex.Kind() != c.kind || ex.(*extractor).f.Name != c.field {
			t.Errorf("Parse(%q) = %s %q %d kind %d, want %s %q %d kind %d", c.in, ex.(*extractor).f.Name, name, n, ex.Kind(), c.field, c.name, c.n, c.kind)
		}
	}
	for _, c := range []struct{ in, err string }{
		{"xyz", "unknown field 'xyz'"},
		{"xyz.abc=3", "unknown field 'xyz.abc'"},
		{"proc.anamex", "unknown field 'proc.anamex'"},
		{"evt.type.is.nosuch", "unknown field 'evt.type.is.nosuch'"},
		{"evt.arg.nosuchxx", "unknown event argument nosuchxx"},
		{"evt.arg[x]", "x is not a valid number"},
		{"evt.rawarg[0]", "evt.arg fields must be expressed explicitly"},
		{"thread.cgroup", "filter syntax error: thread.cgroup"},
		{"args", "filter error: proc.arg filter not implemented yet"},
		{"", "unknown field ''"},
	} {
		_, _, _, err := Parse(c.in)
		if err == nil || err.Error() != c.err {
			t.Errorf("Parse(%q): error %v, want %q", c.in, err, c.err)
		}
	}
}

func TestNewFormatErrors(t *testing.T) {
	for _, c := range []struct {
		spec string
		col  int
		msg  string
	}{
		{"", 1, "empty formatting token"},
		{"%", 1, "invalid formatting syntax: formatting cannot end with a %"},
		{"*%evt.num %5", 11, "invalid formatting syntax: formatting cannot end with a number"},
		{"%evt.num %nosuch x", 11, "invalid formatting token nosuch x"},
		{"*%evt.num %fd.ip", 12, "fd.ip is filter only and cannot be used as a display field"},
	} {
		_, err := NewFormat(c.spec, FormatOptions{})
		fe, ok := err.(*FormatError)
		if !ok || fe.Col != c.col || fe.Msg != c.msg {
			t.Errorf("NewFormat(%q): %v, want column %d %q", c.spec, err, c.col, c.msg)
		}
	}
}

// TestFilterValues checks the values filters get where they differ from
// what -p prints.
func TestFilterValues(t *testing.T) {
	ctxs := loadCtxs(t, curl)
	get := func(field string, c *Ctx) []Value {
		ex, _, _, err := Parse(field)
		if err != nil {
			t.Fatal(err)
		}
		return ex.Extract(c, nil)
	}
	var sawAncestors, sawBoth, sawBuffer bool
	for i := range ctxs {
		c := &ctxs[i]
		if c.Th != nil && c.Th.Comm == "curl" {
			names := get("proc.aname", c)
			var s []string
			for _, v := range names {
				s = append(s, string(v.Str))
			}
			if len(s) > 0 && s[0] == "bash" {
				sawAncestors = true
			}
		}
		if ips := get("fd.ip", c); len(ips) == 2 {
			cip := get("fd.cip", c)
			if len(cip) == 1 && cip[0].IP == ips[0].IP && ips[0].Kind == KindIP {
				sawBoth = true
			}
		}
		if b := get("evt.buffer", c); len(b) == 1 && len(b[0].Str) > 0 {
			// Filters see the raw bytes, not the rendered buffer.
			if r := get("evt.rawarg.data", c); len(r) == 1 && string(r[0].Str) == string(b[0].Str) {
				sawBuffer = true
			}
		}
		if n := get("fd.net", c); len(n) > 0 && n[0].Kind != KindIPNet {
			t.Fatalf("fd.net kind %d", n[0].Kind)
		}
	}
	if !sawAncestors || !sawBoth || !sawBuffer {
		t.Errorf("ancestors %v, both ends %v, raw buffer %v", sawAncestors, sawBoth, sawBuffer)
	}
}

func TestCatalog(t *testing.T) {
	if len(List()) < 250 {
		t.Fatalf("%d fields", len(List()))
	}
	for _, f := range List() {
		if Lookup(f.Name) == nil {
			t.Errorf("Lookup(%q) = nil", f.Name)
		}
		switch f.Class.Name {
		case "k8s", "mesos", "span", "evtin":
			continue
		}
		if _, ok := getters[f.Name]; !ok {
			t.Errorf("%s has no extraction", f.Name)
		}
	}
	// The syscall table is 0.29.3's: its names are the event package's.
	for id := range syscallCategories029 {
		if event.SyscallName(uint16(id)) == "" {
			t.Errorf("syscall %d has a category but no name", id)
		}
	}
}
