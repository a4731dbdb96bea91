package fields

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// tracesDir holds the real trace files (see its README).
var tracesDir = func() string {
	if d := os.Getenv("SYSCOPE_TRACES"); d != "" {
		return d
	}
	return "/work/shared/traces"
}()

// inCI is set by CI: there, nothing may be skipped for want of sysdig or
// the traces.
var inCI = os.Getenv("CI") == "true"

// result is what printing a trace in a format gives: the lines, and the
// error sysdig stops with, if any.
type result struct {
	Out string
	Err string
}

// runSyscope prints a trace in a -p format (already unescaped) through
// the real pipeline: the reader, the state engine, the printer's
// bookkeeping (which events sysdig skips, container events' threads, the
// shared parameter renderer) and a Formatter.
func runSyscope(tb testing.TB, trace, spec string, json bool, flags ...string) result {
	tb.Helper()
	r := formatTrace(tb, trace, spec, json, flags...)
	// sysdig's main resets the terminal's colors at the end when the
	// format has escape sequences, even after an error.
	if strings.Contains(spec, "\x1b") {
		r.Out += "\x1b[00m"
	}
	return r
}

func formatTrace(tb testing.TB, trace, spec string, json bool, flags ...string) result {
	tb.Helper()
	opt := format.Options{JSON: json}
	tmode := byte('h')
	timeOnly := false
	for _, fl := range flags {
		switch {
		case len(fl) == 3 && fl[:2] == "-t":
			tmode = fl[2]
		case fl == "-A":
			opt.Buffer = format.BufASCII
		case fl == "-x":
			opt.Buffer = format.BufHex
		case fl == "-X":
			opt.Buffer = format.BufHexASCII
		case fl == "-b":
			opt.Buffer = format.BufBase64
		case fl == "-v":
			opt.Verbose = true
		case fl == "observe-time":
			// Not a sysdig flag: the Capture keeps only the time of
			// the first event (ObserveTime), as syscope does when no
			// field ReadsLastEvent.
			timeOnly = true
		default:
			tb.Fatalf("flag %q", fl)
		}
	}
	f, err := NewFormat(spec, FormatOptions{JSON: json})
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return result{Err: fe.Msg}
		}
		tb.Fatal(err)
	}
	fh, err := os.Open(trace)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	st := state.New()
	cp := NewCapture()
	cp.TZOffset = 0
	cp.Time = tmode
	rd, err := scap.NewReader(fh, cp.Sink(st.Sink()))
	if err != nil {
		tb.Fatal(err)
	}
	tz := 0
	opt.TZOffset = &tz
	opt.Time = tmode
	pr := format.NewPrinter(io.Discard, st, opt)
	var out []byte
	for ev, err := range rd.Events() {
		if err != nil {
			tb.Fatalf("%s: %v", trace, err)
		}
		st.Apply(ev)
		if timeOnly {
			cp.ObserveTime(ev)
		} else {
			cp.Observe(ev, st)
		}
		pr.Observe(ev)
		if pr.Skipped(ev) {
			continue
		}
		c := Ctx{R: pr.Renderer()}
		cp.Fill(&c, ev, st, pr.Thread(ev))
		var ok bool
		n := len(out)
		out, ok = f.Append(out, &c)
		if f.Err() != nil {
			var fe *FormatError
			errors.As(f.Err(), &fe)
			return result{Out: string(out[:n]), Err: fe.Msg}
		}
		if ok {
			out = append(out, '\n')
		} else {
			out = out[:n]
		}
	}
	return result{Out: string(out)}
}

// runSysdig runs the real sysdig -r TRACE [-j] -p SPEC, in UTC.
func runSysdig(sd, trace, spec string, json bool, flags ...string) (result, error) {
	args := []string{"-r", trace}
	if json {
		args = append(args, "-j")
	}
	args = append(args, flags...)
	args = append(args, "-p", spec)
	cmd := execCommand(sd, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		e := errb.String()
		if len(e) > 0 && e[len(e)-1] == '\n' {
			e = e[:len(e)-1]
		}
		return result{Out: out.String(), Err: e}, nil
	}
	if err != nil {
		return result{}, err
	}
	return result{Out: out.String()}, nil
}

func sysdigPath(tb testing.TB) string {
	sd, err := exec.LookPath("sysdig")
	if err != nil {
		if inCI {
			tb.Fatal("sysdig is needed in CI: ", err)
		}
		tb.Skip("sysdig not installed")
	}
	return sd
}

func tracePath(name string) string { return filepath.Join(tracesDir, name) }

// TestAdhoc compares one trace and format with sysdig: FIELDS_TRACE and
// FIELDS_FORMAT (and FIELDS_JSON=1) select them.
func TestAdhoc(t *testing.T) {
	tr, spec := os.Getenv("FIELDS_TRACE"), os.Getenv("FIELDS_FORMAT")
	if tr == "" || spec == "" {
		t.Skip("FIELDS_TRACE and FIELDS_FORMAT not set")
	}
	json := os.Getenv("FIELDS_JSON") == "1"
	var flags []string
	if s := os.Getenv("FIELDS_FLAGS"); s != "" {
		flags = strings.Fields(s)
	}
	sd := sysdigPath(t)
	want, err := runSysdig(sd, tracePath(tr), spec, json, flags...)
	if err != nil {
		t.Fatal(err)
	}
	got := runSyscope(t, tracePath(tr), Unescape(spec), json, flags...)
	if got != want {
		t.Errorf("%s %q: %s", tr, spec, diff(want, got))
	}
}

// execCommand runs sysdig in UTC.
func execCommand(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	return cmd
}
