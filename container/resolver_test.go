package container_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/syscope/syscope/container"
)

const (
	ctrID   = "a3b1570229242df2956d9f4d6a0f7865fa863a501c1f8509b2a3c5b7cfaf3a33"
	imageID = "59220f353c2bd47e16afd1090faec1a3c6dfa399b5998fae0d155b77f9b5be2a"
)

// updates collects what a Resolver hands to OnUpdate and Warn.
type updates struct {
	mu    sync.Mutex
	infos []*container.Info
	warns []string
	ch    chan *container.Info
}

func newUpdates() *updates { return &updates{ch: make(chan *container.Info, 64)} }

func (u *updates) options(o container.Options) container.Options {
	o.OnUpdate = func(i *container.Info) {
		u.mu.Lock()
		u.infos = append(u.infos, i)
		u.mu.Unlock()
		u.ch <- i
	}
	o.Warn = func(m string) {
		u.mu.Lock()
		u.warns = append(u.warns, m)
		u.mu.Unlock()
	}
	return o
}

func (u *updates) wait(t *testing.T, d time.Duration) *container.Info {
	t.Helper()
	select {
	case i := <-u.ch:
		return i
	case <-time.After(d):
		t.Fatalf("no update in %v", d)
		return nil
	}
}

func (u *updates) warnings() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.warns...)
}

// serveUnix serves h on a unix socket in a temporary directory.
func serveUnix(t *testing.T, h http.Handler) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sock
}

// hungSocket accepts connections and never answers.
func hungSocket(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "hung.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return sock
}

// A Docker Engine answer, trimmed to what matters, as docker 24 gives it.
var dockerInspect = `{
 "Id": "` + ctrID + `",
 "Created": "2026-11-26T18:41:51.748174472Z",
 "Image": "sha256:` + imageID + `",
 "Name": "/web",
 "HostConfig": {"Privileged": true, "NetworkMode": "bridge", "Memory": 268435456, "MemorySwap": 536870912,
   "CpuShares": 256, "CpuQuota": 0, "CpuPeriod": 0, "NanoCpus": 1500000000, "CpusetCpus": "0-1,3"},
 "Mounts": [{"Type": "bind", "Source": "/srv/www", "Destination": "/usr/share/nginx/html", "Mode": "ro", "RW": false, "Propagation": "rprivate"}],
 "Config": {"Image": "docker.io/library/nginx:1.25", "Labels": {"maintainer": "NGINX", "long": "` + strings.Repeat("x", 101) + `"},
   "Env": ["PATH=/usr/bin", "MESOS_TASK_ID=abc"], "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/"]}},
 "NetworkSettings": {"IPAddress": "172.17.0.5",
   "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}], "53/udp": [{"HostIp": "0.0.0.0", "HostPort": "5353"}]}}
}`

var dockerImageJSON = `{"Id": "sha256:` + imageID + `", "RepoTags": ["docker.io/library/nginx:1.25", "nginx:latest"],
 "RepoDigests": ["docker.io/library/nginx@sha256:96fb261b66270b900ea5a2c17a26abbfabe95506e73c3a3c65869a6dbe83223a"]}`

func fakeDocker(t *testing.T, hits *int) string {
	var mu sync.Mutex
	return serveUnix(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		*hits++
		mu.Unlock()
		switch {
		case r.URL.Path == "/containers/"+ctrID[:12]+"/json" || r.URL.Path == "/containers/"+ctrID+"/json":
			fmt.Fprint(w, dockerInspect)
		case r.URL.Path == "/images/"+imageID+"/json":
			fmt.Fprint(w, dockerImageJSON)
		default:
			http.Error(w, `{"message":"No such container"}`, http.StatusNotFound)
		}
	}))
}

func TestResolverDocker(t *testing.T) {
	hits := 0
	sock := fakeDocker(t, &hits)
	u := newUpdates()
	r := container.NewResolver(u.options(container.Options{DockerSocket: sock, PodmanSocket: container.Disabled, CRISockets: []string{}}))
	defer r.Close()

	start := time.Now()
	if i, ok := r.Lookup(ctrID[:12], container.TypeDocker); ok || i != nil {
		t.Fatalf("first Lookup = %v, %v; want a lookup under way", i, ok)
	}
	got := u.wait(t, 5*time.Second)
	t.Logf("lookup took %v", time.Since(start))
	want := &container.Info{
		ID: ctrID[:12], FullID: ctrID, Type: container.TypeDocker, Name: "web",
		Image: "docker.io/library/nginx:1.25", ImageID: imageID, ImageRepo: "docker.io/library/nginx", ImageTag: "1.25",
		ImageDigest: "sha256:96fb261b66270b900ea5a2c17a26abbfabe95506e73c3a3c65869a6dbe83223a",
		Privileged:  true, IP: "172.17.0.5", Labels: map[string]string{"maintainer": "NGINX"},
		Mounts:       []container.Mount{{Source: "/srv/www", Destination: "/usr/share/nginx/html", Mode: "ro", RW: false, Propagation: "rprivate"}},
		PortMappings: []container.PortMapping{{HostIP: 0, HostPort: 8080, ContainerPort: 80}, {HostIP: 0, HostPort: 8080, ContainerPort: 80}},
		Env:          []string{"PATH=/usr/bin", "MESOS_TASK_ID=abc"},
		HealthProbes: []container.HealthProbe{{Type: container.ProbeHealthcheck, Exe: "/bin/sh", Args: []string{"-c", "curl -f http://localhost/"}}},
		MemoryLimit:  268435456, SwapLimit: 536870912, CPUShares: 256, CPUQuota: 150000, CPUPeriod: 100000, CPUSetCPUCount: 3,
		LookupState: container.LookupSuccessful, CreatedTime: 1795718511,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if i, ok := r.Lookup(ctrID, container.TypeDocker); !ok || i != got {
		t.Errorf("cached Lookup by full id = %p, %v; want %p", i, ok, got)
	}
	if n := hits; n != 2 {
		t.Errorf("%d requests, want 2 (container, image)", n)
	}
	// A container the runtime does not know: its id alone, no warning.
	r.Lookup("0123456789ab", container.TypeDocker)
	if i := u.wait(t, 5*time.Second); i.LookupState != container.LookupFailed || i.ID != "0123456789ab" || i.Type != container.TypeDocker {
		t.Errorf("unknown container: %+v", i)
	}
	if w := u.warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
}

func TestResolverNoAPI(t *testing.T) {
	u := newUpdates()
	r := container.NewResolver(u.options(container.Options{}))
	defer r.Close()
	for _, c := range []struct {
		id  string
		typ container.Type
	}{{"web", container.TypeLXC}, {"debian", container.TypeCustom}, {"redis", container.TypeBPM}} {
		i, ok := r.Lookup(c.id, c.typ)
		if !ok || i.Name != c.id || i.ID != c.id || i.Type != c.typ || i.LookupState != container.LookupSuccessful {
			t.Errorf("Lookup(%q, %v) = %+v, %v", c.id, c.typ, i, ok)
		}
	}
	if i, ok := r.Lookup(container.HostID, container.TypeHost); ok || i != nil {
		t.Errorf("host: %v %v", i, ok)
	}
}

// TestResolverUnreachable: a socket that is not there, and one that
// accepts and never answers. Lookup never waits; the containers show
// their ids; each runtime is warned about once.
func TestResolverUnreachable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "podman.sock")
	hung := hungSocket(t)
	hungCRI := hungSocket(t)
	u := newUpdates()
	const timeout = 300 * time.Millisecond
	r := container.NewResolver(u.options(container.Options{
		PodmanSocket: missing, DockerSocket: hung, CRISockets: []string{hungCRI}, Timeout: timeout,
	}))

	ids := []string{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "1123456789ab", "2123456789ab"}
	start := time.Now()
	for _, id := range ids {
		for _, typ := range []container.Type{container.TypePodman, container.TypeDocker, container.TypeContainerd} {
			t0 := time.Now()
			if i, ok := r.Lookup(id+typ.String(), typ); ok || i != nil {
				t.Fatalf("Lookup = %v, %v", i, ok)
			}
			if d := time.Since(t0); d > 50*time.Millisecond {
				t.Errorf("Lookup took %v", d)
			}
		}
	}
	for range 3 * len(ids) {
		i := u.wait(t, 10*timeout)
		if i.LookupState != container.LookupFailed || i.Name != "" {
			t.Errorf("unreachable runtime gave %+v", i)
		}
	}
	t.Logf("9 lookups of unreachable runtimes done in %v", time.Since(start))
	if d := time.Since(start); d > 6*timeout {
		t.Errorf("lookups took %v: the hung sockets were waited on for every container", d)
	}
	w := u.warnings()
	if len(w) != 3 {
		t.Fatalf("warnings %q, want one per runtime", w)
	}
	joined := strings.Join(w, "\n")
	t.Logf("warnings:\n%s", joined)
	for _, want := range []string{
		"syscope: cannot reach the podman API at " + missing + ": dial unix " + missing + ": connect: no such file or directory; containers show ids only",
		"syscope: cannot reach the docker API at " + hung + ": no answer in time; containers show ids only",
		"syscope: cannot reach the CRI API at " + hungCRI + ": ",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings\n%s\nlack %q", joined, want)
		}
	}
	t0 := time.Now()
	r.Close()
	if d := time.Since(t0); d > time.Second {
		t.Errorf("Close took %v", d)
	}
}

// TestResolverClose: Close does not wait for a hung runtime.
func TestResolverClose(t *testing.T) {
	u := newUpdates()
	r := container.NewResolver(u.options(container.Options{DockerSocket: hungSocket(t), Timeout: time.Hour}))
	r.Lookup("0123456789ab", container.TypeDocker)
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	r.Close()
	if d := time.Since(t0); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if n := len(u.ch); n != 0 {
		t.Errorf("%d updates after Close", n)
	}
	if i, ok := r.Lookup("1123456789ab", container.TypeDocker); ok || i != nil {
		t.Errorf("Lookup after Close: %v %v", i, ok)
	}
}

// TestResolverRetry: a runtime that comes up after a failed lookup is
// asked again after RetryAfter.
func TestResolverRetry(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "docker.sock")
	u := newUpdates()
	r := container.NewResolver(u.options(container.Options{DockerSocket: sock, RetryAfter: 100 * time.Millisecond}))
	defer r.Close()
	r.Lookup(ctrID, container.TypeDocker)
	if i := u.wait(t, 5*time.Second); i.LookupState != container.LookupFailed || i.FullID != ctrID {
		t.Fatalf("first lookup: %+v", i)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/containers/") {
			fmt.Fprint(w, dockerInspect)
			return
		}
		fmt.Fprint(w, dockerImageJSON)
	})}
	go srv.Serve(l)
	defer srv.Close()
	if i, ok := r.Lookup(ctrID, container.TypeDocker); !ok || i.LookupState != container.LookupFailed {
		t.Fatalf("before RetryAfter: %+v %v", i, ok)
	}
	time.Sleep(150 * time.Millisecond)
	r.Lookup(ctrID[:12], container.TypeDocker)
	if i := u.wait(t, 5*time.Second); i.Name != "web" {
		t.Fatalf("retry: %+v", i)
	}
	if i, ok := r.Lookup(ctrID[:12], container.TypeDocker); !ok || i.Name != "web" {
		t.Errorf("after retry: %+v %v", i, ok)
	}
}

// fakeCRI is a CRI runtime with one pod and one container.
type fakeCRI struct {
	cri.UnimplementedRuntimeServiceServer
	cri.UnimplementedImageServiceServer
	name string
}

const (
	podID  = "5b6a3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"
	podUID = "6f1e3c2d-8a7b-4c5d-9e0f-1a2b3c4d5e6f"
)

func (f *fakeCRI) Version(context.Context, *cri.VersionRequest) (*cri.VersionResponse, error) {
	return &cri.VersionResponse{RuntimeName: f.name, RuntimeVersion: "1.6.20", RuntimeApiVersion: "v1"}, nil
}

func (f *fakeCRI) ContainerStatus(_ context.Context, req *cri.ContainerStatusRequest) (*cri.ContainerStatusResponse, error) {
	if !strings.HasPrefix(ctrID, req.ContainerId) {
		return nil, status.Errorf(codes.NotFound, "an error occurred when try to find container %q: not found", req.ContainerId)
	}
	info, _ := json.Marshal(map[string]any{
		"sandboxID": podID,
		"config": map[string]any{
			"envs":  []map[string]string{{"key": "PATH", "value": "/bin"}, {"key": "MESOS_X", "value": "1"}},
			"image": map[string]string{"image": "sha256:" + imageID},
			"linux": map[string]any{"security_context": map[string]any{"privileged": true}},
		},
		"runtimeSpec": map[string]any{"linux": map[string]any{"resources": map[string]any{
			"memory": map[string]any{"limit": 1 << 28}, "cpu": map[string]any{"shares": 102, "quota": 20000, "period": 100000}}}},
	})
	return &cri.ContainerStatusResponse{
		Status: &cri.ContainerStatus{
			Id: ctrID, Metadata: &cri.ContainerMetadata{Name: "redis"}, CreatedAt: 1795718511748174472,
			Image: &cri.ImageSpec{Image: "localhost/redis-test:2.8"}, ImageRef: "sha256:" + imageID,
			Labels: map[string]string{"tier": "cache"},
			Mounts: []*cri.Mount{{ContainerPath: "/data", HostPath: "/var/lib/data", Readonly: true, Propagation: cri.MountPropagation_PROPAGATION_HOST_TO_CONTAINER}},
		},
		Info: map[string]string{"info": string(info)},
	}, nil
}

func (f *fakeCRI) PodSandboxStatus(_ context.Context, req *cri.PodSandboxStatusRequest) (*cri.PodSandboxStatusResponse, error) {
	if !strings.HasPrefix(podID, req.PodSandboxId) {
		return nil, status.Errorf(codes.NotFound, "an error occurred when try to find sandbox: not found")
	}
	return &cri.PodSandboxStatusResponse{Status: &cri.PodSandboxStatus{
		Id: podID, Metadata: &cri.PodSandboxMetadata{Name: "cache-0", Namespace: "prod", Uid: podUID},
		CreatedAt: 1795718500000000000, Labels: map[string]string{"app": "cache"},
		Network: &cri.PodSandboxNetworkStatus{Ip: "10.244.1.7"},
	}}, nil
}

func serveCRI(t *testing.T, f *fakeCRI) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "cri.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	cri.RegisterRuntimeServiceServer(s, f)
	cri.RegisterImageServiceServer(s, f)
	go s.Serve(l)
	t.Cleanup(s.Stop)
	return sock
}

func TestResolverCRI(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "crio.sock")
	sock := serveCRI(t, &fakeCRI{name: "containerd"})
	u := newUpdates()
	r := container.NewResolver(u.options(container.Options{CRISockets: []string{missing, sock}, DockerSocket: container.Disabled}))
	defer r.Close()

	// The kubelet's cgroupfs layout does not tell the runtime: TypeCRI,
	// which the runtime's name turns into containerd.
	r.Lookup(ctrID[:12], container.TypeCRI)
	got := u.wait(t, 5*time.Second)
	want := &container.Info{
		ID: ctrID[:12], FullID: ctrID, Type: container.TypeContainerd, Name: "redis",
		Image: "localhost/redis-test:2.8", ImageID: imageID, ImageRepo: "localhost/redis-test", ImageTag: "2.8",
		ImageDigest: "sha256:" + imageID, Privileged: true, IP: "10.244.1.7",
		Labels: map[string]string{"tier": "cache", "io.kubernetes.pod.name": "cache-0", "io.kubernetes.pod.namespace": "prod",
			"io.kubernetes.pod.uid": podUID, "io.kubernetes.sandbox.id": podID},
		Mounts:      []container.Mount{{Source: "/var/lib/data", Destination: "/data", RW: false, Propagation: "rslave"}},
		Env:         []string{"PATH=/bin", "MESOS_X=1"},
		MemoryLimit: 1 << 28, SwapLimit: 1 << 28, CPUShares: 102, CPUQuota: 20000, CPUPeriod: 100000,
		LookupState: container.LookupSuccessful, CreatedTime: 1795718511,
		PodName: "cache-0", PodNamespace: "prod", PodUID: podUID, PodSandboxID: podID, PodLabels: map[string]string{"app": "cache"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	// The pause container of the pod.
	r.Lookup(podID[:12], container.TypeContainerd)
	sb := u.wait(t, 5*time.Second)
	if !sb.IsPodSandbox || sb.Name != "cache-0" || sb.PodNamespace != "prod" || sb.IP != "10.244.1.7" || sb.Labels["app"] != "cache" {
		t.Errorf("sandbox: %+v", sb)
	}
	// The missing socket is not warned about: another runtime answered.
	if w := u.warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
}
