package main

import (
	"bytes"
	"testing"

	"github.com/syscope/syscope/event"
)

// TestResolvePortsLikeSysdig checks -R against the real sysdig on every
// trace: the default output (socket names from fd lists and from the
// events, tuples and addresses of the parameters) and the fields that name
// ports, plain and as JSON. Port names come from /etc/services, which
// netbase installs; without it the test would compare numbers only, so it
// fails.
func TestResolvePortsLikeSysdig(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	if event.LoadPortNames(servicesFile).Name(53, event.L4UDP) != "domain" {
		t.Fatalf("%s does not name port 53 (apt-get install netbase)", servicesFile)
	}
	const f = "%evt.num %fd.name %fd.cproto %fd.sproto %fd.lproto %fd.rproto %fd.cport %fd.sport %evt.arg.tuple %evt.arg.addr %evt.info"
	named := 0
	for _, name := range traceNames(t) {
		path := tracePath(t, name)
		for _, args := range [][]string{{}, {"-p", f}, {"-j", "-p", f}, {"-p", f, "fd.sproto=domain or fd.sproto=ssh"}} {
			a := append([]string{"-r", path, "-R"}, args...)
			want := runSysdig(t, sd, a...)
			got := runSyscope(a...)
			if d := firstDiff(want.stdout, got.stdout); d != "" || got.code != want.code {
				t.Errorf("%s %q: exit %d, sysdig %d; %s", name, args, got.code, want.code, d)
			}
			if len(args) == 0 && !bytes.Equal(got.stdout, runSyscope("-r", path).stdout) {
				named++
			}
		}
	}
	// connect_localhost, curl_google, ping_sendto, the container trace
	// (its sshd socket, from the fd list) and test_ipv6_client.
	if named < 5 {
		t.Errorf("-R named ports in %d traces, want 5", named)
	}
}
