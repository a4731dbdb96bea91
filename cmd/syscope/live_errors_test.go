package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/syscope/syscope/internal/probe"
)

// TestLiveErrors runs syscope where live capture cannot work and checks
// that it says why in one line on stderr, exits 1 and prints nothing
// else: as an unprivileged user; on a kernel without BTF (a private mount
// namespace hides /sys/kernel/btf); on a kernel without the page fault
// tracepoint (its BTF, which names the tracepoints, replaced by one that
// lacks it). A kernel without BPF ring buffers (before 5.8) cannot be
// made here: internal/probe tests that message.
func TestLiveErrors(t *testing.T) {
	if os.Geteuid() != 0 {
		if inCI {
			t.Fatal("these tests need root, which CI has")
		}
		t.Skip("these tests need root (to drop privileges, and to mount)")
	}
	// A copy of the test binary that any user can run.
	dir, err := os.MkdirTemp("", "syscope-errors-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "syscope")
	if err := copyFile(os.Args[0], bin, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeBTF := filepath.Join(dir, "vmlinux")
	if err := writeBTFWithout(fakeBTF, "page_fault_user"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		command []string // run before "bin ARGS"
		script  string   // or: a shell script in a private mount namespace, with $0 the binary
		args    []string
		want    string
	}{
		{
			name:    "not root",
			command: []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"},
			args:    []string{"-w", filepath.Join(dir, "out.scap")},
			want:    probe.ErrPermission.Error(),
		},
		{
			name:   "no BTF",
			script: `mount -t tmpfs tmpfs /sys/kernel/btf && exec "$0" "$@"`,
			want:   probe.ErrNoBTF.Error(),
		},
		{
			name:   "missing tracepoint",
			script: `mount --bind ` + fakeBTF + ` /sys/kernel/btf/vmlinux && exec "$0" "$@"`,
			args:   []string{"--page-faults"},
			want:   "this kernel has no tracepoint exceptions:page_fault_user, which page fault capture needs",
		},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			var argv []string
			if tc.script != "" {
				argv = append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-c", tc.script, bin}, tc.args...)
			} else {
				argv = append(append(tc.command, bin), tc.args...)
			}
			if _, err := exec.LookPath(argv[0]); err != nil {
				if inCI {
					t.Fatalf("%s (util-linux) is missing", argv[0])
				}
				t.Skipf("%s is missing", argv[0])
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = append(os.Environ(), "SYSCOPE_TEST_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Errorf("exit: %v, want status 1", err)
			}
			want := "syscope: start live capture: " + tc.want + "\n"
			if stderr.String() != want || stdout.Len() != 0 {
				t.Errorf("stderr %q, stdout %q\nwant stderr %q", stderr.String(), stdout.String(), want)
			}
			if _, err := os.Stat(filepath.Join(dir, "out.scap")); err == nil {
				t.Error("a capture file was left behind")
			}
		})
	}
}

// writeBTFWithout writes a BTF blob that names, as a kernel's does, every
// tracepoint the probe uses (as btf_trace_NAME typedefs) but one.
func writeBTFWithout(path, missing string) error {
	var types []btf.Type
	tps := probe.Tracepoints(probe.Options{PageFaults: true})
	for _, tp := range tps {
		_, name, _ := strings.Cut(tp, ":")
		if name != missing {
			types = append(types, &btf.Typedef{Name: "btf_trace_" + name, Type: &btf.Pointer{Target: &btf.Void{}}})
		}
	}
	if len(types) == len(tps) {
		return errors.New("the probe uses no tracepoint " + missing)
	}
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		return err
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
