package container

import (
	"encoding/binary"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Info is what is known about a container: its identity from the cgroups
// and its metadata from the runtime. It holds what sysdig's
// sinsp_container_info holds, so that JSON can write the container event
// sysdig writes, and the Kubernetes pod it belongs to.
//
// An Info handed out by a Resolver is never changed afterwards: a newer
// lookup makes a new one.
type Info struct {
	ID     string // container.id: 12 characters for a hex id
	FullID string // the id as the runtime knows it
	Type   Type
	Name   string

	Image       string // the image as the container was created from it
	ImageID     string // the image id, without "sha256:"
	ImageRepo   string // the repository, with its registry: "localhost/redis-test"
	ImageTag    string
	ImageDigest string // "sha256:..."

	Privileged bool
	// IP is the container's IPv4 address ("" for none); JSON writes
	// "0.0.0.0" for none, as sysdig does.
	IP           string
	Labels       map[string]string
	Mounts       []Mount
	PortMappings []PortMapping
	// Env is the container's environment. A container event carries only
	// the variables about Mesos and Marathon, as sysdig's does.
	Env          []string
	MesosTaskID  string
	HealthProbes []HealthProbe

	MemoryLimit    int64
	SwapLimit      int64
	CPUShares      int64
	CPUQuota       int64
	CPUPeriod      int64
	CPUSetCPUCount int32

	IsPodSandbox     bool
	LookupState      LookupState
	CreatedTime      int64 // seconds since the epoch
	MetadataDeadline uint64

	// The Kubernetes pod of a CRI container or sandbox. A container event
	// has no keys for them: Resolver copies them into Labels under the
	// names the kubelet gives them (io.kubernetes.pod.name, .namespace,
	// .uid, io.kubernetes.sandbox.id), where sysdig's k8s.pod.* fields
	// read them.
	PodName      string
	PodNamespace string
	PodUID       string
	PodSandboxID string
	PodLabels    map[string]string
}

// Mount is a mount of a container, as a container event carries it.
type Mount struct {
	Source      string
	Destination string
	Mode        string
	RW          bool
	Propagation string
}

// PortMapping is a published TCP port: HostIP is an IPv4 address in host
// byte order, as sysdig keeps it.
type PortMapping struct {
	HostIP        uint32
	HostPort      uint16
	ContainerPort uint16
}

// HealthProbe is a command the runtime runs in the container to check its
// health.
type HealthProbe struct {
	Type ProbeType
	Exe  string
	Args []string
}

// ProbeType is the kind of a health probe, with sysdig's values.
type ProbeType int

// Probe types.
const (
	ProbeHealthcheck    ProbeType = 1 // docker HEALTHCHECK
	ProbeLivenessProbe  ProbeType = 2
	ProbeReadinessProbe ProbeType = 3
)

var probeNames = map[ProbeType]string{
	ProbeHealthcheck:    "Healthcheck",
	ProbeLivenessProbe:  "LivenessProbe",
	ProbeReadinessProbe: "ReadinessProbe",
}

// NewInfo returns the Info of a container known only by its cgroups, with
// sysdig's defaults: 1024 CPU shares, a 100 ms CPU period, a successful
// lookup.
func NewInfo(id, fullID string, typ Type) *Info {
	return &Info{
		ID: ShortID(id), FullID: fullID, Type: typ,
		CPUShares: 1024, CPUPeriod: 100000, LookupState: LookupSuccessful,
	}
}

// Clone returns a deep copy of i.
func (i *Info) Clone() *Info {
	c := *i
	c.Labels = cloneMap(i.Labels)
	c.PodLabels = cloneMap(i.PodLabels)
	c.Mounts = append([]Mount(nil), i.Mounts...)
	c.PortMappings = append([]PortMapping(nil), i.PortMappings...)
	c.Env = append([]string(nil), i.Env...)
	c.HealthProbes = nil
	for _, p := range i.HealthProbes {
		p.Args = append([]string(nil), p.Args...)
		c.HealthProbes = append(c.HealthProbes, p)
	}
	return &c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// JSON is the parameter of the container event that sysdig 0.29.3 writes
// for the container (PPME_CONTAINER_JSON_2_E), byte for byte: libsinsp's
// container_to_json through jsoncpp's FastWriter, keys sorted, strings
// escaped as jsoncpp escapes them, ending in a newline. The event adds a
// NUL after it.
func (i *Info) JSON() []byte {
	w := jsonWriter{b: make([]byte, 0, 640)}
	w.raw(`{"container":{`)
	// Keys in jsoncpp's order: byte order, so upper case first.
	first := true
	key := func(k string) {
		if !first {
			w.raw(",")
		}
		first = false
		w.str(k)
		w.raw(":")
	}
	probes := map[string]HealthProbe{}
	for _, p := range i.HealthProbes {
		if n, ok := probeNames[p.Type]; ok {
			probes[n] = p
		}
	}
	probe := func(name string) {
		p, ok := probes[name]
		if !ok {
			return
		}
		key(name)
		w.raw(`{"args":`)
		if len(p.Args) == 0 {
			w.raw("null")
		} else {
			w.raw("[")
			for j, a := range p.Args {
				if j > 0 {
					w.raw(",")
				}
				w.str(a)
			}
			w.raw("]")
		}
		w.raw(`,"exe":`)
		w.str(p.Exe)
		w.raw("}")
	}
	probe("Healthcheck")
	probe("LivenessProbe")

	key("Mounts")
	w.raw("[")
	for j, m := range i.Mounts {
		if j > 0 {
			w.raw(",")
		}
		w.raw(`{"Destination":`)
		w.str(m.Destination)
		w.raw(`,"Mode":`)
		w.str(m.Mode)
		w.raw(`,"Propagation":`)
		w.str(m.Propagation)
		w.raw(`,"RW":`)
		w.bool(m.RW)
		w.raw(`,"Source":`)
		w.str(m.Source)
		w.raw("}")
	}
	w.raw("]")

	probe("ReadinessProbe")

	key("cpu_period")
	w.int(i.CPUPeriod)
	key("cpu_quota")
	w.int(i.CPUQuota)
	key("cpu_shares")
	w.int(i.CPUShares)
	key("cpuset_cpu_count")
	w.int(int64(i.CPUSetCPUCount))
	key("created_time")
	w.int(i.CreatedTime)
	key("env")
	w.raw("[")
	n := 0
	for _, e := range i.Env {
		if strings.Contains(e, "MESOS") || strings.Contains(e, "MARATHON") || strings.Contains(e, "mesos") {
			if n > 0 {
				w.raw(",")
			}
			n++
			w.str(e)
		}
	}
	w.raw("]")
	key("full_id")
	w.str(i.FullID)
	key("id")
	w.str(i.ID)
	key("image")
	w.str(i.Image)
	key("imagedigest")
	w.str(i.ImageDigest)
	key("imageid")
	w.str(i.ImageID)
	key("imagerepo")
	w.str(i.ImageRepo)
	key("imagetag")
	w.str(i.ImageTag)
	key("ip")
	w.str(ipv4String(i.IP))
	key("is_pod_sandbox")
	w.bool(i.IsPodSandbox)
	key("labels")
	if len(i.Labels) == 0 {
		w.raw("null")
	} else {
		keys := make([]string, 0, len(i.Labels))
		for k := range i.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.raw("{")
		for j, k := range keys {
			if j > 0 {
				w.raw(",")
			}
			w.str(k)
			w.raw(":")
			w.str(i.Labels[k])
		}
		w.raw("}")
	}
	key("lookup_state")
	w.int(int64(i.LookupState))
	key("memory_limit")
	w.int(i.MemoryLimit)
	if i.MesosTaskID != "" {
		key("mesos_task_id")
		w.str(i.MesosTaskID)
	}
	key("metadata_deadline")
	w.b = strconv.AppendUint(w.b, i.MetadataDeadline, 10)
	key("name")
	w.str(i.Name)
	key("port_mappings")
	w.raw("[")
	for j, p := range i.PortMappings {
		if j > 0 {
			w.raw(",")
		}
		w.raw(`{"ContainerPort":`)
		w.int(int64(p.ContainerPort))
		w.raw(`,"HostIp":`)
		w.int(int64(p.HostIP))
		w.raw(`,"HostPort":`)
		w.int(int64(p.HostPort))
		w.raw("}")
	}
	w.raw("]")
	key("privileged")
	w.bool(i.Privileged)
	key("swap_limit")
	w.int(i.SwapLimit)
	key("type")
	w.int(int64(i.Type))
	w.raw("}}\n")
	return w.b
}

// ipv4String is the address as inet_ntop writes the IPv4 address sysdig
// keeps: "0.0.0.0" when there is none or it is not IPv4.
func ipv4String(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Unmap().Is4() {
		return "0.0.0.0"
	}
	return a.Unmap().String()
}

// EventCode is the event type of the container events Info.AppendEvent
// makes: PPME_CONTAINER_JSON_2_E.
const EventCode = 324

// AppendEvent appends the container event sysdig writes for the container
// to dst: a PPME_CONTAINER_JSON_2_E event of thread -1 with ts as its
// timestamp, in the 26-byte-header form of scap event blocks, its one
// parameter (the JSON with a NUL) sized by a 4-byte length.
func (i *Info) AppendEvent(dst []byte, ts uint64) []byte {
	js := i.JSON()
	n := 26 + 4 + len(js) + 1
	dst = binary.LittleEndian.AppendUint64(dst, ts)
	dst = binary.LittleEndian.AppendUint64(dst, ^uint64(0)) // tid -1
	dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	dst = binary.LittleEndian.AppendUint16(dst, EventCode)
	dst = binary.LittleEndian.AppendUint32(dst, 1)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(js)+1))
	dst = append(dst, js...)
	return append(dst, 0)
}

// jsonWriter writes JSON as jsoncpp 1.9's FastWriter does.
type jsonWriter struct{ b []byte }

func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }

func (w *jsonWriter) int(v int64) { w.b = strconv.AppendInt(w.b, v, 10) }

func (w *jsonWriter) bool(v bool) { w.b = strconv.AppendBool(w.b, v) }

// str writes a string as jsoncpp's valueToQuotedStringN without
// emitUTF8: the JSON escapes for '"', '\\' and \b \f \n \r \t, \u00XX
// for the other control characters, and \uXXXX (surrogate pairs above
// the BMP) for every character past ASCII, decoded as jsoncpp decodes
// UTF-8: leniently, anything it cannot decode becoming U+FFFD.
func (w *jsonWriter) str(s string) {
	w.b = append(w.b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			w.raw(`\"`)
		case '\\':
			w.raw(`\\`)
		case '\b':
			w.raw(`\b`)
		case '\f':
			w.raw(`\f`)
		case '\n':
			w.raw(`\n`)
		case '\r':
			w.raw(`\r`)
		case '\t':
			w.raw(`\t`)
		default:
			if c < 0x20 {
				w.hex(uint32(c))
				continue
			}
			if c < 0x80 {
				w.b = append(w.b, c)
				continue
			}
			cp, n := jsoncppDecode(s[i:])
			i += n - 1
			if cp < 0x10000 {
				w.hex(cp)
			} else {
				cp -= 0x10000
				w.hex(0xd800 + (cp>>10)&0x3ff)
				w.hex(0xdc00 + cp&0x3ff)
			}
		}
	}
	w.b = append(w.b, '"')
}

func (w *jsonWriter) hex(v uint32) {
	const digits = "0123456789abcdef"
	w.b = append(w.b, '\\', 'u', digits[v>>12&0xf], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
}

// jsoncppDecode is jsoncpp 1.9's utf8ToCodepoint: it reads a sequence by
// its first byte alone, without checking the bytes after it, and gives
// U+FFFD for a sequence cut short, an overlong one, a surrogate or a bad
// first byte. n is how many bytes it used.
func jsoncppDecode(s string) (cp uint32, n int) {
	const bad = utf8.RuneError
	b0 := uint32(s[0])
	switch {
	case b0 < 0x80:
		return b0, 1
	case b0 < 0xE0:
		if len(s) < 2 {
			return bad, 1
		}
		cp = (b0&0x1F)<<6 | uint32(s[1])&0x3F
		if cp < 0x80 {
			return bad, 2
		}
		return cp, 2
	case b0 < 0xF0:
		if len(s) < 3 {
			return bad, 1
		}
		cp = (b0&0x0F)<<12 | (uint32(s[1])&0x3F)<<6 | uint32(s[2])&0x3F
		if cp >= 0xD800 && cp <= 0xDFFF || cp < 0x800 {
			return bad, 3
		}
		return cp, 3
	case b0 < 0xF8:
		if len(s) < 4 {
			return bad, 1
		}
		cp = (b0&0x07)<<18 | (uint32(s[1])&0x3F)<<12 | (uint32(s[2])&0x3F)<<6 | uint32(s[3])&0x3F
		if cp < 0x10000 {
			return bad, 4
		}
		return cp, 4
	}
	return bad, 1
}

// splitImage splits an image reference as libsinsp's
// sinsp_utils::split_container_image does without split_repo: the
// repository keeps its registry ("localhost/redis-test"), the tag and the
// digest follow ':' and '@'.
func splitImage(image string) (repo, tag, digest string) {
	rem := image
	prefix := ""
	if hostport, r, ok := strings.Cut(image, "/"); ok {
		prefix = hostport + "/"
		rem = r
	}
	if r2, d, ok := strings.Cut(rem, "@"); ok {
		digest = d
		rem = r2
	}
	name, t, ok := strings.Cut(rem, ":")
	if ok {
		tag = t
	}
	return prefix + name, tag, digest
}
