// Package runtimetest starts real container runtimes for end-to-end
// tests: podman on private storage, containerd on a private config and
// socket, with busybox images built locally (no registry is needed).
// Tests that use it need root; as root it installs the Debian packages
// that are missing. In CI (CI=true) nothing may be missing: a failed
// install fails the test instead of skipping it.
package runtimetest

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// InCI is set by CI, where nothing may be skipped for want of a tool.
var InCI = os.Getenv("CI") == "true"

// NeedRoot skips the test when not root, or fails it in CI.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		if InCI {
			t.Fatal("the end-to-end tests need root")
		}
		t.Skip("the end-to-end tests run containers: they need root")
	}
}

var installMu sync.Mutex

// Need makes sure the commands are there (command -> Debian package),
// installing their packages when they are not and we are root. In CI a
// command that cannot be had fails the test; elsewhere it skips it.
func Need(t testing.TB, pkgs map[string]string) {
	t.Helper()
	installMu.Lock()
	defer installMu.Unlock()
	var missing []string
	for cmd, pkg := range pkgs {
		if _, err := exec.LookPath(cmd); err != nil {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return
	}
	fail := t.Skipf
	if InCI {
		fail = t.Fatalf
	}
	if os.Geteuid() != 0 {
		fail("missing %v and not root to install them", missing)
		return
	}
	t.Logf("installing %v", missing)
	args := append([]string{"install", "-y", "-q"}, missing...)
	cmd := exec.Command("apt-get", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		// The package lists may be missing or stale.
		if out2, err2 := exec.Command("apt-get", "update", "-q").CombinedOutput(); err2 != nil {
			fail("apt-get update: %v\n%s", err2, out2)
			return
		}
		cmd = exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err = cmd.CombinedOutput(); err != nil {
			fail("apt-get install %v: %v\n%s", missing, err, Tail(out))
			return
		}
	}
	for cmd, pkg := range pkgs {
		if _, err := exec.LookPath(cmd); err != nil {
			fail("%s still missing after installing %s", cmd, pkg)
		}
	}
}

// Tail is the end of a command's output, for messages.
func Tail(b []byte) string {
	s := string(b)
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}

// TailFile is Tail of a file.
func TailFile(name string) string {
	b, _ := os.ReadFile(name)
	return Tail(b)
}

// Run runs a command and gives its output, trimmed; it fails the test if
// the command fails.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, Tail(out))
	}
	return strings.TrimSpace(string(out))
}

// Podman runs podman on private storage under Dir, with the settings this
// testbed needs: runc (crun refuses its hybrid cgroups) and the cgroupfs
// manager (no systemd).
type Podman struct{ Dir string }

// Args are podman's arguments for args on this storage.
func (p Podman) Args(args ...string) []string {
	return append([]string{
		"--root", filepath.Join(p.Dir, "root"), "--runroot", filepath.Join(p.Dir, "run"),
		"--tmpdir", filepath.Join(p.Dir, "tmp"), "--cgroup-manager", "cgroupfs", "--runtime", "runc",
		"--events-backend", "file",
	}, args...)
}

// Run runs podman; see Run.
func (p Podman) Run(t testing.TB, args ...string) string {
	t.Helper()
	return Run(t, "podman", p.Args(args...)...)
}

// BuildImage makes a busybox image named name whose command is cmd.
func (p Podman) BuildImage(t testing.TB, name string, cmd []string) {
	t.Helper()
	rootfs := filepath.Join(p.Dir, "rootfs")
	bin := filepath.Join(rootfs, "bin")
	if _, err := os.Stat(bin); err != nil {
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		bb, err := exec.LookPath("busybox")
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(bb)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, "busybox"), data, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"sh", "sleep", "cat", "true", "ls", "echo"} {
			if err := os.Symlink("busybox", filepath.Join(bin, a)); err != nil {
				t.Fatal(err)
			}
		}
	}
	js, _ := json.Marshal(cmd)
	c := exec.Command("sh", append([]string{"-c", `r="$1"; shift; tar -C "$r" -c . | podman "$@"`, "sh", rootfs},
		p.Args("import", "--change", "CMD "+string(js), "-", name)...)...)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("podman import: %v\n%s", err, Tail(out))
	}
}

// Clean removes the containers and images of the private storage. (Not
// `podman system reset`: it would remove the machine's networks too.)
func (p Podman) Clean() {
	exec.Command("podman", p.Args("rm", "--all", "--force", "--time", "0")...).Run()
	exec.Command("podman", p.Args("rmi", "--all", "--force")...).Run()
}

// RunArgs are the `podman run` options this testbed needs: ulimits at or
// below the hard limits, which root cannot raise here.
func RunArgs(t testing.TB) []string {
	nofile := HardNofile(t)
	return []string{"--ulimit", "nofile=" + nofile + ":" + nofile, "--ulimit", "nproc=4096:4096"}
}

// RemoveDir removes a test's directory, after the mounts the runtimes
// may have left in it, deepest first.
func RemoveDir(t testing.TB, dir string) {
	if b, err := os.ReadFile("/proc/self/mounts"); err == nil {
		var mnts []string
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
				mnts = append(mnts, f[1])
			}
		}
		for i := len(mnts) - 1; i >= 0; i-- {
			syscall.Unmount(mnts[i], syscall.MNT_DETACH)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Errorf("cleaning up: %v", err)
	}
}

// HardNofile is the hard limit on open files.
func HardNofile(t testing.TB) string {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatUint(rl.Max, 10)
}

// WaitSocket waits for a unix socket to accept.
func WaitSocket(t testing.TB, sock string, d time.Duration, logf string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer after %v: %v\n%s", sock, d, err, TailFile(logf))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StartDaemon starts a long-running command, logging to logf, and ends it
// when the test ends.
func StartDaemon(t testing.TB, logf string, name string, args ...string) *exec.Cmd {
	t.Helper()
	f, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return cmd
}

// PodmanService serves podman's Docker-compatible API on sock until the
// test ends.
func (p Podman) PodmanService(t testing.TB, sock string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(sock), 0o755); err != nil {
		t.Fatal(err)
	}
	logf := filepath.Join(p.Dir, "service.log")
	StartDaemon(t, logf, "podman", p.Args("system", "service", "--time=0", "unix://"+sock)...)
	WaitSocket(t, sock, 20*time.Second, logf)
}

// Containerd starts containerd with its state under dir, serving on sock,
// whose CRI takes pause as its sandbox image, until the test ends.
func Containerd(t testing.TB, dir, sock, pause string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(sock), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`version = 2
root = %q
state = %q
[grpc]
  address = %q
[ttrpc]
  address = %q
[debug]
  address = %q
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc", filepath.Join(dir, "debug.sock"),
		pause, filepath.Join(dir, "cni/bin"), filepath.Join(dir, "cni/conf"))
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	logf := filepath.Join(dir, "containerd.log")
	StartDaemon(t, logf, "containerd", "--config", filepath.Join(dir, "config.toml"))
	WaitSocket(t, sock, 20*time.Second, logf)
}

// KillLeftovers ends what a test started and did not stop: processes
// whose command line names dir (containerd's shims), and those in the
// cgroups it made ("<namespace>/<id>"), whose directories it then
// removes.
func KillLeftovers(t testing.TB, dir string, cgroups []string) {
	ents, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && strings.Contains(string(b), dir+"/") {
			pids = append(pids, pid)
		}
	}
	var dirs []string
	for _, cg := range cgroups {
		m, _ := filepath.Glob("/sys/fs/cgroup/*/" + cg)
		dirs = append(dirs, m...)
		if _, err := os.Stat("/sys/fs/cgroup/" + cg); err == nil {
			dirs = append(dirs, "/sys/fs/cgroup/"+cg) // a pure v2 host
		}
	}
	for _, d := range dirs {
		b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	slices.Sort(pids)
	pids = slices.Compact(pids)
	for _, pid := range pids {
		t.Logf("ending leftover process %d", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, d := range dirs {
		for range 50 {
			if err := os.Remove(d); err == nil || os.IsNotExist(err) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// RandHex is n random bytes in hex.
func RandHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// RandUUID is a random version 4 UUID.
func RandUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
