package fields

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadsLastEvent checks the fields that ReadsLastEvent says do not read
// what the Capture keeps of each thread's last event: on every trace, they
// print the same when the Capture keeps it (Observe) as when it keeps
// only the first event's time (ObserveTime), as syscope runs when no
// field of its filter or format reads it. And the other way, that the
// fields it names do differ somewhere, so that the check can fail.
func TestReadsLastEvent(t *testing.T) {
	traces, err := os.ReadDir(tracesDir)
	if err != nil {
		if inCI {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	var plain, reading []string
	for _, name := range sweepable() {
		if ReadsLastEvent(name) {
			reading = append(reading, name)
		} else {
			plain = append(plain, name)
		}
	}
	spec := func(names []string) string {
		return "*%evt.num @@%" + strings.Join(names, " @@%")
	}
	differs := map[string]bool{}
	n := 0
	for _, tr := range traces {
		if !strings.HasSuffix(tr.Name(), ".scap") {
			continue
		}
		n++
		path := tracePath(tr.Name())
		if a, b := formatTrace(t, path, spec(plain), false), formatTrace(t, path, spec(plain), false, "observe-time"); a != b {
			t.Errorf("%s: a field that ReadsLastEvent leaves out prints differently without the threads' last events: %s",
				tr.Name(), firstDiff(plain, a.Out, b.Out))
		}
		for _, name := range reading {
			if differs[name] {
				continue
			}
			if formatTrace(t, path, spec([]string{name}), false) != formatTrace(t, path, spec([]string{name}), false, "observe-time") {
				differs[name] = true
			}
		}
	}
	if n == 0 {
		t.Fatalf("no trace in %s", tracesDir)
	}
	for _, name := range []string{"evt.latency", "fd.num", "fd.name"} {
		if !differs[name] {
			t.Errorf("%s prints the same with and without the threads' last events on every trace: the check has no teeth", name)
		}
	}
}

// firstDiff names the first field whose column differs between a and b,
// outputs of the format spec(names) above, with both values.
func firstDiff(names []string, a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		ca, cb := strings.Split(la[i], " @@"), strings.Split(lb[i], " @@")
		for j := 1; j < len(ca) && j < len(cb) && j <= len(names); j++ {
			if ca[j] != cb[j] {
				return fmt.Sprintf("%s of event %s: %q with, %q without", names[j-1], ca[0], ca[j], cb[j])
			}
		}
	}
	return "the outputs differ in length"
}
