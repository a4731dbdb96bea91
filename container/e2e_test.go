package container_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cri "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/container/runtimetest"
)

// The end-to-end tests run real containers: podman, and containerd
// through the CRI. They need root; as root they install what is missing
// (Debian's podman, runc, containerd, busybox-static). In CI nothing may
// be missing: a failed install fails them.

const testImage = "localhost/redis-test:2.8"

// procCgroups reads /proc/PID/cgroup.
func procCgroups(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func lookup(t *testing.T, r *container.Resolver, u *updates, id string, typ container.Type) *container.Info {
	t.Helper()
	start := time.Now()
	if i, ok := r.Lookup(id, typ); ok {
		return i
	}
	i := u.wait(t, 20*time.Second)
	t.Logf("lookup of %s (%v) answered in %v", id, typ, time.Since(start).Round(time.Millisecond))
	return i
}

func TestE2EPodman(t *testing.T) {
	t.Parallel()
	runtimetest.NeedRoot(t)
	runtimetest.Need(t, map[string]string{"podman": "podman", "runc": "runc", "busybox": "busybox-static"})
	start := time.Now()
	dir, err := os.MkdirTemp("", "syscope-podman-")
	if err != nil {
		t.Fatal(err)
	}
	p := runtimetest.Podman{Dir: dir}
	t.Cleanup(func() { runtimetest.RemoveDir(t, dir) })
	t.Cleanup(func() { p.Clean() })

	p.BuildImage(t, testImage, []string{"/bin/sh"})
	imgID := p.Run(t, "image", "inspect", "-f", "{{.Id}}", testImage)
	name := "syscope-e2e-" + runtimetest.RandHex(4)
	nofile := runtimetest.HardNofile(t)
	t.Cleanup(func() { exec.Command("podman", p.Args("rm", "-f", "-t", "0", name)...).Run() })
	runArgs := []string{"run", "-d", "--name", name, "--label", "app=syscope-test",
		"--ulimit", "nofile=" + nofile + ":" + nofile, "--ulimit", "nproc=4096:4096"}
	bridged := true
	out, err := exec.Command("podman", p.Args(append(runArgs, testImage, "sleep", "600")...)...).CombinedOutput()
	if err != nil {
		// A machine without what podman's bridge needs (iptables...):
		// the container without a network still has its name and image.
		t.Logf("podman run on its bridge network: %v\n%s\nretrying without a network", err, runtimetest.Tail(out))
		exec.Command("podman", p.Args("rm", "-f", "-t", "0", name)...).Run()
		bridged = false
		out, err = exec.Command("podman", p.Args(append(runArgs, "--network", "none", testImage, "sleep", "600")...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("podman run: %v\n%s", err, runtimetest.Tail(out))
		}
	}
	full := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(full, '\n'); i >= 0 {
		full = full[i+1:]
	}
	t.Logf("podman container %s of %s up in %v", full[:12], testImage, time.Since(start).Round(time.Millisecond))

	// Every process of the container is in it; its conmon is not.
	pid, _ := strconv.Atoi(p.Run(t, "inspect", "-f", "{{.State.Pid}}", full))
	p.Run(t, "exec", "-d", full, "sleep", "601")
	pids := append([]int{pid}, cgroupPeers(t, pid)...)
	if len(pids) < 2 {
		t.Errorf("found %d processes in the container, want its sleep and the exec'd one", len(pids))
	}
	for _, pp := range pids {
		cgs := procCgroups(t, pp)
		id, typ, pod := container.FromCgroups(cgs)
		if id != full[:12] || typ != container.TypePodman || pod != "" {
			t.Errorf("pid %d, cgroups %q: FromCgroups = %q, %v, %q; want %q, podman", pp, cgs, id, typ, pod, full[:12])
		}
		if m := container.Parse(cgs); m.FullID != full {
			t.Errorf("pid %d: full id %q, want %q", pp, m.FullID, full)
		}
	}
	if conmon, _ := strconv.Atoi(p.Run(t, "inspect", "-f", "{{.State.ConmonPid}}", full)); conmon > 0 {
		if id, typ, _ := container.FromCgroups(procCgroups(t, conmon)); id != container.HostID || typ != container.TypeHost {
			t.Errorf("conmon %d: %q %v, want the host", conmon, id, typ)
		}
	}

	// The podman API: name and image.
	sock := filepath.Join(dir, "podman.sock")
	t0 := time.Now()
	p.PodmanService(t, sock)
	t.Logf("podman system service up in %v", time.Since(t0).Round(time.Millisecond))
	u := newUpdates()
	r := container.NewResolver(u.options(container.Options{PodmanSocket: sock, DockerSocket: container.Disabled, CRISockets: []string{}}))
	defer r.Close()
	id, typ, _ := container.FromCgroups(procCgroups(t, pid))
	info := lookup(t, r, u, id, typ)
	if info.LookupState != container.LookupSuccessful || info.Name != name || info.Image != testImage ||
		info.ImageRepo != "localhost/redis-test" || info.ImageTag != "2.8" || info.ImageID != strings.TrimPrefix(imgID, "sha256:") ||
		!strings.HasPrefix(info.ImageDigest, "sha256:") || info.FullID != full || info.ID != full[:12] ||
		info.Type != container.TypePodman || info.Labels["app"] != "syscope-test" || info.Privileged {
		t.Errorf("podman API gave %+v", info)
	}
	if ip := net.ParseIP(info.IP); bridged && (ip == nil || ip.To4() == nil) {
		t.Errorf("container IP %q", info.IP)
	}
	t.Logf("container %s: name %s image %s digest %s ip %s", info.ID, info.Name, info.Image, info.ImageDigest, info.IP)
	js := string(info.JSON())
	for _, want := range []string{`"name":"` + name + `"`, `"image":"` + testImage + `"`, `"type":11`, `"id":"` + full[:12] + `"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
	if w := u.warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	t.Logf("podman end to end: %v", time.Since(start).Round(time.Millisecond))
}

// cgroupPeers finds the other processes in the cgroups of pid.
func cgroupPeers(t *testing.T, pid int) []int {
	t.Helper()
	want := strings.Join(procCgroups(t, pid), "\n")
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var peers []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil || n == pid {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", n))
		if err == nil && strings.TrimSpace(string(b)) == want {
			peers = append(peers, n)
		}
	}
	return peers
}

func TestE2EContainerdCRI(t *testing.T) {
	t.Parallel()
	runtimetest.NeedRoot(t)
	runtimetest.Need(t, map[string]string{"containerd": "containerd", "ctr": "containerd", "podman": "podman", "runc": "runc", "busybox": "busybox-static"})
	start := time.Now()
	dir, err := os.MkdirTemp("", "syscope-ctd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runtimetest.RemoveDir(t, dir) })

	// Whatever the test leaves running when it ends: the processes of its
	// cgroups, containerd's shims (their command lines name dir).
	var cgroups []string // "<namespace>/<id>"
	t.Cleanup(func() { runtimetest.KillLeftovers(t, dir, cgroups) })

	// Images: built with podman, moved to containerd as docker archives.
	p := runtimetest.Podman{Dir: filepath.Join(dir, "podman")}
	t.Cleanup(func() { p.Clean() })
	const pause = "localhost/syscope-pause:test"
	p.BuildImage(t, testImage, []string{"/bin/sh"})
	p.BuildImage(t, "localhost/syscope-pause:build", []string{"/bin/sleep", "3600"})
	p.Run(t, "save", "--format", "docker-archive", "-o", filepath.Join(dir, "img.tar"), testImage)
	p.Run(t, "save", "--format", "docker-archive", "-o", filepath.Join(dir, "pause.tar"), "localhost/syscope-pause:build")

	// containerd, on a private config, state and socket.
	sock := filepath.Join(dir, "containerd.sock")
	t0 := time.Now()
	runtimetest.Containerd(t, dir, sock, pause)
	t.Logf("containerd up in %v", time.Since(t0).Round(time.Millisecond))
	ctr := func(args ...string) string {
		return runtimetest.Run(t, "ctr", append([]string{"-a", sock}, args...)...)
	}
	ctr("-n", "k8s.io", "images", "import", filepath.Join(dir, "img.tar"))
	ctr("-n", "k8s.io", "images", "import", filepath.Join(dir, "pause.tar"))
	ctr("-n", "k8s.io", "images", "tag", "localhost/syscope-pause:build", pause)

	// A pod and a container through the CRI, as the kubelet would make
	// them.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	uid := runtimetest.RandUUID()
	t0 = time.Now()
	cp := runtimetest.StartCRIPod(t, ctx, dir, sock, runtimetest.CRIPodSpec{
		Name: "redis-pod", Namespace: "syscope-test", UID: uid, Labels: map[string]string{"app": "redis"}, SandboxImage: pause,
		Container: "redis", Image: testImage, Command: []string{"/bin/sleep", "600"}, ContainerLabels: map[string]string{"tier": "cache"},
	}, &cgroups)
	rt, podID, full := cp.RT, cp.ID, cp.ContainerID
	t.Logf("pod %s and container %s up in %v", podID[:12], full[:12], time.Since(t0).Round(time.Millisecond))
	pid := criPid(t, rt, ctx, full)

	// The cgroups: /k8s.io/<id>, for the container and its pause.
	cgs := procCgroups(t, pid)
	id, typ, pod := container.FromCgroups(cgs)
	if id != full[:12] || typ != container.TypeContainerd || pod != "" {
		t.Errorf("pid %d, cgroups %q: FromCgroups = %q, %v, %q; want %q, containerd", pid, cgs, id, typ, pod, full[:12])
	}
	for _, cg := range cgs {
		if !strings.HasSuffix(cg, ":/k8s.io/"+full) {
			t.Errorf("cgroup %q: not /k8s.io/<id>", cg)
		}
	}
	pausePid := sandboxPid(t, rt, ctx, podID)
	pid2, typ2, _ := container.FromCgroups(procCgroups(t, pausePid))
	if pid2 != podID[:12] || typ2 != container.TypeContainerd {
		t.Errorf("pause %d: %q %v, want %q", pausePid, pid2, typ2, podID[:12])
	}

	// The Resolver, through the CRI: name, image, pod.
	u := newUpdates()
	r := container.NewResolver(u.options(container.Options{CRISockets: []string{sock}, DockerSocket: container.Disabled, PodmanSocket: container.Disabled}))
	defer r.Close()
	info := lookup(t, r, u, id, typ)
	if info.LookupState != container.LookupSuccessful || info.Name != "redis" || info.Image != testImage ||
		info.ImageRepo != "localhost/redis-test" || info.ImageTag != "2.8" || info.ImageID == "" ||
		info.FullID != full || info.Type != container.TypeContainerd ||
		info.PodName != "redis-pod" || info.PodNamespace != "syscope-test" || info.PodUID != uid || info.PodSandboxID != podID ||
		info.Labels["tier"] != "cache" || info.Labels["io.kubernetes.pod.name"] != "redis-pod" ||
		info.Labels["io.kubernetes.pod.namespace"] != "syscope-test" || info.Labels["io.kubernetes.pod.uid"] != uid ||
		info.PodLabels["app"] != "redis" {
		t.Errorf("CRI gave %+v", info)
	}
	t.Logf("container %s: name %s image %s (id %.12s, digest %s) pod %s/%s uid %s", info.ID, info.Name, info.Image, info.ImageID, info.ImageDigest, info.PodNamespace, info.PodName, info.PodUID)
	sbInfo := lookup(t, r, u, pid2, typ2)
	if !sbInfo.IsPodSandbox || sbInfo.Name != "redis-pod" || sbInfo.PodUID != uid || sbInfo.FullID != podID {
		t.Errorf("sandbox: %+v", sbInfo)
	}
	if w := u.warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}

	// containerd's own containers: ctr run gives /<namespace>/<name>.
	ctr("-n", "default", "images", "import", filepath.Join(dir, "img.tar"))
	task := "syscope-" + runtimetest.RandHex(4)
	cgroups = append(cgroups, "default/"+task)
	ctr("-n", "default", "run", "-d", testImage, task, "/bin/sleep", "600")
	t.Cleanup(func() {
		exec.Command("ctr", "-a", sock, "-n", "default", "task", "kill", "-s", "KILL", task).Run()
		for range 50 {
			if exec.Command("ctr", "-a", sock, "-n", "default", "task", "rm", task).Run() == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		exec.Command("ctr", "-a", sock, "-n", "default", "containers", "rm", task).Run()
	})
	var taskPid int
	for _, line := range strings.Split(ctr("-n", "default", "task", "ls"), "\n")[1:] {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == task {
			taskPid, _ = strconv.Atoi(f[1])
		}
	}
	if id, typ, _ := container.FromCgroups(procCgroups(t, taskPid)); id != task || typ != container.TypeContainerd {
		t.Errorf("ctr run %s (pid %d): %q %v; cgroups %q", task, taskPid, id, typ, procCgroups(t, taskPid))
	}
	t.Logf("containerd end to end: %v", time.Since(start).Round(time.Millisecond))
}

// criPid is the pid of a CRI container, from containerd's verbose status.
func criPid(t *testing.T, rt cri.RuntimeServiceClient, ctx context.Context, id string) int {
	t.Helper()
	st, err := rt.ContainerStatus(ctx, &cri.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		t.Fatalf("ContainerStatus: %v", err)
	}
	var v struct{ Pid int }
	if err := json.Unmarshal([]byte(st.Info["info"]), &v); err != nil || v.Pid == 0 {
		t.Fatalf("no pid in the verbose status: %v %q", err, st.Info["info"])
	}
	return v.Pid
}

func sandboxPid(t *testing.T, rt cri.RuntimeServiceClient, ctx context.Context, id string) int {
	t.Helper()
	st, err := rt.PodSandboxStatus(ctx, &cri.PodSandboxStatusRequest{PodSandboxId: id, Verbose: true})
	if err != nil {
		t.Fatalf("PodSandboxStatus: %v", err)
	}
	var v struct{ Pid int }
	if err := json.Unmarshal([]byte(st.Info["info"]), &v); err != nil || v.Pid == 0 {
		t.Fatalf("no pid in the sandbox's verbose status: %v %q", err, st.Info["info"])
	}
	return v.Pid
}
