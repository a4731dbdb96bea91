package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFilterByThread checks the verdicts a filter on the thread's
// identity keeps per thread: the output must be the one of the same
// filter evaluated on every event (made so by a check on evt.num, which
// is no identity field), on every trace and on all of them one after
// another (sections restart the state).
func TestFilterByThread(t *testing.T) {
	filters := []string{
		"proc.name=bash",
		"proc.name=curl",
		"proc.name!=sysdig and user.name=root",
		"container.name!=host or proc.cmdline contains ping",
		"not (proc.exe startswith /usr or proc.pid<100)",
		"user.uid=0 and container.image exists",
	}
	var all []byte
	inputs := map[string]string{}
	for _, name := range traceNames(t) {
		p := tracePath(t, name)
		inputs[name] = p
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, gunzip(t, b)...)
	}
	cat := filepath.Join(t.TempDir(), "all.scap")
	if err := os.WriteFile(cat, all, 0o600); err != nil {
		t.Fatal(err)
	}
	inputs["all"] = cat
	for name, in := range inputs {
		for _, f := range filters {
			if !threadOnly(f) {
				t.Fatalf("%q is not seen as a filter on identities", f)
			}
			for _, extra := range [][]string{nil, {"-d"}} {
				args := append(append([]string{"-r", in}, extra...), f)
				got := runSyscope(args...)
				args[len(args)-1] = "(" + f + ") and evt.num>0"
				want := runSyscope(args...)
				if d := firstDiff(want.stdout, got.stdout); d != "" || want.code != got.code || !bytes.Equal(want.stdout, got.stdout) {
					t.Errorf("%s %v %q: exit %d/%d: %s", name, extra, f, want.code, got.code, d)
				}
			}
		}
	}
	for _, f := range []string{"evt.type=open", "proc.name=bash and fd.num=3", "proc.aname=bash", "thread.tid=1"} {
		if threadOnly(f) {
			t.Errorf("%q is seen as a filter on identities", f)
		}
	}
}
