package container

import (
	"strings"
	"testing"
)

const (
	hexA = "3f2bc9a8f4d1e0b7c6a5948372615f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4"
	hexB = "b7c6a5948372615f4e3d2c1b0a9f8e7d6c5b4a39281706f5e43f2bc9a8f4d1e0"
	uid  = "6f1e3c2d-8a7b-4c5d-9e0f-1a2b3c4d5e6f"
	uidU = "6f1e3c2d_8a7b_4c5d_9e0f_1a2b3c4d5e6f" // as the systemd driver writes it
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		id     string // "" means the host
		full   string
		typ    Type
		podUID string
	}{
		// Docker.
		{"docker cgroupfs v1", "/docker/" + hexA, hexA[:12], hexA, TypeDocker, ""},
		{"docker systemd", "/system.slice/docker-" + hexA + ".scope", hexA[:12], hexA, TypeDocker, ""},
		{"docker systemd, systemd inside", "/system.slice/docker-" + hexA + ".scope/init.scope", hexA[:12], hexA, TypeDocker, ""},
		{"docker cgroupns sub-cgroup", "/docker/" + hexA + "/system.slice/cron.service", hexA[:12], hexA, TypeDocker, ""},
		{"docker in docker", "/docker/" + hexA + "/docker/" + hexB, hexB[:12], hexB, TypeDocker, ""},
		{"docker rootless", "/user.slice/user-1000.slice/user@1000.service/docker.service/docker/" + hexA, hexA[:12], hexA, TypeDocker, ""},
		{"docker custom cgroup-parent", "/my-services/" + hexA, hexA[:12], hexA, TypeDocker, ""},
		{"ecs task", "/ecs/5a0d5ceddf6c44a1928d367a3aec6a1d/" + hexA, hexA[:12], hexA, TypeDocker, ""},

		// Podman.
		{"podman cgroupfs (this testbed)", "/libpod_parent/libpod-" + hexA, hexA[:12], hexA, TypePodman, ""},
		{"podman systemd root", "/machine.slice/libpod-" + hexA + ".scope", hexA[:12], hexA, TypePodman, ""},
		{"podman systemd v2 container subgroup", "/machine.slice/libpod-" + hexA + ".scope/container", hexA[:12], hexA, TypePodman, ""},
		{"podman rootless", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + hexA + ".scope", hexA[:12], hexA, TypePodman, ""},
		{"podman pod, systemd", "/machine.slice/machine-libpod_pod_" + hexB + ".slice/libpod-" + hexA + ".scope", hexA[:12], hexA, TypePodman, ""},
		{"podman pod, cgroupfs", "/libpod_parent/" + hexB + "/libpod-" + hexA, hexA[:12], hexA, TypePodman, ""},
		{"podman conmon systemd", "/machine.slice/libpod-conmon-" + hexA + ".scope", "", "", TypeHost, ""},
		{"podman conmon cgroupfs", "/libpod_parent/conmon", "", "", TypeHost, ""},
		{"podman pod conmon", "/machine.slice/machine-libpod_pod_" + hexB + ".slice/libpod-conmon-" + hexA + ".scope", "", "", TypeHost, ""},

		// containerd.
		{"ctr run", "/default/t1", "t1", "t1", TypeContainerd, ""},
		{"ctr run, dotted name", "/default/web.v1-2", "web.v1-2", "web.v1-2", TypeContainerd, ""},
		{"ctr run, hex id", "/default/" + hexA, hexA[:12], hexA, TypeContainerd, ""},
		{"CRI without kubelet (this testbed)", "/k8s.io/" + hexA, hexA[:12], hexA, TypeContainerd, ""},
		{"nerdctl systemd", "/system.slice/nerdctl-" + hexA + ".scope", hexA[:12], hexA, TypeContainerd, ""},
		{"containerd systemd driver", "/system.slice/cri-containerd-" + hexA + ".scope", hexA[:12], hexA, TypeContainerd, ""},

		// CRI-O.
		{"crio systemd", "/machine.slice/crio-" + hexA + ".scope", hexA[:12], hexA, TypeCRIO, ""},
		{"crio cgroupfs", "/crio-" + hexA, hexA[:12], hexA, TypeCRIO, ""},
		{"crio conmon", "/machine.slice/crio-conmon-" + hexA + ".scope", "", "", TypeHost, ""},

		// Kubernetes, cgroupfs driver.
		{"k8s cgroupfs guaranteed", "/kubepods/pod" + uid + "/" + hexA, hexA[:12], hexA, TypeCRI, uid},
		{"k8s cgroupfs burstable", "/kubepods/burstable/pod" + uid + "/" + hexA, hexA[:12], hexA, TypeCRI, uid},
		{"k8s cgroupfs besteffort", "/kubepods/besteffort/pod" + uid + "/" + hexA, hexA[:12], hexA, TypeCRI, uid},
		{"k8s cgroupfs static pod uid", "/kubepods/burstable/pod0d3b1f9a8c7e6d5c4b3a291807f6e5d4/" + hexA, hexA[:12], hexA, TypeCRI, "0d3b1f9a8c7e6d5c4b3a291807f6e5d4"},
		{"kind node", "/kubelet/kubepods/besteffort/pod" + uid + "/" + hexA, hexA[:12], hexA, TypeCRI, uid},
		{"k8s cgroupfs crio", "/kubepods/burstable/pod" + uid + "/crio-" + hexA, hexA[:12], hexA, TypeCRIO, uid},
		{"k8s cgroupfs crio conmon", "/kubepods/burstable/pod" + uid + "/crio-conmon-" + hexA, "", "", TypeHost, ""},
		{"k8s pod cgroup itself", "/kubepods/burstable/pod" + uid, "", "", TypeHost, ""},
		{"k8s qos cgroup", "/kubepods/burstable", "", "", TypeHost, ""},

		// Kubernetes, systemd driver.
		{"k8s systemd containerd guaranteed", "/kubepods.slice/kubepods-pod" + uidU + ".slice/cri-containerd-" + hexA + ".scope", hexA[:12], hexA, TypeContainerd, uid},
		{"k8s systemd containerd burstable", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice/cri-containerd-" + hexA + ".scope", hexA[:12], hexA, TypeContainerd, uid},
		{"k8s systemd crio besteffort", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidU + ".slice/crio-" + hexA + ".scope", hexA[:12], hexA, TypeCRIO, uid},
		{"k8s systemd docker (cri-dockerd)", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice/docker-" + hexA + ".scope", hexA[:12], hexA, TypeDocker, uid},
		{"kind systemd", "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" + uidU + ".slice/cri-containerd-" + hexA + ".scope", hexA[:12], hexA, TypeContainerd, uid},
		{"containerd systemd path on cgroupfs", "/kubepods-besteffort-pod" + uidU + ".slice:cri-containerd:" + hexA, hexA[:12], hexA, TypeContainerd, uid},
		{"crio systemd path on cgroupfs", "/kubepods-burstable-pod" + uidU + ".slice:crio:" + hexA, hexA[:12], hexA, TypeCRIO, uid},
		{"k8s systemd pod slice itself", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice", "", "", TypeHost, ""},

		// systemd-nspawn.
		{"nspawn v1", "/machine.slice/machine-debian.scope", "debian", "debian", TypeCustom, ""},
		{"nspawn escaped name", `/machine.slice/machine-my\x2dbox.scope`, "my-box", "my-box", TypeCustom, ""},
		{"nspawn booted, payload", "/machine.slice/machine-debian.scope/payload/system.slice/cron.service", "debian", "debian", TypeCustom, ""},
		{"nspawn booted, init", "/machine.slice/machine-debian.scope/init.scope", "debian", "debian", TypeCustom, ""},
		{"nspawn supervisor", "/machine.slice/machine-debian.scope/supervisor", "", "", TypeHost, ""},
		{"libvirt qemu vm", `/machine.slice/machine-qemu\x2d1\x2dvm1.scope/libvirt/emulator`, "", "", TypeHost, ""},

		// LXC and LXD.
		{"lxc v1", "/lxc/web", "web", "web", TypeLXC, ""},
		{"lxc v1 nested cgroup", "/lxc/web/init.scope", "web", "web", TypeLXC, ""},
		{"lxc 3 payload dir", "/lxc.payload/web", "web", "web", TypeLXC, ""},
		{"lxc 4 payload", "/lxc.payload.web", "web", "web", TypeLXC, ""},
		{"lxd systemd inside", "/lxc.payload.web/system.slice/nginx.service", "web", "web", TypeLXC, ""},
		{"lxd docker inside", "/lxc.payload.web/system.slice/docker-" + hexA + ".scope", hexA[:12], hexA, TypeDocker, ""},
		{"lxc monitor", "/lxc.monitor.web", "", "", TypeHost, ""},
		{"lxc 3 monitor", "/lxc.monitor/web", "", "", TypeHost, ""},

		// libvirt LXC.
		{"libvirt-lxc cgroupfs", "/machine/web.libvirt-lxc", "web", "web", TypeLibvirtLXC, ""},
		{"libvirt-lxc systemd", `/machine.slice/machine-lxc\x2d4242\x2dweb.scope`, `4242\x2dweb`, `4242\x2dweb`, TypeLibvirtLXC, ""},
		{"libvirt-lxc legacy", "/libvirt/lxc/web", "web", "web", TypeLibvirtLXC, ""},

		// Mesos and BPM.
		{"mesos", "/mesos/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", TypeMesos, ""},
		{"bpm", "/system.slice/bpm-redis.scope", "redis", "redis", TypeBPM, ""},

		// The host.
		{"root", "/", "", "", TypeHost, ""},
		{"empty", "", "", "", TypeHost, ""},
		{"systemd service", "/system.slice/sshd.service", "", "", TypeHost, ""},
		{"user session", "/user.slice/user-0.slice/session-3.scope", "", "", TypeHost, ""},
		{"this sandbox's memory cgroup", "/process_api/3e6f50115c3867ec0390d81ca739c81c", "", "", TypeHost, ""},
		{"short hex under docker", "/docker/3f2bc9a8f4d1", "", "", TypeHost, ""},
		{"63 hex", "/docker/" + hexA[:63], "", "", TypeHost, ""},
		{"65 hex", "/docker/" + hexA + "0", "", "", TypeHost, ""},
		{"hex id not last, unknown parent", "/foo/" + hexA + "/bar", "", "", TypeHost, ""},
		{"unknown namespace, named", "/buildkit/t1", "", "", TypeHost, ""},
		{"namespace too deep", "/x/default/t1", "", "", TypeHost, ""},
		{"podman upper hex", "/libpod_parent/libpod-" + strings.ToUpper(hexA), strings.ToUpper(hexA)[:12], strings.ToUpper(hexA), TypePodman, ""},
		{"podman not hex", "/libpod_parent/libpod-" + hexA[:60] + "zzzz", "", "", TypeHost, ""},
		{"docker scope without .scope", "/system.slice/docker-" + hexA, "", "", TypeHost, ""}, // as libsinsp: docker-<id> needs .scope
		{"docker.service", "/system.slice/docker.service", "", "", TypeHost, ""},
		{"containerd.service", "/system.slice/containerd.service", "", "", TypeHost, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := ParsePath(tt.path)
			wantOK := tt.typ != TypeHost
			if ok != wantOK {
				t.Fatalf("ParsePath(%q) ok = %v, want %v (got %+v)", tt.path, ok, wantOK, m)
			}
			wantID := tt.id
			if !wantOK {
				wantID = HostID
			}
			if m.ID != wantID || m.FullID != tt.full || m.Type != tt.typ || m.PodUID != tt.podUID {
				t.Errorf("ParsePath(%q) = {ID:%q FullID:%q Type:%v PodUID:%q}, want {%q %q %v %q}",
					tt.path, m.ID, m.FullID, m.Type, m.PodUID, wantID, tt.full, tt.typ, tt.podUID)
			}
			if ok && m.Cgroup != tt.path {
				t.Errorf("Cgroup = %q, want %q", m.Cgroup, tt.path)
			}

			// The same path in every form a thread's cgroups come in.
			forms := [][]string{
				{"cpuset=/", "cpu=" + tt.path, "memory=" + tt.path}, // sysdig's process table, v1
				{"=" + tt.path},   // v2 in the same form
				{"0::" + tt.path}, // /proc/PID/cgroup, v2
				{"12:pids:" + tt.path, "11:name=systemd:" + tt.path}, // /proc/PID/cgroup, v1
				{"9:name=systemd:" + tt.path, "0::" + tt.path},       // this testbed's hybrid hierarchy
				{"name=systemd=" + tt.path},                          // a named hierarchy, sysdig's form
			}
			if strings.HasPrefix(tt.path, "/") {
				forms = append(forms, []string{tt.path})
			}
			for _, cgs := range forms {
				id, typ, pod := FromCgroups(cgs)
				if id != wantID || typ != tt.typ || pod != tt.podUID {
					t.Errorf("FromCgroups(%q) = %q, %v, %q; want %q, %v, %q", cgs, id, typ, pod, wantID, tt.typ, tt.podUID)
				}
				want := tt.id
				if got := IDFromCgroups(cgs); got != want {
					t.Errorf("IDFromCgroups(%q) = %q, want %q", cgs, got, want)
				}
			}
		})
	}
}

// The cgroups of a real process of this testbed's podman container, as
// /proc/PID/cgroup shows them on its hybrid v1+v2 hierarchy, and of its
// conmon.
func TestFromCgroupsHybrid(t *testing.T) {
	p := "/libpod_parent/libpod-" + hexA
	ctr := []string{"9:name=systemd:" + p, "8:pids:" + p, "7:blkio:" + p, "6:freezer:" + p, "5:devices:" + p,
		"4:memory:" + p, "3:cpuset:" + p, "2:cpuacct:" + p, "1:cpu:" + p, "0::" + p}
	if id, typ, _ := FromCgroups(ctr); id != hexA[:12] || typ != TypePodman {
		t.Errorf("container: %q %v", id, typ)
	}
	conmon := []string{"9:name=systemd:/", "8:pids:/libpod_parent/conmon", "4:memory:/libpod_parent/conmon", "0::/libpod_parent/conmon"}
	if id, typ, _ := FromCgroups(conmon); id != HostID || typ != TypeHost {
		t.Errorf("conmon: %q %v", id, typ)
	}
	// A process of the host whose memory cgroup is a long hex-named one.
	self := []string{"9:name=systemd:/", "4:memory:/process_api/3e6f50115c3867ec0390d81ca739c81c", "0::/"}
	if id, typ, _ := FromCgroups(self); id != HostID || typ != TypeHost {
		t.Errorf("host: %q %v", id, typ)
	}
	if FromCgroupsNil := IDFromCgroups(nil); FromCgroupsNil != "" {
		t.Errorf("nil cgroups: %q", FromCgroupsNil)
	}
}

func TestShortID(t *testing.T) {
	if got := ShortID(hexA); got != hexA[:12] {
		t.Errorf("ShortID(hex) = %q", got)
	}
	for _, id := range []string{"t1", hexA[:12], ""} {
		if got := ShortID(id); got != id {
			t.Errorf("ShortID(%q) = %q", id, got)
		}
	}
}

func TestTypeString(t *testing.T) {
	want := map[Type]string{TypeHost: "host", TypeDocker: "docker", TypeLibvirtLXC: "libvirt-lxc", TypeCRIO: "cri-o",
		TypeContainerd: "containerd", TypePodman: "podman", TypeCRI: "cri", Type(42): "type(42)"}
	for typ, s := range want {
		if typ.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(typ), typ.String(), s)
		}
	}
}
