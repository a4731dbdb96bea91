package main

import (
	"strings"
	"testing"
)

// TestFilterAndFormat runs the command line with filters, -p formats,
// -j and -d on every trace and compares with the real sysdig: the filter
// and field packages have their own conformance tests, this one checks
// the wiring (state before filter, display filter, JSON, numbering).
func TestFilterAndFormat(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	cases := [][]string{
		{"proc.name=curl"},
		{"evt.type=open and fd.name contains /etc and evt.failed=false"},
		{"-p", "%evt.num %proc.name %fd.name %evt.type", "evt.type in (open, openat, connect, read)"},
		{"-j", "-p", "%evt.num %proc.name %thread.tid %fd.name", "fd.type=ipv4 or fd.type=ipv6"},
		{"-d", "-t", "r", "evt.dir=< and evt.failed=true"},
		{"-n", "20", "not evt.type in (procinfo, switch)"},
		{"-p", "*%evt.num %container.name %container.image %user.name %fd.cip", "container.id!=host"},
	}
	for _, name := range traceNames(t) {
		in := tracePath(t, name)
		for _, c := range cases {
			args := append([]string{"-r", in}, c...)
			want := runSysdig(t, sd, args...)
			got := runSyscope(args...)
			if d := firstDiff(want.stdout, got.stdout); d != "" || want.code != got.code {
				t.Errorf("%s %q: exit %d/%d: %s", name, c, want.code, got.code, d)
			}
		}
	}
	r := runSyscope("-r", tracePath(t, "curl_google"), "evt.type=open and fd.name contains")
	if r.code == 0 || len(r.stdout) != 0 || !strings.HasPrefix(r.stderr, "filter: column ") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("syntax error: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runSyscope("-r", tracePath(t, "curl_google"), "proc.nosuch=1")
	if r.code == 0 || !strings.Contains(r.stderr, "unknown field") {
		t.Errorf("unknown field: exit %d, stderr %q", r.code, r.stderr)
	}
}
