package event

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPortNames checks the services database as getservbyport reads it:
// the first entry of a port for the protocol asked, or for any protocol
// when none is; comments, aliases and malformed lines are skipped.
func TestPortNames(t *testing.T) {
	n := newPortNames()
	n.read(strings.NewReader(`# comment
tcpmux		1/tcp				# TCP port service multiplexer
ssh		22/tcp
domain		53/tcp
domain		53/udp
bootps		67/udp
http		80/tcp		www		# WorldWideWeb HTTP
www-other	80/tcp
badport		99999/tcp
noproto		7
  # indented comment
syslog		514/udp
shell		514/tcp		cmd
`))
	for _, c := range []struct {
		port uint16
		l4   uint8
		want string
	}{
		{22, L4TCP, "ssh"}, {22, L4UDP, ""}, {22, L4Unknown, "ssh"},
		{53, L4UDP, "domain"}, {67, L4TCP, ""}, {67, 4, "bootps"},
		{80, L4TCP, "http"}, {1, L4Unknown, "tcpmux"},
		// Any protocol: the first line of the port in the file.
		{514, L4Unknown, "syslog"}, {514, L4TCP, "shell"},
		{7, L4Unknown, ""}, {40251, L4TCP, ""},
	} {
		if got := n.Name(c.port, c.l4); got != c.want {
			t.Errorf("Name(%d, %d) = %q, want %q", c.port, c.l4, got, c.want)
		}
	}
	if got := string(n.AppendTuple(nil, []byte{AFInet, 10, 0, 2, 2, 0x89, 0xc0, 10, 0, 2, 15, 22, 0}, L4TCP)); got != "10.0.2.2:49289->10.0.2.15:ssh" {
		t.Errorf("tuple %q", got)
	}
	var none *PortNames
	if got := string(none.AppendSockaddr(nil, []byte{AFInet, 127, 0, 0, 1, 22, 0}, L4TCP)); got != "127.0.0.1:22" {
		t.Errorf("without names: %q", got)
	}

	// A database that cannot be read names nothing, as getservbyport
	// finds nothing.
	if n := LoadPortNames(filepath.Join(t.TempDir(), "missing")); n.Name(22, L4TCP) != "" {
		t.Errorf("a missing file names port 22")
	}
	path := filepath.Join(t.TempDir(), "services")
	if err := os.WriteFile(path, []byte("ssh 22/tcp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := LoadPortNames(path); n.Name(22, L4TCP) != "ssh" {
		t.Errorf("%s does not name port 22", path)
	}
}

// FuzzPortNames feeds the services reader arbitrary files: it must not
// fail, and a port it names has a name without white space.
func FuzzPortNames(f *testing.F) {
	f.Add([]byte("ssh 22/tcp\ndomain 53/udp # dns\n"), uint16(22))
	f.Add([]byte("x 1/\n/ 2/tcp\n\x00 65535/udp a b c\n"), uint16(65535))
	f.Fuzz(func(t *testing.T, data []byte, port uint16) {
		n := newPortNames()
		n.read(bytes.NewReader(data))
		for _, l4 := range []uint8{L4Unknown, L4TCP, L4UDP} {
			if name := n.Name(port, l4); strings.ContainsAny(name, " \t\n") {
				t.Errorf("port %d named %q", port, name)
			}
			n.AppendPort(nil, port, l4)
		}
	})
}
