package container

import "strings"

// HostID is what container.id shows for a process outside any container.
const HostID = "host"

// Match is what a thread's cgroups tell about its container.
type Match struct {
	// ID is sysdig's container.id: the first 12 characters of a 64-digit
	// hex id, or the whole name for runtimes that name their containers
	// (LXC, systemd-nspawn, containerd's own containers). HostID for a
	// process outside containers.
	ID string
	// FullID is the id as the runtime knows it: the 64 hex digits, or the
	// name. Empty for the host.
	FullID string
	Type   Type
	// PodUID is the Kubernetes pod's uid when the cgroup path has it (the
	// kubelet's layouts), with its dashes.
	PodUID string
	// Cgroup is the path that matched.
	Cgroup string
}

// IsHost reports whether m is a process outside containers.
func (m Match) IsHost() bool { return m.Type == TypeHost }

var host = Match{ID: HostID, Type: TypeHost}

// FromCgroups finds the container of a thread from its cgroups, as the
// state engine keeps them ("subsys=path", the form of sysdig's process
// tables and clone/execve events); lines of /proc/PID/cgroup
// ("N:subsys:path") and bare paths are taken too. It gives the container
// id as container.id shows it (12 characters for a hex id), its type, and
// the pod uid for Kubernetes pods. A process outside containers gives
// HostID and TypeHost.
func FromCgroups(cgroups []string) (id string, typ Type, podUID string) {
	m := Parse(cgroups)
	return m.ID, m.Type, m.PodUID
}

// IDFromCgroups is the container id as sysdig stores it in a thread: the
// short id, or "" for a process outside containers.
func IDFromCgroups(cgroups []string) string {
	m := Parse(cgroups)
	if m.IsHost() {
		return ""
	}
	return m.ID
}

// Parse is FromCgroups with the full id and the matching path. The first
// entry that names a container wins; within a path the deepest container
// wins, so a container nested in another (docker in docker, LXC running
// docker) is the inner one.
func Parse(cgroups []string) Match {
	for _, cg := range cgroups {
		if m, ok := ParsePath(cgroupPath(cg)); ok {
			return m
		}
	}
	return host
}

// cgroupPath takes the path out of "subsys=path", "N:subsys:path" or a
// bare path. A controller list may itself hold '=' ("name=systemd").
func cgroupPath(cg string) string {
	if strings.HasPrefix(cg, "/") {
		return cg
	}
	// /proc/PID/cgroup: hierarchy-ID:controller-list:path
	n := 0
	for n < len(cg) && cg[n] >= '0' && cg[n] <= '9' {
		n++
	}
	if n > 0 && n < len(cg) && cg[n] == ':' {
		if j := strings.IndexByte(cg[n+1:], ':'); j >= 0 {
			return cg[n+1+j+1:]
		}
	}
	if i := strings.Index(cg, "=/"); i >= 0 {
		return cg[i+1:]
	}
	if i := strings.LastIndexByte(cg, '='); i >= 0 {
		return cg[i+1:]
	}
	return cg
}

// ParsePath finds the container of one cgroup path. ok is false for a
// path outside containers.
//
// The shapes, as the runtimes make them (cgroup v1 and v2 alike: the
// paths are the same):
//
//	/docker/<id>                                docker, cgroupfs driver
//	/system.slice/docker-<id>.scope             docker, systemd driver
//	/libpod_parent/libpod-<id>                  podman, cgroupfs manager
//	/machine.slice/libpod-<id>.scope[/container] podman, systemd manager
//	/<namespace>/<id>                           containerd (ctr; CRI without kubelet)
//	/system.slice/nerdctl-<id>.scope            containerd via nerdctl
//	.../cri-containerd-<id>.scope               containerd, systemd driver
//	.../crio-<id>[.scope]                       CRI-O
//	/kubepods/burstable/pod<uid>/<id>           kubelet, cgroupfs driver
//	/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid>.slice/<runtime>-<id>.scope
//	                                            kubelet, systemd driver
//	/kubepods-pod<uid>.slice:cri-containerd:<id> containerd told a systemd path, running cgroupfs
//	/machine.slice/machine-<name>.scope         systemd-nspawn
//	/lxc/<name>, /lxc.payload/<name>, /lxc.payload.<name>  LXC and LXD
//	/machine.slice/machine-lxc\x2d<pid>\x2d<name>.scope, /<name>.libvirt-lxc, /libvirt/lxc/<name>  libvirt LXC
//	/mesos/<uuid>                               Mesos
//	bpm-<id>.scope                              Cloud Foundry BPM
//
// Monitors that run beside a container are not in it: podman's and
// CRI-O's conmon (libpod-conmon-<id>, crio-conmon-<id>), LXC's monitor
// (lxc.monitor.<name>) and systemd-nspawn's supervisor.
func ParsePath(path string) (m Match, ok bool) {
	comps := splitPath(path)
	for i := len(comps) - 1; i >= 0; i-- {
		m, verdict := matchComponent(comps, i)
		switch verdict {
		case isContainer:
			m.Cgroup = path
			if m.PodUID == "" {
				m.PodUID = podUIDAbove(comps, i)
			}
			return m, true
		case isMonitor:
			return host, false
		}
	}
	return host, false
}

func splitPath(path string) []string {
	var comps []string
	for _, c := range strings.Split(path, "/") {
		if c != "" {
			comps = append(comps, c)
		}
	}
	return comps
}

type verdict int

const (
	notHere verdict = iota
	isContainer
	isMonitor
)

// scopePrefixes are the "<prefix><64 hex>[.scope]" shapes and the
// runtime each belongs to. Monitors come first: "crio-conmon-" starts
// with "crio-".
var scopePrefixes = []struct {
	prefix string
	typ    Type
	// scopeOnly is set where the runtime always adds ".scope".
	scopeOnly bool
}{
	{"libpod-conmon-", TypeHost, false},
	{"crio-conmon-", TypeHost, false},
	{"docker-", TypeDocker, true},
	{"libpod-", TypePodman, false},
	{"cri-containerd-", TypeContainerd, false},
	{"crio-", TypeCRIO, false},
	{"nerdctl-", TypeContainerd, true},
}

// containerdNamespaces are the containerd namespaces whose containers get
// the cgroup /<namespace>/<id> when nothing else sets it: "default" (ctr,
// nerdctl) and "k8s.io" (the CRI plugin).
var containerdNamespaces = map[string]bool{"default": true, "k8s.io": true}

func matchComponent(comps []string, i int) (Match, verdict) {
	c := comps[i]
	parent := ""
	if i > 0 {
		parent = comps[i-1]
	}
	last := i == len(comps)-1

	// <prefix><id>[.scope]
	base := strings.TrimSuffix(c, ".scope")
	scoped := len(base) != len(c)
	for _, p := range scopePrefixes {
		if !strings.HasPrefix(base, p.prefix) || (p.scopeOnly && !scoped) {
			continue
		}
		id := base[len(p.prefix):]
		if !isHexID(id) {
			continue
		}
		if p.typ == TypeHost {
			return Match{}, isMonitor
		}
		return hexMatch(id, p.typ), isContainer
	}

	// <slice>:<prefix>:<id>: a systemd-style cgroupsPath that runc, on
	// the cgroupfs driver, took as a plain name.
	if j := strings.LastIndexByte(c, ':'); j > 0 && isHexID(c[j+1:]) {
		if k := strings.LastIndexByte(c[:j], ':'); k >= 0 {
			var m Match
			switch c[k+1 : j] {
			case "cri-containerd":
				m = hexMatch(c[j+1:], TypeContainerd)
			case "crio":
				m = hexMatch(c[j+1:], TypeCRIO)
			case "docker":
				m = hexMatch(c[j+1:], TypeDocker)
			default:
				return Match{}, notHere
			}
			m.PodUID = podUIDOf(c[:k])
			return m, isContainer
		}
	}

	if isHexID(c) {
		switch {
		case parent == "docker":
			return hexMatch(c, TypeDocker), isContainer
		case podUIDOf(parent) != "":
			// The kubelet's cgroupfs layout does not tell the runtime.
			return hexMatch(c, TypeCRI), isContainer
		case i == 1 && containerdNamespaces[parent]:
			return hexMatch(c, TypeContainerd), isContainer
		case last:
			// A 64-digit id at the end of any path: docker with its own
			// --cgroup-parent, as libsinsp takes it.
			return hexMatch(c, TypeDocker), isContainer
		}
	}

	// containerd's own containers, named by their user: /default/t1.
	if i == 1 && containerdNamespaces[parent] && isContainerdID(c) {
		return Match{ID: c, FullID: c, Type: TypeContainerd}, isContainer
	}

	// libvirt LXC, before plain LXC: /libvirt/lxc/<name> ends in /lxc/<name>.
	if n, ok := strings.CutSuffix(c, ".libvirt-lxc"); ok && n != "" {
		return named(n, TypeLibvirtLXC), isContainer
	}
	if strings.HasPrefix(c, `machine-lxc\x2d`) && scoped && len(base) > len(`machine-lxc\x2d`) {
		return named(base[len(`machine-lxc\x2d`):], TypeLibvirtLXC), isContainer
	}
	if parent == "lxc" && i >= 2 && comps[i-2] == "libvirt" {
		return named(c, TypeLibvirtLXC), isContainer
	}

	// LXC and LXD.
	if n, ok := strings.CutPrefix(c, "lxc.payload."); ok && n != "" {
		return named(n, TypeLXC), isContainer
	}
	if strings.HasPrefix(c, "lxc.monitor.") || parent == "lxc.monitor" {
		return Match{}, isMonitor
	}
	if parent == "lxc" || parent == "lxc.payload" {
		return named(c, TypeLXC), isContainer
	}

	// systemd-nspawn: machine-<name>.scope, the name escaped by systemd.
	// Its supervisor runs beside the payload in the same scope.
	if n, ok := strings.CutPrefix(base, "machine-"); ok && scoped && n != "" {
		if strings.HasPrefix(n, `qemu\x2d`) {
			return Match{}, notHere // a libvirt VM: qemu is a host process
		}
		if !last && comps[i+1] == "supervisor" {
			return Match{}, isMonitor
		}
		return named(unescapeSystemd(n), TypeCustom), isContainer
	}

	// Mesos.
	if parent == "mesos" && isUUID(c) {
		return named(c, TypeMesos), isContainer
	}

	// Cloud Foundry BPM: bpm-<job>.scope, or bpm-<job> without systemd.
	if n, ok := strings.CutPrefix(base, "bpm-"); ok && n != "" && isBPMID(n) {
		return named(n, TypeBPM), isContainer
	}
	return Match{}, notHere
}

func hexMatch(id string, typ Type) Match {
	return Match{ID: id[:12], FullID: id, Type: typ}
}

func named(name string, typ Type) Match {
	return Match{ID: name, FullID: name, Type: typ}
}

// isHexID reports whether s is a 64-digit hex container id.
func isHexID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// ShortID is the id container.id shows for a full id: the first 12
// characters of a 64-digit hex id, any other id unchanged.
func ShortID(id string) string {
	if isHexID(id) {
		return id[:12]
	}
	return id
}

// isContainerdID follows containerd's identifier rule: alphanumerics,
// with single '.', '_' or '-' between them, at most 76 characters.
func isContainerdID(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	prevSep := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			prevSep = false
		case c == '.' || c == '_' || c == '-':
			if prevSep {
				return false
			}
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func isBPMID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// podUIDOf gives the pod uid a kubelet cgroup component names: pod<uid>
// (cgroupfs driver) or kubepods[-<qos>]-pod<uid>.slice (systemd driver,
// where the uid's dashes became underscores), or "".
func podUIDOf(c string) string {
	var uid string
	switch {
	case strings.HasPrefix(c, "pod"):
		uid = c[3:]
	case strings.HasSuffix(c, ".slice") && strings.Contains(c, "kubepods"):
		j := strings.LastIndex(c, "-pod")
		if j < 0 {
			return ""
		}
		uid = strings.ReplaceAll(c[j+4:len(c)-len(".slice")], "_", "-")
	default:
		return ""
	}
	// A uid is a UUID, or 32 hex digits for a static pod.
	if len(uid) < 32 || len(uid) > 36 {
		return ""
	}
	for i := 0; i < len(uid); i++ {
		if !isHexDigit(uid[i]) && uid[i] != '-' {
			return ""
		}
	}
	return strings.ToLower(uid)
}

// podUIDAbove finds the pod of the container at comps[i] among its
// ancestors, under a kubepods cgroup.
func podUIDAbove(comps []string, i int) string {
	for j := i - 1; j >= 0; j-- {
		if uid := podUIDOf(comps[j]); uid != "" {
			for k := j - 1; k >= 0; k-- {
				if strings.Contains(comps[k], "kubepods") {
					return uid
				}
			}
			if strings.Contains(comps[j], "kubepods") {
				return uid
			}
			return ""
		}
	}
	return ""
}

// unescapeSystemd undoes systemd's unit name escaping of \xNN.
func unescapeSystemd(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' && isHexDigit(s[i+2]) && isHexDigit(s[i+3]) {
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
