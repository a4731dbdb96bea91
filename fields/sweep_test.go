package fields

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// sweepable is the name of every field of the implemented classes that a
// -p format prints without an argument.
func sweepable() []string {
	var names []string
	for _, f := range List() {
		switch f.Class.Name {
		case "k8s", "mesos", "span", "evtin", "util":
			continue
		}
		if f.Flags&(FlagFilterOnly|FlagRequiresArg) != 0 || f.Arg != ArgNone {
			continue
		}
		names = append(names, f.Name)
	}
	return names
}

// TestSweep prints every displayable field of the implemented classes in
// one format, per trace, and reports the fields whose columns differ from
// sysdig's (FIELDS_SWEEP=1).
func TestSweep(t *testing.T) {
	if os.Getenv("FIELDS_SWEEP") == "" {
		t.Skip("FIELDS_SWEEP not set")
	}
	sd := sysdigPath(t)
	names := sweepable()
	names = append(names, "proc.aname[1]", "proc.aname[0]", "proc.apid[1]", "proc.apid[2]", "evt.arg[0]", "evt.arg.fd",
		"evt.arg.res", "evt.arg.name", "evt.rawarg.res", "evt.abspath", "thread.cgroup.cpuacct", "evt.type.is.3")
	if s := os.Getenv("FIELDS_ONLY"); s != "" {
		names = strings.Split(s, ",")
	}
	if os.Getenv("FIELDS_JSON") == "1" {
		// Fields sysdig -j cannot render (it stops at the first event).
		names = slices.DeleteFunc(names, func(n string) bool {
			switch n {
			case "proc.fdusage", "thread.cpu", "thread.cpu.user", "thread.cpu.system", "thread.totexectime", "evt.rawarg.res":
				return true
			}
			return false
		})
	}
	const sep = "@@"
	spec := "*%evt.num"
	for _, n := range names {
		spec += sep + "%" + n
	}
	spec += "##END##"
	traces := []string{"curl_google.scap", "single_ipv6_conn.scap", "test_ipv6_client.scap", "cat_write.scap",
		"connect_localhost.scap", "open-multiple-files.scap", "ping_sendto.scap", "syscall.scap", "psp_privileged.scap",
		"psp_run_as_user_0_container.scap", "psp_run_as_user_65534_container.scap", "psp_write_tmp_test.scap"}
	if s := os.Getenv("FIELDS_TRACES"); s != "" {
		traces = strings.Split(s, ",")
	}
	bad := map[string]int{}
	example := map[string]string{}
	if os.Getenv("FIELDS_JSON") == "1" {
		sweepJSON(t, sd, spec, traces)
		return
	}
	for _, tr := range traces {
		want, err := runSysdig(sd, tracePath(tr), spec, false)
		if err != nil {
			t.Fatal(err)
		}
		got := runSyscope(t, tracePath(tr), spec, false)
		if want.Err != got.Err {
			t.Errorf("%s: error sysdig %q syscope %q", tr, want.Err, got.Err)
		}
		wl, gl := strings.Split(want.Out, "##END##\n"), strings.Split(got.Out, "##END##\n")
		if len(wl) != len(gl) {
			t.Errorf("%s: %d lines from sysdig, %d from syscope", tr, len(wl), len(gl))
			continue
		}
		for i := range wl {
			wc, gc := strings.Split(wl[i], sep), strings.Split(gl[i], sep)
			if len(wc) != len(gc) {
				t.Errorf("%s line %d: columns %d vs %d", tr, i, len(wc), len(gc))
				continue
			}
			for j := 1; j < len(wc); j++ {
				if wc[j] != gc[j] {
					n := names[j-1]
					bad[n]++
					if _, ok := example[n]; !ok {
						example[n] = tr + " evt " + wc[0] + ": sysdig " + trunc(wc[j]) + " syscope " + trunc(gc[j])
					}
				}
			}
		}
	}
	for _, n := range names {
		if bad[n] > 0 {
			t.Errorf("%s: %d differences, e.g. %s", n, bad[n], example[n])
		}
	}
}

func trunc(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return "\"" + s + "\""
}

func sweepJSON(t *testing.T, sd, spec string, traces []string) {
	bad := map[string]int{}
	example := map[string]string{}
	for _, tr := range traces {
		want, err := runSysdig(sd, tracePath(tr), spec, true)
		if err != nil {
			t.Fatal(err)
		}
		got := runSyscope(t, tracePath(tr), spec, true)
		if want.Err != got.Err {
			t.Errorf("%s: error sysdig %q syscope %q", tr, want.Err, got.Err)
		}
		wl, gl := strings.Split(want.Out, "\n"), strings.Split(got.Out, "\n")
		if len(wl) != len(gl) {
			t.Errorf("%s: %d lines from sysdig, %d from syscope", tr, len(wl), len(gl))
			continue
		}
		for i := range wl {
			if wl[i] == gl[i] {
				continue
			}
			var wm, gm map[string]json.RawMessage
			if err := json.Unmarshal([]byte(wl[i]), &wm); err != nil {
				t.Errorf("%s line %d: sysdig: %v", tr, i, err)
				continue
			}
			if err := json.Unmarshal([]byte(gl[i]), &gm); err != nil {
				t.Errorf("%s line %d: syscope: %v: %s", tr, i, err, trunc(gl[i]))
				continue
			}
			for k, w := range wm {
				if string(gm[k]) != string(w) {
					bad[k]++
					if _, ok := example[k]; !ok {
						example[k] = tr + ": sysdig " + trunc(string(w)) + " syscope " + trunc(string(gm[k]))
					}
				}
			}
			if len(wm) != len(gm) {
				t.Errorf("%s line %d: %d keys vs %d", tr, i, len(wm), len(gm))
			}
		}
	}
	for k, n := range bad {
		t.Errorf("%s: %d differences, e.g. %s", k, n, example[k])
	}
}
