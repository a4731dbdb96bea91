package container_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/runtimetest"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/state"
)

// The container sysdig 0.29.3 wrote when it rewrote psp_privileged.scap
// (`sysdig -r psp_privileged.scap -e 1000 -w out.scap`: every new file
// starts with the containers, through container_to_json).
const nginxBySysdig = `{"container":{"Mounts":[],"cpu_period":100000,"cpu_quota":0,"cpu_shares":1024,"cpuset_cpu_count":0,"created_time":0,"env":[],"full_id":"","id":"9dbcbd0c435f","image":"nginx:latest","imagedigest":"sha256:96fb261b66270b900ea5a2c17a26abbfabe95506e73c3a3c65869a6dbe83223a","imageid":"f68d6e55e06520f152403e6d96d0de5c9790a89b4cfc99f4626f68146fa1dbdc","imagerepo":"nginx","imagetag":"latest","ip":"172.17.0.2","is_pod_sandbox":false,"labels":{"maintainer":"NGINX Docker Maintainers <docker-maint@nginx.com>"},"lookup_state":1,"memory_limit":0,"metadata_deadline":0,"name":"epic_cray","port_mappings":[],"privileged":true,"swap_limit":0,"type":0}}` + "\n"

func nginx() *container.Info {
	i := container.NewInfo("9dbcbd0c435f", "", container.TypeDocker)
	i.Name = "epic_cray"
	i.Image = "nginx:latest"
	i.ImageDigest = "sha256:96fb261b66270b900ea5a2c17a26abbfabe95506e73c3a3c65869a6dbe83223a"
	i.ImageID = "f68d6e55e06520f152403e6d96d0de5c9790a89b4cfc99f4626f68146fa1dbdc"
	i.ImageRepo = "nginx"
	i.ImageTag = "latest"
	i.IP = "172.17.0.2"
	i.Labels = map[string]string{"maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"}
	i.Privileged = true
	return i
}

func TestJSONAsSysdigWritesIt(t *testing.T) {
	if got := string(nginx().JSON()); got != nginxBySysdig {
		t.Errorf("JSON() =\n%s\nsysdig wrote\n%s", got, nginxBySysdig)
	}
}

// infos are containers with every field set and strings that test the
// escaping, for the comparisons with sysdig and the state engine.
func infos() []*container.Info {
	full := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	a := container.NewInfo(full, full, container.TypePodman)
	a.Name = "rt1"
	a.Image = "localhost/redis-test:2.8"
	a.ImageID = "59220f353c2bd47e16afd1090faec1a3c6dfa399b5998fae0d155b77f9b5be2a"
	a.ImageRepo = "localhost/redis-test"
	a.ImageTag = "2.8"
	a.ImageDigest = "sha256:20c1880dcf6a0f88bbf4f2c50aaaab3d0d4aa3fcdb3a4fbf920624d5e8e226cb"
	a.IP = "10.88.0.2"
	a.Privileged = true
	a.Labels = map[string]string{
		"app":           "demo",
		"quote\"back\\": "tab\tnl\nbs\bff\fcr\r",
		"ctl":           "\x01\x1f\x7f end",
		"html":          "<a href='x'>&amp;</a> /slash",
		"utf8":          "é ü 日本 😀 \u2028",
		"Upper":         "sorts first",
		"empty":         "",
	}
	a.Mounts = []container.Mount{
		{Source: "/data", Destination: "/var/lib/redis", Mode: "z", RW: true, Propagation: "rprivate"},
		{Source: "/etc/hosts", Destination: "/etc/hosts", RW: false, Propagation: ""},
	}
	a.PortMappings = []container.PortMapping{{HostIP: 0, HostPort: 6379, ContainerPort: 6379}, {HostIP: 0x7f000001, HostPort: 8080, ContainerPort: 80}}
	a.Env = []string{"PATH=/bin", "MESOS_TASK_ID=t1", "MARATHON_APP_ID=/a", "x_mesos=1", "TERM=xterm"}
	a.HealthProbes = []container.HealthProbe{
		{Type: container.ProbeHealthcheck, Exe: "/bin/sh", Args: []string{"-c", "redis-cli ping"}},
		{Type: container.ProbeLivenessProbe, Exe: "/bin/true"},
		{Type: container.ProbeReadinessProbe, Exe: "cat", Args: []string{"/tmp/ready"}},
	}
	a.MemoryLimit = 536870912
	a.SwapLimit = 1073741824
	a.CPUShares = 512
	a.CPUQuota = 50000
	a.CPUPeriod = 100000
	a.CPUSetCPUCount = 2
	a.CreatedTime = 1764182511
	a.MesosTaskID = "task.1"

	b := container.NewInfo("t1", "t1", container.TypeContainerd)
	b.LookupState = container.LookupFailed
	b.IP = "fe80::1" // not IPv4: sysdig keeps none

	sb := "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	c := container.NewInfo(sb[:12], sb, container.TypeContainerd)
	c.Name = "pod-a"
	c.IsPodSandbox = true
	c.CreatedTime = -5
	c.Labels = map[string]string{"io.kubernetes.pod.name": "pod-a", "io.kubernetes.pod.namespace": "ns", "io.kubernetes.pod.uid": "6f1e3c2d-8a7b-4c5d-9e0f-1a2b3c4d5e6f"}

	// Bytes that are not UTF-8: written as jsoncpp decodes them.
	d := container.NewInfo("lxc1", "lxc1", container.TypeLXC)
	d.Name = "bad\xff\xc3(\xe2\x82\xed\xa0\x80\xf0\x9f\x98"
	d.Image = "\xc0\xaf overlong, \x80 lone, \xe2\x82 cut"
	return []*container.Info{a, b, c, d}
}

// TestJSONEscaping pins the escapes jsoncpp writes.
func TestJSONEscaping(t *testing.T) {
	a := infos()[0]
	js := string(a.JSON())
	for _, want := range []string{
		`"quote\"back\\":"tab\tnl\nbs\bff\fcr\r"`,
		`"ctl":"\u0001\u001f` + "\x7f" + ` end"`,
		`"html":"<a href='x'>&amp;</a> /slash"`,
		`"utf8":"\u00e9 \u00fc \u65e5\u672c \ud83d\ude00 \u2028"`,
		`{"Upper":"sorts first","app":"demo","ctl"`,
		`"Healthcheck":{"args":["-c","redis-cli ping"],"exe":"/bin/sh"},"LivenessProbe":{"args":null,"exe":"/bin/true"},"Mounts":[{"Destination":"/var/lib/redis","Mode":"z","Propagation":"rprivate","RW":true,"Source":"/data"}`,
		`"ReadinessProbe":{"args":["/tmp/ready"],"exe":"cat"},"cpu_period"`,
		`"env":["MESOS_TASK_ID=t1","MARATHON_APP_ID=/a","x_mesos=1"]`,
		`"mesos_task_id":"task.1","metadata_deadline":0`,
		`"port_mappings":[{"ContainerPort":6379,"HostIp":0,"HostPort":6379},{"ContainerPort":80,"HostIp":2130706433,"HostPort":8080}]`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s\n%s", want, js)
		}
	}
	if !json.Valid([]byte(js)) || !strings.HasSuffix(js, "}}\n") {
		t.Errorf("not one JSON document ending in a newline: %q", js)
	}
	b := string(infos()[1].JSON())
	if !strings.Contains(b, `"ip":"0.0.0.0"`) || !strings.Contains(b, `"labels":null`) || !strings.Contains(b, `"lookup_state":2`) {
		t.Errorf("failed lookup: %s", b)
	}
	// jsoncpp reads a sequence by its first byte alone: "\xc3(" is U+00E8.
	d := string(infos()[3].JSON())
	if !strings.Contains(d, `"name":"bad\ufffd\u00e8\u20ad\ufffd\ufffd\u07d8"`) || !json.Valid([]byte(d)) {
		t.Errorf("bytes that are not UTF-8: %s", d)
	}
}

// TestStateReadsJSON feeds the container events to the state engine, as
// a trace file or the live capture would, and checks what it kept.
func TestStateReadsJSON(t *testing.T) {
	for _, info := range append(infos(), nginx()) {
		raw := info.AppendEvent(nil, 1764182511000000000)
		var e event.Event
		if err := e.Decode(raw); err != nil {
			t.Fatalf("%s: decode: %v", info.ID, err)
		}
		if e.Type != container.EventCode || e.TID != -1 || e.NParams() != 1 {
			t.Fatalf("%s: event type %d tid %d nparams %d", info.ID, e.Type, e.TID, e.NParams())
		}
		if got := event.CString(e.Param(0)); !bytes.Equal(got, info.JSON()) {
			t.Fatalf("%s: parameter %q", info.ID, got)
		}
		s := state.New()
		s.Apply(&e)
		c := s.Container(info.ID)
		if c == nil {
			t.Fatalf("%s: state has no container after the event", info.ID)
		}
		// The state engine decodes with encoding/json, which makes
		// U+FFFD of what is not UTF-8, as the \u escapes already did.
		want := &state.Container{
			ID: info.ID, Type: int(info.Type), Name: info.Name, Image: info.Image, ImageID: info.ImageID,
			ImageRepo: info.ImageRepo, ImageTag: info.ImageTag, ImageDigest: info.ImageDigest,
			Privileged: info.Privileged, IP: ipv4(info.IP), Labels: info.Labels, JSON: info.JSON(),
		}
		if !utf8Valid(info.Name + info.Image) {
			want.Name, want.Image = c.Name, c.Image
			if strings.Contains(c.Name, "\xff") || !strings.Contains(c.Name, "\ufffd") {
				t.Errorf("%s: name %q", info.ID, c.Name)
			}
		}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("%s: state kept\n%+v\nwant\n%+v", info.ID, c, want)
		}
		if th := s.Last().Thread; th == nil || th.ContainerID != info.ID || th.Comm != "container:"+info.ID {
			t.Errorf("%s: event thread %+v", info.ID, th)
		}
	}
}

func ipv4(s string) string {
	if strings.Contains(s, ":") || s == "" {
		return "0.0.0.0"
	}
	return s
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }

// TestSysdigRewritesJSON checks JSON against sysdig 0.29.3 itself: a trace
// file with our container events goes through `sysdig -r -e N -w`, whose
// every new output file starts with the containers sysdig knows, written
// by its own container_to_json. What it writes must be what we wrote.
func TestSysdigRewritesJSON(t *testing.T) {
	runtimetest.Need(t, map[string]string{"sysdig": "sysdig"})
	src, err := os.ReadFile(filepath.Join(tracesDir(t), "psp_privileged.scap"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	trace, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	list := infos()
	// Strings written raw into the JSON, not escaped, as another writer
	// might: sysdig reads them as they are and writes them its way, which
	// must be ours.
	type rawCase struct {
		info *container.Info
		js   []byte
	}
	var raws []rawCase
	for n, name := range []string{
		"é ü 日本 😀",
		"bad\xff\xc3(\xe2\x82\xed\xa0\x80\xf0\x9f\x98",
		"\xc0\xaf overlong, \x80 lone, \xf8\x88\x80\x80\x80 five, \xe2\x82",
		"ctl \x01\x02\x1f \x7f tab\t",
		"\xf4\x90\x80\x80 past U+10FFFF, \xef\xbf\xbf",
	} {
		i := container.NewInfo(fmt.Sprintf("raw%d", n), "", container.TypeLXC)
		i.Name = "NAME"
		js := bytes.Replace(i.JSON(), []byte(`"name":"NAME"`), []byte(`"name":"`+name+`"`), 1)
		i.Name = name
		raws = append(raws, rawCase{i, js})
		list = append(list, i)
	}
	// Replace the trace's container event with ours, in the large-payload
	// event blocks sysdig writes containers in.
	var out []byte
	replaced := false
	for off := 0; off < len(trace); {
		typ := binary.LittleEndian.Uint32(trace[off:])
		n := int(binary.LittleEndian.Uint32(trace[off+4:]))
		blk := trace[off : off+n]
		off += n
		if typ == 0x216 && bytes.Contains(blk, []byte(`{"container"`)) {
			ts := binary.LittleEndian.Uint64(blk[10:])
			for _, info := range list[:len(list)-len(raws)] {
				out = appendBlock(out, 0x221, append([]byte{0, 0}, info.AppendEvent(nil, ts)...))
			}
			for _, r := range raws {
				out = appendBlock(out, 0x221, append([]byte{0, 0}, rawEvent(ts, r.js)...))
			}
			replaced = true
			continue
		}
		out = append(out, blk...)
	}
	if !replaced {
		t.Fatal("no container event in psp_privileged.scap")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.scap")
	if err := os.WriteFile(in, out, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sysdig", "-r", in, "-e", "1500", "-w", filepath.Join(dir, "out.scap"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sysdig: %v\n%s", err, b)
	}
	rewritten, err := os.ReadFile(filepath.Join(dir, "out.scap1"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, js := range containerJSONs(rewritten) {
		var v struct{ Container struct{ ID string } }
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Fatalf("sysdig wrote %q: %v", js, err)
		}
		got[v.Container.ID] = js
	}
	for _, info := range list {
		js, ok := got[info.ID]
		if !ok {
			t.Errorf("%s: sysdig wrote no container (it wrote %d)", info.ID, len(got))
			continue
		}
		if js != string(info.JSON()) {
			t.Errorf("%s: sysdig wrote\n%s\nwe wrote\n%s", info.ID, js, info.JSON())
		}
	}

	// And sysdig shows the fields from them. sysdig 0.29.3 has no name for
	// podman's type 11: container.type is empty there.
	b, err := exec.Command("sysdig", "-r", in, "-p", "*%container.id %container.name %container.image %container.type %k8s.pod.name %k8s.ns.name",
		"evt.type=container").CombinedOutput()
	if err != nil {
		t.Fatalf("sysdig -p: %v\n%s", err, b)
	}
	shown := string(b)
	for _, want := range []string{
		"0123456789ab rt1 localhost/redis-test:2.8  <NA> <NA>\n",
		"t1 <NA> <NA> containerd <NA> <NA>\n",
		"fedcba987654 pod-a <NA> containerd pod-a ns\n",
		"raw0 é ü 日本 😀 <NA> lxc <NA> <NA>\n",
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("sysdig shows\n%s\nwithout %q", shown, want)
		}
	}
}

// rawEvent is a container event carrying js, NUL-terminated (js itself is
// left as it is).
func rawEvent(ts uint64, js []byte) []byte {
	return tracetest.Event{TS: ts, TID: -1, Code: container.EventCode, Params: [][]byte{append(slices.Clip(js), 0)}}.Raw()
}

// appendBlock appends a trace-file block: type, length, body padded to 4
// bytes, length.
func appendBlock(dst []byte, typ uint32, body []byte) []byte {
	pad := (4 - len(body)%4) % 4
	n := uint32(12 + len(body) + pad)
	dst = binary.LittleEndian.AppendUint32(dst, typ)
	dst = binary.LittleEndian.AppendUint32(dst, n)
	dst = append(dst, body...)
	dst = append(dst, make([]byte, pad)...)
	return binary.LittleEndian.AppendUint32(dst, n)
}

// containerJSONs finds the container events' JSON in a plain trace file.
func containerJSONs(trace []byte) []string {
	var list []string
	for off := 0; off+8 <= len(trace); {
		typ := binary.LittleEndian.Uint32(trace[off:])
		n := int(binary.LittleEndian.Uint32(trace[off+4:]))
		if n < 12 || off+n > len(trace) {
			break
		}
		blk := trace[off : off+n]
		off += n
		if typ != 0x221 && typ != 0x216 {
			continue
		}
		ev := blk[10:]
		if binary.LittleEndian.Uint16(ev[20:]) != container.EventCode {
			continue
		}
		plen := int(binary.LittleEndian.Uint32(ev[26:]))
		js := ev[30 : 30+plen]
		list = append(list, string(bytes.TrimSuffix(js, []byte{0})))
	}
	return list
}
