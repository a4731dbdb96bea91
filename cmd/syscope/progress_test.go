package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestProgressLikeSysdig checks what syscope prints on stderr with -P, and
// when it reads a file into -w, against the real sysdig on every trace:
// these are short, so the figure only prints at the end of the file, byte
// for byte the same. (Stopped before, with -n, they differ: the traces
// are compressed, and syscope has read further ahead than zlib.) -P on a
// live capture fails as sysdig's does.
func TestProgressLikeSysdig(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	dir := t.TempDir()
	for _, name := range traceNames(t) {
		path := tracePath(t, name)
		for _, args := range [][]string{
			{"-P", "-q"},
			{"-P", "proc.name=curl"},
			{"-w", filepath.Join(dir, "out.scap")},
			{"-z", "-w", filepath.Join(dir, "out.scap.gz"), "evt.type=open"},
		} {
			a := append([]string{"-r", path}, args...)
			want := runSysdig(t, sd, a...)
			got := runSyscope(a...)
			if got.stderr != want.stderr || got.code != want.code {
				t.Errorf("%s %q: stderr %q, exit %d; sysdig: %q, exit %d", name, args, got.stderr, got.code, want.stderr, want.code)
			}
		}
	}
	want := runSysdig(t, sd, "-P")
	got := runSyscope("-P")
	if got.stderr != want.stderr || got.code != want.code || got.code == 0 {
		t.Errorf("-P live: stderr %q, exit %d; sysdig: %q, exit %d", got.stderr, got.code, want.stderr, want.code)
	}
}

// figures parses what the progress printed: "\r" and spaces that wipe the
// figure shown, "\r" and a new figure, and so on, then a newline.
func figures(t *testing.T, stderr string) []float64 {
	t.Helper()
	body, ok := strings.CutSuffix(stderr, "\n")
	parts := strings.Split(body, "\r")
	if !ok || len(parts) < 2 || parts[0] != "" {
		t.Fatalf("not a progress line: %q", stderr)
	}
	var figs []float64
	shown, wiped := "", false
	for _, p := range parts[1:] {
		if p == strings.Repeat(" ", len(shown)) {
			wiped = true
			continue
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || strconv.FormatFloat(v, 'f', 2, 64) != p || !wiped {
			t.Fatalf("%q is not a %%.2f figure after a wipe in %q", p, stderr)
		}
		if len(figs) > 0 && v-figs[len(figs)-1] <= 0.1 {
			t.Fatalf("figure %q moved by 0.1 or less in %q", p, stderr)
		}
		figs = append(figs, v)
		shown, wiped = p, false
	}
	if len(figs) == 0 {
		t.Fatalf("no figure in %q", stderr)
	}
	return figs
}

// TestProgressFigures checks the figures on a file long enough to have
// some before the end: every 10,000 events, as sysdig looks at them, and
// near sysdig's, which counts what zlib has read ahead, up to 16 KiB. A
// compressed copy's figures come in the steps in which it is read, short
// of 100 until the end.
func TestProgressFigures(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	path := longTrace(t, 50000)
	for _, args := range [][]string{
		{"-P", "-q"},
		{"-w", filepath.Join(t.TempDir(), "out.scap"), "proc.name=bash"},
	} {
		a := append([]string{"-r", path}, args...)
		got := runSyscope(a...)
		if got.code != 0 {
			t.Fatalf("%q: exit %d: %s", args, got.code, got.stderr)
		}
		want := runSysdig(t, sd, a...)
		gf, wf := figures(t, got.stderr), figures(t, want.stderr)
		if len(gf) != len(wf) || len(gf) < 4 || gf[len(gf)-1] != 100 {
			t.Fatalf("%q: figures %v, sysdig's %v", args, gf, wf)
		}
		for i := range gf {
			if d := wf[i] - gf[i]; d < 0 || d > 1 {
				t.Errorf("%q: figure %d is %.2f, sysdig's %.2f", args, i, gf[i], wf[i])
			}
		}
		t.Logf("%q: %v; sysdig: %v", args, gf, wf)
	}

	// Stopped by -n: the figure of where the reading stopped.
	got := runSyscope("-r", path, "-P", "-q", "-n", "25000")
	if f := figures(t, got.stderr); f[len(f)-1] < 30 || f[len(f)-1] > 70 {
		t.Errorf("-n 25000 of about 50,000 events: figures %v", f)
	}

	gz := filepath.Join(t.TempDir(), "big.scap.gz")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gz, gzipped(b), 0o600); err != nil {
		t.Fatal(err)
	}
	got = runSyscope("-r", gz, "-P", "-q")
	figs := figures(t, got.stderr)
	for i, v := range figs {
		if (v == 100) != (i == len(figs)-1) {
			t.Errorf("compressed: figures %v", figs)
			break
		}
	}
	t.Logf("compressed: %v", figs)
}
