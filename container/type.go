package container

import "strconv"

// Type is the kind of a container, with the values of libsinsp's
// sinsp_container_type enum (libs e5c53d64, which sysdig 0.29.3 is built
// on): they are what the "type" key of a container event carries, so a
// trace file means the same to sysdig and to syscope.
type Type int

// Container types. TypeHost is syscope's own value for a process outside
// any container; it never appears in a container event.
const (
	TypeHost       Type = -1
	TypeDocker     Type = 0
	TypeLXC        Type = 1
	TypeLibvirtLXC Type = 2
	TypeMesos      Type = 3
	TypeRkt        Type = 4
	// TypeCustom is libsinsp's type for containers it has no engine for.
	// syscope gives it to systemd-nspawn machines, which sysdig does not
	// know.
	TypeCustom Type = 5
	// TypeCRI is a container of a Kubernetes runtime not yet known: the
	// cgroup of a kubelet pod in the cgroupfs layout does not tell
	// containerd from CRI-O. A lookup replaces it with TypeContainerd or
	// TypeCRIO when the runtime answers.
	TypeCRI        Type = 6
	TypeContainerd Type = 7
	TypeCRIO       Type = 8
	TypeBPM        Type = 9
	TypeStatic     Type = 10
	TypePodman     Type = 11
)

var typeNames = [...]string{
	TypeDocker:     "docker",
	TypeLXC:        "lxc",
	TypeLibvirtLXC: "libvirt-lxc",
	TypeMesos:      "mesos",
	TypeRkt:        "rkt",
	TypeCustom:     "custom",
	TypeCRI:        "cri",
	TypeContainerd: "containerd",
	TypeCRIO:       "cri-o",
	TypeBPM:        "bpm",
	TypeStatic:     "static",
	TypePodman:     "podman",
}

// String is the name container.type shows: "docker", "cri-o", "host"...
func (t Type) String() string {
	if t == TypeHost {
		return "host"
	}
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// LookupState tells how far the metadata lookup of a container went, with
// the values of libsinsp's sinsp_container_lookup_state.
type LookupState int

// Lookup states.
const (
	LookupStarted    LookupState = 0
	LookupSuccessful LookupState = 1
	LookupFailed     LookupState = 2
)
