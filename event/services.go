package event

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// PortNames names ports as getservbyport does from /etc/services, for
// sysdig's -R: the first entry of the port for the protocol asked, or for
// any protocol when none is. A nil *PortNames names no port: numbers
// print as they are.
type PortNames struct {
	byProto map[portKey]string
	any     map[uint16]string
}

type portKey struct {
	port  uint16
	proto string
}

// Layer 4 protocols as sinsp stores them (SCAP_L4_*), which choose the
// protocol a port is named for.
const (
	L4Unknown = 0
	L4TCP     = 2
	L4UDP     = 3
)

// LoadPortNames reads the services database at path (/etc/services). A
// file that cannot be read names no port, as getservbyport finds none.
func LoadPortNames(path string) *PortNames {
	n := newPortNames()
	f, err := os.Open(path)
	if err != nil {
		return n
	}
	defer f.Close()
	n.read(f)
	return n
}

func newPortNames() *PortNames {
	return &PortNames{byProto: map[portKey]string{}, any: map[uint16]string{}}
}

// read takes the lines "name port/protocol [aliases...] [# comment]".
func (n *PortNames) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		num, proto, ok := strings.Cut(f[1], "/")
		if !ok || proto == "" {
			continue
		}
		port, err := strconv.ParseUint(num, 10, 16)
		if err != nil {
			continue
		}
		k := portKey{uint16(port), proto}
		if _, seen := n.byProto[k]; !seen {
			n.byProto[k] = f[0]
		}
		if _, seen := n.any[k.port]; !seen {
			n.any[k.port] = f[0]
		}
	}
}

// Name is the name of port for the layer 4 protocol l4 (tcp, udp; any
// other asks for any protocol), or "" when it has none.
func (n *PortNames) Name(port uint16, l4 uint8) string {
	if n == nil {
		return ""
	}
	switch l4 {
	case L4TCP:
		return n.byProto[portKey{port, "tcp"}]
	case L4UDP:
		return n.byProto[portKey{port, "udp"}]
	}
	return n.any[port]
}

// AppendPort appends port's name for l4, or its number when it has none
// (sinsp's port_to_string).
func (n *PortNames) AppendPort(dst []byte, port uint16, l4 uint8) []byte {
	if name := n.Name(port, l4); name != "" {
		return append(dst, name...)
	}
	return strconv.AppendUint(dst, uint64(port), 10)
}
