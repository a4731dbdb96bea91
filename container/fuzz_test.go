package container

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParsePath checks what any path gives: no panic, a host or a
// container whose ids come from the path.
func FuzzParsePath(f *testing.F) {
	for _, p := range []string{
		"/docker/" + hexA, "/system.slice/docker-" + hexA + ".scope", "/libpod_parent/libpod-" + hexA,
		"/machine.slice/libpod-conmon-" + hexA + ".scope", "/default/t1", "/k8s.io/" + hexA,
		"/kubepods/burstable/pod" + uid + "/" + hexA,
		"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidU + ".slice/crio-" + hexA + ".scope",
		"/kubepods-besteffort-pod" + uidU + ".slice:cri-containerd:" + hexA,
		`/machine.slice/machine-my\x2dbox.scope/payload`, "/lxc.payload.web", "/lxc/web", "/lxc.monitor.web",
		`/machine.slice/machine-lxc\x2d1\x2dweb.scope`, "/mesos/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "bpm-x.scope", "/", "",
		"0::/libpod_parent/libpod-" + hexA, "memory=/docker/" + hexA, "9:name=systemd:/k8s.io/" + hexA, "name=systemd=/default/t1",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Parse([]string{s})
		path := cgroupPath(s)
		pm, ok := ParsePath(path)
		if pm != m {
			t.Fatalf("Parse(%q) = %+v, ParsePath = %+v", s, m, pm)
		}
		if !ok {
			if m != host || !m.IsHost() {
				t.Fatalf("ParsePath(%q) not ok but %+v", path, m)
			}
			return
		}
		if m.ID == "" || m.FullID == "" || m.Type < 0 || m.Type > TypePodman || m.Cgroup != path {
			t.Fatalf("ParsePath(%q) = %+v", path, m)
		}
		if ShortID(m.FullID) != m.ID || m.ID == HostID && m.Type == TypeHost {
			t.Fatalf("ParsePath(%q): id %q full %q", path, m.ID, m.FullID)
		}
		if m.Type != TypeCustom && !strings.Contains(path, m.FullID) {
			t.Fatalf("ParsePath(%q): id %q is not in the path", path, m.FullID)
		}
		if strings.Contains(m.FullID, "/") {
			t.Fatalf("ParsePath(%q): id %q spans components", path, m.FullID)
		}
		if m.PodUID != "" && (len(m.PodUID) < 32 || strings.ToLower(m.PodUID) != m.PodUID) {
			t.Fatalf("ParsePath(%q): pod uid %q", path, m.PodUID)
		}
		id, typ, pod := FromCgroups([]string{s})
		if id != m.ID || typ != m.Type || pod != m.PodUID || IDFromCgroups([]string{s}) != m.ID {
			t.Fatalf("FromCgroups(%q) = %q %v %q, Parse %+v", s, id, typ, pod, m)
		}
	})
}

// FuzzJSON checks that any Info writes one JSON document that keeps its
// strings, as jsoncpp decodes them.
func FuzzJSON(f *testing.F) {
	f.Add("web", "nginx:latest", "k", "v", "10.0.0.1")
	f.Add("bad\xff\xc3(", "\xf0\x9f\x98", "\x01", "\u2028", "::1")
	f.Fuzz(func(t *testing.T, name, image, k, v, ip string) {
		i := NewInfo("t1", "t1", TypeLXC)
		i.Name, i.Image, i.IP = name, image, ip
		i.Labels = map[string]string{k: v}
		js := i.JSON()
		if !json.Valid(js) || js[len(js)-1] != '\n' {
			t.Fatalf("JSON of %q %q %q %q: %q", name, image, k, v, js)
		}
		for _, c := range js {
			if c >= 0x80 || c < 0x20 && c != '\n' {
				t.Fatalf("raw byte %#x in %q", c, js)
			}
		}
	})
}
