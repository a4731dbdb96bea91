package testvm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Config describes one boot.
type Config struct {
	// Cmdline is appended to the kernel command line, after
	// "console=ttyS0 quiet loglevel=1 panic=-1", so its options win:
	// e.g. "vsyscall=none".
	Cmdline string
	// Files are copied into the initramfs: guest path (absolute) to host
	// path. The permission bits are kept, so executables stay executable.
	Files map[string]string
	// Script is run by busybox sh as /script.sh, its standard output and
	// error going to the serial console.
	Script string
	// Timeout bounds the whole boot; 0 means 3 minutes.
	Timeout time.Duration
	// Memory is the guest's memory size for qemu's -m; "" means 1G.
	Memory string
	// Kernel is the bzImage to boot; "" means Debian's 6.1 kernel (see
	// Kernel).
	Kernel string
	// Log, when set, receives the whole serial console, boot messages
	// included, as it comes.
	Log io.Writer
}

// A ScriptError is returned by Run when the guest's script exited with a
// non-zero status.
type ScriptError struct {
	Status int
}

func (e *ScriptError) Error() string {
	return fmt.Sprintf("guest script exited with status %d", e.Status)
}

// Markers framing the script's output on the console.
const (
	beginMarker = "@@SYSCOPE-TESTVM-BEGIN@@"
	endMarker   = "@@SYSCOPE-TESTVM-END rc="
)

// initScript is the guest's /init.
const initScript = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
cd /
echo ` + beginMarker + `
sh /script.sh </dev/null 2>&1
rc=$?
echo "` + endMarker + `$rc@@"
sync
poweroff -f
sleep 10
`

// Run boots the kernel under qemu (software emulation) with an initramfs
// of busybox, cfg.Files and cfg.Script; /init mounts proc, sysfs,
// devtmpfs, tracefs and tmpfs, runs the script and powers off. It returns
// the script's output (standard output and error, with "\n" line ends). The
// error is a *ScriptError when the script exited non-zero, and another
// error when the guest could not be booted or did not finish in time.
func Run(ctx context.Context, cfg Config) (string, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Minute
	}
	if cfg.Memory == "" {
		cfg.Memory = "1G"
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return "", errors.New("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)")
	}
	kernel := cfg.Kernel
	if kernel == "" {
		if kernel, err = Kernel(ctx); err != nil {
			return "", err
		}
	}
	dir, err := os.MkdirTemp("", "syscope-testvm-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	initrd := filepath.Join(dir, "initrd.gz")
	if err := BuildInitramfs(initrd, cfg.Files, cfg.Script); err != nil {
		return "", err
	}
	args := []string{
		"-accel", "tcg", "-cpu", "max", "-m", cfg.Memory, "-smp", "1",
		"-nographic", "-no-reboot", "-net", "none",
		"-kernel", kernel, "-initrd", initrd,
		"-append", strings.TrimSpace("console=ttyS0 quiet loglevel=1 panic=-1 " + cfg.Cmdline),
	}
	if _, err := os.Stat(qbootROM); err == nil {
		args = append(args, "-bios", qbootROM)
	}
	cmd := exec.CommandContext(ctx, qemu, args...)
	cmd.WaitDelay = 5 * time.Second
	var console bytes.Buffer
	var stderr bytes.Buffer
	var out io.Writer = &console
	if cfg.Log != nil {
		out = io.MultiWriter(&console, cfg.Log)
	}
	cmd.Stdout = out
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	text := strings.ReplaceAll(console.String(), "\r", "")
	output, status, found := parseConsole(text)
	if !found {
		why := "qemu exited"
		if ctx.Err() != nil {
			why = fmt.Sprintf("timed out after %v", cfg.Timeout)
		} else if runErr != nil {
			why = fmt.Sprintf("qemu failed: %v", runErr)
		}
		return output, fmt.Errorf("guest did not finish its script: %s\nqemu stderr: %s\nconsole (last lines):\n%s",
			why, tail(stderr.String(), 5), tail(text, 30))
	}
	if status != 0 {
		return output, &ScriptError{Status: status}
	}
	return output, nil
}

const qbootROM = "/usr/share/qemu/qboot.rom"

var endRE = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(endMarker) + `(\d+)@@$`)

// parseConsole extracts the script's output and exit status from the
// console text; found is false when the end marker never came.
func parseConsole(text string) (output string, status int, found bool) {
	i := strings.Index(text, beginMarker+"\n")
	if i < 0 {
		return "", 0, false
	}
	body := text[i+len(beginMarker)+1:]
	loc := endRE.FindStringSubmatchIndex(body)
	if loc == nil {
		return body, 0, false
	}
	status, _ = strconv.Atoi(body[loc[2]:loc[3]])
	return body[:loc[0]], status, true
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// BuildInitramfs writes to dst a gzip-compressed newc cpio archive holding
// a static busybox as /bin/busybox (and /bin/sh), /dev/console, the /init
// above, script as /script.sh, and files (guest path to host path).
func BuildInitramfs(dst string, files map[string]string, script string) error {
	bb, err := findBusybox()
	if err != nil {
		return err
	}
	fs := newInitramfs()
	for _, d := range []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/proc", "/sys", "/dev", "/tmp", "/run", "/root", "/etc", "/mnt"} {
		fs.mkdirAll(d)
	}
	fs.addCharDev("/dev/console", 0o600, 5, 1)
	fs.addCharDev("/dev/null", 0o666, 1, 3)
	fs.addFile("/bin/busybox", 0o755, opener(bb))
	fs.addSymlink("/bin/sh", "busybox")
	fs.addData("/init", 0o755, []byte(initScript))
	fs.addData("/script.sh", 0o755, []byte(script))
	fs.addData("/etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	for guest, host := range files {
		if !path.IsAbs(guest) || path.Clean(guest) != guest {
			return fmt.Errorf("guest path %q: want a clean absolute path", guest)
		}
		fi, err := os.Stat(host)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", host)
		}
		fs.addFile(guest, uint32(fi.Mode().Perm()), opener(host))
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err := fs.write(zw); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func opener(p string) func() (io.ReadCloser, int64, error) {
	return func() (io.ReadCloser, int64, error) {
		f, err := os.Open(p)
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, fi.Size(), nil
	}
}

// findBusybox finds a statically linked busybox (Debian's busybox-static
// installs one as /bin/busybox).
func findBusybox() (string, error) {
	var cands []string
	if p, err := exec.LookPath("busybox"); err == nil {
		cands = append(cands, p)
	}
	cands = append(cands, "/bin/busybox", "/usr/bin/busybox")
	for _, c := range cands {
		if IsStatic(c) {
			return c, nil
		}
	}
	return "", errors.New("no statically linked busybox (apt-get install busybox-static)")
}

// IsStatic reports whether the file is an ELF executable without a program
// interpreter, one that runs in an initramfs with no libraries.
func IsStatic(p string) bool {
	f, err := elf.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return false
		}
	}
	return f.Type == elf.ET_EXEC || f.Type == elf.ET_DYN
}

// CacheDir holds the downloaded kernel, across runs.
const CacheDir = "/var/tmp/syscope-testvm"

var kernelMu sync.Mutex

// Kernel returns the path of Debian's 6.1 kernel image, downloading it
// into CacheDir the first time: the package linux-image-amd64 depends on
// (found with apt-cache), fetched with apt-get download, and only its
// boot/vmlinuz-* taken out (the modules are not needed). A lock file keeps
// concurrent test processes from downloading it twice.
func Kernel(ctx context.Context) (string, error) {
	kernelMu.Lock()
	defer kernelMu.Unlock()
	if err := os.MkdirAll(CacheDir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(CacheDir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	pkg, err := kernelPackage(ctx)
	if err != nil {
		// Offline, or apt's lists are gone: any kernel already cached
		// will do.
		if m, _ := filepath.Glob(filepath.Join(CacheDir, "linux-image-6.1*", "vmlinuz-*")); len(m) > 0 {
			return m[len(m)-1], nil
		}
		return "", err
	}
	dir := filepath.Join(CacheDir, pkg)
	if m, _ := filepath.Glob(filepath.Join(dir, "vmlinuz-*")); len(m) > 0 {
		return m[0], nil
	}
	tmp, err := os.MkdirTemp(CacheDir, "download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	get := exec.CommandContext(ctx, "apt-get", "download", pkg)
	get.Dir = tmp
	if out, err := get.CombinedOutput(); err != nil {
		return "", fmt.Errorf("apt-get download %s: %v: %s", pkg, err, tail(string(out), 5))
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return "", fmt.Errorf("apt-get download %s: no .deb file", pkg)
	}
	vmlinuz, err := extractVmlinuz(ctx, debs[0], tmp)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, filepath.Base(vmlinuz))
	if err := os.Rename(vmlinuz, dst); err != nil {
		return "", err
	}
	return dst, nil
}

var dependsRE = regexp.MustCompile(`(?m)^\s*Depends:\s*(linux-image-6\.1\.\S+-amd64)\s*$`)

// kernelPackage names the 6.1 kernel package linux-image-amd64 depends on,
// updating apt's lists once if apt-cache knows nothing yet.
func kernelPackage(ctx context.Context) (string, error) {
	for try := 0; try < 2; try++ {
		out, _ := exec.CommandContext(ctx, "apt-cache", "depends", "linux-image-amd64").Output()
		if m := dependsRE.FindSubmatch(out); m != nil {
			return string(m[1]), nil
		}
		if try == 0 {
			if out, err := exec.CommandContext(ctx, "apt-get", "update", "-q", "-o", "DPkg::Lock::Timeout=600").CombinedOutput(); err != nil {
				return "", fmt.Errorf("apt-get update: %v: %s", err, tail(string(out), 5))
			}
		}
	}
	return "", errors.New("apt-cache depends linux-image-amd64 names no linux-image-6.1 package: is this Debian 12?")
}

// extractVmlinuz takes boot/vmlinuz-* out of a kernel .deb into dir.
func extractVmlinuz(ctx context.Context, deb, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", deb)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("dpkg-deb: %w", err)
	}
	found := ""
	tr := tar.NewReader(stdout)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			cmd.Wait()
			return "", fmt.Errorf("reading %s: %v %s", deb, err, stderr.String())
		}
		name := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
		if !strings.HasPrefix(name, "boot/vmlinuz-") || hdr.Typeflag != tar.TypeReg {
			continue
		}
		found = filepath.Join(dir, path.Base(name))
		f, err := os.Create(found)
		if err != nil {
			cmd.Wait()
			return "", err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			cmd.Wait()
			return "", err
		}
	}
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("dpkg-deb --fsys-tarfile %s: %v: %s", deb, err, stderr.String())
	}
	if found == "" {
		return "", fmt.Errorf("%s has no boot/vmlinuz-*", deb)
	}
	return found, nil
}

// Missing lists what Run needs and this machine lacks, as Debian package
// names: qemu-system-x86 and busybox-static.
func Missing() []string {
	var pkgs []string
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		pkgs = append(pkgs, "qemu-system-x86")
	}
	if _, err := findBusybox(); err != nil {
		pkgs = append(pkgs, "busybox-static")
	}
	return pkgs
}

// Install installs the missing packages with apt-get (as root).
func Install(ctx context.Context) error {
	pkgs := Missing()
	if len(pkgs) == 0 {
		return nil
	}
	return AptInstall(ctx, pkgs...)
}

var aptMu sync.Mutex

// AptInstall installs Debian packages, updating apt's lists first if the
// first try fails. It waits for the dpkg lock, which test processes of
// other packages running at the same time may hold.
func AptInstall(ctx context.Context, pkgs ...string) error {
	aptMu.Lock()
	defer aptMu.Unlock()
	apt := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "apt-get", append([]string{"-q", "-o", "DPkg::Lock::Timeout=600"}, args...)...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	install := append([]string{"install", "-y", "--no-install-recommends"}, pkgs...)
	if _, err := apt(install...); err == nil {
		return nil
	}
	if out, err := apt("update"); err != nil {
		return fmt.Errorf("apt-get update: %v: %s", err, tail(string(out), 5))
	}
	if out, err := apt(install...); err != nil {
		return fmt.Errorf("apt-get install %s: %v: %s", strings.Join(pkgs, " "), err, tail(string(out), 5))
	}
	return nil
}
