package fields

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// FuzzFormat checks that no -p format makes the format parser, or
// printing with it, panic: a bad format is one FormatError with a column
// inside the format and sysdig's message (one line unless it quotes a
// newline of the format), and a good one prints every event of
// a small crafted trace (or stops with one such error, as sysdig does
// for errors it finds only when printing).
//
//	go test ./fields -run '^$' -fuzz FuzzFormat -fuzztime 30s
func FuzzFormat(f *testing.F) {
	for _, s := range []string{
		"%evt.num %proc.name %fd.name",
		"*%evt.num %10proc.name %-5evt.type %evt.arg[0] %evt.arg.fd %evt.rawarg.res",
		`[%10proc.name] \t\\\e\x%%evt.dir`,
		"%proc.aname[2] %proc.apid %thread.cgroup.cpuacct %container.mount.source[/x*]",
		"%evt.type.is.open %evt.around[5] %k8s.pod.label.app %span.tag[1]",
		"%fdlist.names %fd.cip %fd.net %evt.buffer %evt.latency.human",
		"%", "%5", "%evt.arg[x]", "%nosuch", "*%evt.num %fd.ip", "%evt.rawarg[1]",
		strings.Repeat("%evt.num", 200),
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	trace, err := os.ReadFile("testdata/crafted/syslog.scap")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec string, json bool) {
		spec = Unescape(spec)
		if hugeWidth(spec) {
			// Honoured as sysdig does (a line of that many bytes per
			// event), which only makes fuzzing slow.
			return
		}
		fm, err := NewFormat(spec, FormatOptions{JSON: json})
		if err != nil {
			checkFormatError(t, spec, err)
			return
		}
		st := state.New()
		cp := NewCapture()
		rd, err := scap.NewReader(bytes.NewReader(trace), cp.Sink(st.Sink()))
		if err != nil {
			t.Fatal(err)
		}
		pr := format.NewPrinter(io.Discard, st, format.Options{JSON: json})
		var out []byte
		for ev, err := range rd.Events() {
			if err != nil {
				t.Fatal(err)
			}
			st.Apply(ev)
			cp.Observe(ev, st)
			pr.Observe(ev)
			if pr.Skipped(ev) {
				continue
			}
			c := Ctx{R: pr.Renderer()}
			cp.Fill(&c, ev, st, pr.Thread(ev))
			out, _ = fm.Append(out[:0], &c)
			if err := fm.Err(); err != nil {
				checkFormatError(t, spec, err)
				return
			}
		}
	})
}

func checkFormatError(t *testing.T, spec string, err error) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("format %q: %T error %v", spec, err, err)
	}
	// The message is sysdig's, which quotes the bad token as written:
	// it has a newline only if the format has.
	if fe.Msg == "" || strings.Contains(fe.Msg, "\n") && !strings.Contains(spec, "\n") {
		t.Fatalf("format %q: error %q is not one line", spec, fe.Msg)
	}
	if fe.Col < 1 || fe.Col > len(spec)+1 {
		t.Fatalf("format %q: error %q at column %d", spec, fe.Msg, fe.Col)
	}
}

// hugeWidth reports whether the format pads a field to 10000 bytes or
// more (%NNNNNfield).
func hugeWidth(spec string) bool {
	for i := 0; i < len(spec); i++ {
		if spec[i] != '%' {
			continue
		}
		n := 0
		for i+1 < len(spec) && spec[i+1] >= '0' && spec[i+1] <= '9' {
			i++
			n++
		}
		if n >= 5 {
			return true
		}
	}
	return false
}
