package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
)

// TestContainerFlags: --cri (repeatable) and --cri-timeout, whose bad
// values sysdig and syscope refuse alike; -pk and -pm.
func TestContainerFlags(t *testing.T) {
	cfg, done, err := parseArgs([]string{"--cri", "/a.sock", "--cri=/b.sock", "--cri-timeout", "1500", "-pk"}, bufio.NewWriter(io.Discard))
	if err != nil || done {
		t.Fatalf("parseArgs: %v %v", done, err)
	}
	if got := cfg.containers.criSockets; len(got) != 2 || got[0] != "/a.sock" || got[1] != "/b.sock" {
		t.Errorf("--cri: %q", got)
	}
	if cfg.containers.criTimeout != 1500*time.Millisecond {
		t.Errorf("--cri-timeout: %v", cfg.containers.criTimeout)
	}
	if cfg.format != k8sFormat {
		t.Errorf("-pk: format %q", cfg.format)
	}
	o := resolverOptions(cfg.containers)
	if len(o.CRISockets) != 2 || o.CRITimeout != 1500*time.Millisecond {
		t.Errorf("resolver options %+v", o)
	}
	if o := resolverOptions(containerOptions{}); o.CRISockets != nil {
		t.Errorf("no --cri: sockets %q, want the defaults", o.CRISockets)
	}

	file := tracePath(t, "cat_write")
	ctr := tracePath(t, "psp_run_as_user_0_container")
	sd := sysdigPath(t)
	for _, args := range [][]string{
		{"--cri", "/nonexistent.sock", "-r", file, "-n", "20"},
		{"--cri-timeout", "500", "--cri", "/x.sock", "-r", file, "-n", "20"},
		{"--cri-timeout", "-5", "-r", file, "-n", "3"},
		{"--cri-timeout", "abc", "-r", file},
		{"-S", "--cri-timeout", "5x", "-r", file},
		{"-pk", "-r", ctr, "-n", "300"},
		{"-pkubernetes", "-r", file, "-n", "50"},
		{"-j", "-pk", "-r", ctr, "-n", "300"},
		{"-pm", "-r", ctr, "-n", "300"},
		{"-pmesos", "-j", "-r", file, "-n", "50"},
	} {
		got := runSyscope(args...)
		if sd == "" {
			if got.code != 0 && !strings.Contains(got.stderr, "not a valid number") {
				t.Errorf("%q: exit %d: %s", args, got.code, got.stderr)
			}
			continue
		}
		want := runSysdig(t, sd, args...)
		for _, p := range compare("sysdig", want, got) {
			t.Errorf("%q: %s", args, p)
		}
	}
}

// TestK8sFields reads a real capture of a docker container to which
// container events give the labels a CRI runtime gives a pod's container
// and its sandbox: the k8s.* fields, -pk and filters on them print as
// sysdig prints them.
func TestK8sFields(t *testing.T) {
	const sandbox = "5d9c3f0e1a2b7c4d8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
	ctr := container.NewInfo("697956520d89", "", container.TypeDocker)
	ctr.Name = "hopeful_taussig"
	ctr.Image = "nginx:1.25"
	ctr.Labels = map[string]string{
		"io.kubernetes.pod.name": "web-0", "io.kubernetes.pod.namespace": "shop",
		"io.kubernetes.pod.uid": "0f1e2d3c-4b5a-4978-8a7b-6c5d4e3f2a1b", "io.kubernetes.sandbox.id": sandbox,
		"io.kubernetes.container.name": "web", "tier": "front",
	}
	sb := container.NewInfo(sandbox, sandbox, container.TypeContainerd)
	sb.Name = "web-0"
	sb.IsPodSandbox = true
	sb.Labels = map[string]string{
		"app": "web", "flag": "", "annotation.kubernetes.io/config.seen": "x",
		"io.kubernetes.pod.name": "web-0", "pod-template-hash": "7d4b9c",
	}

	// The capture, with the two container events after its metadata.
	in, err := os.Open(tracePath(t, "psp_run_as_user_0_container"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(in, rec)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "k8s.scap")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := scap.NewWriter(out, scap.WriterOptions{})
	first, wroteMeta := true, false
	var ce event.Event
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if !wroteMeta {
			wroteMeta = true
			if err := w.WriteMeta(&rec.Meta); err != nil {
				t.Fatal(err)
			}
		}
		if first && !isContainerEvent(ev.Type) {
			// After the capture's own container events, which would
			// replace them.
			first = false
			for _, info := range []*container.Info{sb, ctr} {
				if err := ce.Decode(info.AppendEvent(nil, ev.TS)); err != nil {
					t.Fatal(err)
				}
				if err := w.WriteEvent(&ce); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()

	f := "*%evt.num %k8s.pod.name %k8s.pod.id %k8s.ns.name %k8s.pod.label.app %k8s.pod.label.flag %k8s.pod.label.nope %k8s.pod.labels %k8s.rc.name %k8s.ns.id %container.name"
	cases := [][]string{
		{"-r", file, "-pk", "-n", "400"},
		{"-r", file, "-j", "-pk", "-n", "400"},
		{"-r", file, "-p", f, "-n", "400"},
		{"-r", file, "-j", "-p", f, "-n", "400"},
		{"-r", file, "-p", f, "k8s.pod.label.app=web and k8s.ns.name=shop and k8s.pod.labels contains pod-template-hash"},
		{"-r", file, "-p", f, "k8s.pod.name=web-0 and evt.type=open"},
		{"-r", file, "-q", "-S", "k8s.pod.id exists"},
	}
	for _, args := range cases {
		got := runSyscope(args...)
		if got.code != 0 {
			t.Fatalf("%q: exit %d: %s", args, got.code, got.stderr)
		}
		if len(got.stdout) == 0 {
			t.Errorf("%q: no output", args)
		}
		if sd := sysdigPath(t); sd != "" {
			want := runSysdig(t, sd, args...)
			for _, p := range compare("sysdig", want, got) {
				t.Errorf("%q: %s", args, p)
			}
		}
	}
	r := runSyscope("-r", file, "-p", f, "k8s.pod.name=web-0", "-n", "1000")
	line, _, _ := strings.Cut(string(r.stdout), "\n")
	if !strings.HasSuffix(line, " web-0 0f1e2d3c-4b5a-4978-8a7b-6c5d4e3f2a1b shop web  <NA> app:web, flag, pod-template-hash:7d4b9c <NA> <NA> hopeful_taussig") {
		t.Errorf("k8s fields: %q", line)
	}
}

// TestLiveContainersQueue drives the live capture's container events
// with a fake Docker API under SYSDIG_HOST_ROOT: the containers of the
// /proc scan come before the first event, a container a clone shows comes
// when its metadata does, numbered among the probe's events, each once.
func TestLiveContainersQueue(t *testing.T) {
	const (
		id1 = "a3b1570229242df2956d9f4d6a0f7865fa863a501c1f8509b2a3c5b7cfaf3a33"
		id2 = "b3b1570229242df2956d9f4d6a0f7865fa863a501c1f8509b2a3c5b7cfaf3a33"
	)
	root := t.TempDir()
	sock := filepath.Join(root, "var/run/docker.sock")
	if err := os.MkdirAll(filepath.Dir(sock), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	hits := map[string]int{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		for _, id := range []string{id1, id2} {
			if r.URL.Path == "/containers/"+id+"/json" {
				fmt.Fprintf(w, `{"Id": %q, "Name": "/web-%s", "Image": "sha256:%s", "Config": {"Image": "localhost/redis-test:2.8"}}`, id, id[:1], id)
				return
			}
		}
		http.Error(w, `{"message":"no such container"}`, http.StatusNotFound)
	})}
	go srv.Serve(l)
	defer srv.Close()
	t.Setenv("SYSDIG_HOST_ROOT", root)

	var warn bytes.Buffer
	procs := []scap.Process{
		{TID: 1, PID: 1, Cgroups: []string{"cpu=/"}},
		{TID: 10, PID: 10, Cgroups: []string{"cpu=/docker/" + id1, "memory=/docker/" + id1}},
		{TID: 11, PID: 10, Cgroups: []string{"cpu=/docker/" + id1, "memory=/docker/" + id1}},
	}
	t0 := time.Unix(1700000000, 0)
	lc := startContainers(&config{}, procs, t0, &warn)
	defer lc.close()
	ev := lc.pending()
	if ev == nil {
		t.Fatal("no container event before the first event")
	}
	if ev.Type != container.EventCode || ev.Num != 1 || ev.TS != uint64(t0.UnixNano()) || ev.TID != -1 ||
		!bytes.Contains(ev.Param(0), []byte(`"name":"web-a"`)) || !bytes.Contains(ev.Param(0), []byte(`"image":"localhost/redis-test:2.8"`)) {
		t.Fatalf("container event: type %d num %d ts %d tid %d %s", ev.Type, ev.Num, ev.TS, ev.TID, ev.Param(0))
	}
	if ev := lc.pending(); ev != nil {
		t.Fatalf("a second event: %s", ev.Param(0))
	}

	// The probe's events: a clone into a new container, then others.
	clone := cloneExit(t, 1000, 20, []string{"cpu=/docker/" + id2})
	probeEv := func(num uint64, raw []byte) *event.Event {
		var e event.Event
		if err := e.Decode(raw); err != nil {
			t.Fatal(err)
		}
		e.Num = num
		return &e
	}
	e := probeEv(1, clone)
	lc.observe(e)
	if e.Num != 2 {
		t.Errorf("first probe event numbered %d, want 2", e.Num)
	}
	deadline := time.Now().Add(10 * time.Second)
	for lc.ready.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ev = lc.pending()
	if ev == nil || ev.Num != 3 || ev.TS != 1000 || !bytes.Contains(ev.Param(0), []byte(`"name":"web-b"`)) {
		t.Fatalf("new container's event: %+v", ev)
	}
	// The same container again, and the first: no more lookups.
	for n := uint64(2); n < 5; n++ {
		e := probeEv(n, cloneExit(t, 2000, 21, []string{"cpu=/docker/" + []string{id1, id2}[n%2]}))
		lc.observe(e)
		if e.Num != n+2 {
			t.Errorf("probe event %d numbered %d, want %d", n, e.Num, n+2)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if ev := lc.pending(); ev != nil {
		t.Errorf("a container's event twice: %s", ev.Param(0))
	}
	mu.Lock()
	if hits["/containers/"+id1+"/json"] != 1 || hits["/containers/"+id2+"/json"] != 1 {
		t.Errorf("lookups: %v", hits)
	}
	mu.Unlock()
	if warn.Len() != 0 {
		t.Errorf("warnings: %s", warn.String())
	}
}

// cloneExit makes a clone exit event of thread tid at ts whose only
// non-empty parameter is its cgroups.
func cloneExit(t testing.TB, ts uint64, tid int64, cgroups []string) []byte {
	t.Helper()
	code := event.Code(0)
	for c := 0; c < event.NumCodes(); c++ {
		if info := event.Lookup(event.Code(c)); info != nil && info.Name == "clone" && !event.Code(c).IsEnter() && cgroupsParam(event.Code(c)) >= 0 {
			code = event.Code(c)
		}
	}
	if code == 0 {
		t.Fatal("no clone exit with cgroups in the event table")
	}
	n := len(event.Lookup(code).Params)
	var cg []byte
	for _, c := range cgroups {
		cg = append(append(cg, c...), 0)
	}
	params := make([][]byte, n)
	params[cgroupsParam(code)] = cg
	return tracetest.Event{TS: ts, TID: tid, Code: code, Params: params}.Raw()
}

// TestWriteRotationContainers: each file a rotation opens starts with the
// container events seen so far, as sysdig's do, so that sysdig reading a
// later file alone names its containers as it does reading its own.
func TestWriteRotationContainers(t *testing.T) {
	in := tracePath(t, "psp_run_as_user_0_container") // spans seconds
	dir := t.TempDir()
	ours, theirs := filepath.Join(dir, "ours.scap"), filepath.Join(dir, "theirs.scap")
	if r := runSyscope("-r", in, "-w", ours, "-G", "1"); r.code != 0 {
		t.Fatalf("syscope -w -G 1: exit %d: %s", r.code, r.stderr)
	}
	named := 0
	for i := 1; ; i++ {
		f := ours + fmt.Sprint(i)
		if _, err := os.Stat(f); err != nil {
			break
		}
		r := runSyscope("-r", f, "-p", "%container.name", "container.id!=host")
		named += strings.Count(string(r.stdout), "hopeful_taussig\n")
	}
	if named == 0 {
		t.Errorf("no later file names the container")
	}
	sd := sysdigPath(t)
	if sd == "" {
		return
	}
	if r := runSysdig(t, sd, "-r", in, "-w", theirs, "-G", "1"); r.code != 0 {
		t.Fatalf("sysdig -w -G 1: exit %d: %s", r.code, r.stderr)
	}
	// Not the first file: sysdig reads its own numbered from 2 where it
	// numbers the original capture, and syscope's copy, from 3.
	for i := 1; ; i++ {
		f, g := ours+fmt.Sprint(i), theirs+fmt.Sprint(i)
		_, err1 := os.Stat(f)
		_, err2 := os.Stat(g)
		if err1 != nil || err2 != nil {
			if (err1 == nil) != (err2 == nil) {
				t.Errorf("file %d: ours %v, sysdig's %v", i, err1, err2)
			}
			break
		}
		want := runSysdig(t, sd, "-r", g, "-pc")
		got := runSysdig(t, sd, "-r", f, "-pc")
		if d := firstDiff(want.stdout, got.stdout); d != "" {
			t.Errorf("file %d: sysdig reads ours differently from its own: %s", i, d)
		}
	}
}

// BenchmarkLiveContainersObserve is what following containers costs a
// live capture per event: for most events an atomic load and a table
// look-up; for a clone, a comparison of its cgroups with the last ones.
func BenchmarkLiveContainersObserve(b *testing.B) {
	lc := &liveContainers{known: map[string]bool{}, sent: map[string]bool{}, waiting: map[string]bool{}}
	lc.r = container.NewResolver(container.Options{DockerSocket: container.Disabled, PodmanSocket: container.Disabled, CRISockets: []string{}})
	defer lc.close()
	var clone, other event.Event
	if err := clone.Decode(cloneExit(b, 1, 2, []string{"cpu=/", "memory=/user.slice"})); err != nil {
		b.Fatal(err)
	}
	raw := append([]byte(nil), clone.Raw...)
	binary.LittleEndian.PutUint16(raw[20:], 0) // a code without cgroups
	if err := other.Decode(raw); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ev   *event.Event
	}{{"other", &other}, {"clone", &clone}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if lc.pending() != nil {
					b.Fatal("an event")
				}
				lc.observe(c.ev)
			}
		})
	}
}
