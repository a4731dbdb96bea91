package filter

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// TestRejectBeforeParse checks State.Reject, State.SetCaptureFilter and
// Capture.Reject, which
// give a command's filter sysdig's effect on the events it rejects (see
// State.Reject): with them, a pipeline that filters, then prints with a
// -p format, prints what sysdig prints for filters that reject enter
// events, where the exit's fd would otherwise differ.
func TestRejectBeforeParse(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	var cases []struct{ trace, format, filter string }
	for _, c := range []struct{ trace, format, filter string }{
		{"cat_write", "*%evt.num %evt.type %evt.buflen %fd.name %evt.category %fd.num", "evt.dir=< and evt.type=read"},
		{"cat_write", "*%evt.num %evt.rawres %evt.buflen %fd.num", "evt.rawres>=0 and evt.type=read"},
		{"curl_google", "*%evt.num %evt.type %evt.buflen %fd.name %evt.category %evt.is_io_write %fd.type", "evt.dir=<"},
		{"psp_run_as_user_0_container", "*%evt.num %evt.type %evt.buflen.in %evt.buflen.out %fd.name %evt.category", "evt.res=SUCCESS and (evt.is_io=true or evt.type=close)"},
	} {
		cases = append(cases, c)
	}
	listed := len(cases) // these select something
	// Filters that reject every enter event, on every trace.
	for _, tr := range traceNames(t) {
		cases = append(cases,
			struct{ trace, format, filter string }{tr, "*%evt.num %evt.type %evt.buflen %fd.name %evt.category %fd.connected %fd.name_changed %proc.fdlimit", "evt.dir=<"},
			struct{ trace, format, filter string }{tr, "*%evt.num %evt.type %evt.buflen %fd.num %fd.name %evt.category", "evt.failed=false and evt.rawres>=0"})
	}
	for i, c := range cases {
		path := filepath.Join(tracesDir(t), c.trace+".scap")
		cmd := exec.Command(sd, "-r", path, "-p", c.format, c.filter)
		cmd.Env = append(os.Environ(), "TZ=UTC")
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("sysdig: %v", err)
		}
		if len(want) == 0 && i < listed {
			t.Errorf("%s %q: sysdig prints nothing", c.trace, c.filter)
		}
		got := filterPrint(t, path, c.format, c.filter)
		if string(want) != got {
			t.Errorf("%s -p %q %q: %s", c.trace, c.format, c.filter, diffLines(string(want), got))
		}
	}
}

// filterPrint is syscope -r path -p format filter, with the filter's
// rejections given to the state and the fields.
func filterPrint(t *testing.T, path, spec, expr string) string {
	t.Helper()
	flt, err := Compile(expr)
	if err != nil {
		t.Fatal(err)
	}
	fm, err := fields.NewFormat(fields.Unescape(spec), fields.FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st := state.New()
	st.SetCaptureFilter(true)
	cp := fields.NewCapture()
	cp.TZOffset = 0
	rd, err := scap.NewReader(fh, cp.Sink(st.Sink()))
	if err != nil {
		t.Fatal(err)
	}
	tz := 0
	pr := format.NewPrinter(io.Discard, st, format.Options{TZOffset: &tz})
	var out []byte
	started := false
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		st.Apply(ev)
		pr.Observe(ev)
		cp.Observe(ev, st)
		if isContainerEvent(ev.Type) {
			if !started {
				continue
			}
		} else {
			started = true
		}
		var c fields.Ctx
		c.R = pr.Renderer()
		cp.Fill(&c, ev, st, pr.Thread(ev))
		if !flt.Match(&c) {
			st.Reject(ev)
			cp.Reject(ev)
			continue
		}
		if ev.Flags&event.FlagStateOnly != 0 || pr.Skipped(ev) {
			continue
		}
		cp.Fill(&c, ev, st, pr.Thread(ev))
		var ok bool
		n := len(out)
		if out, ok = fm.Append(out, &c); ok {
			out = append(out, '\n')
		} else {
			out = out[:n]
		}
	}
	return string(out)
}

func diffLines(want, got string) string {
	w, g := splitLines(want), splitLines(got)
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ": sysdig " + clip(a) + ", syscope " + clip(b)
		}
	}
	return ""
}

func splitLines(s string) []string {
	var l []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		l = append(l, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return l
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
