package testvm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoCompiler is returned by CompileStatic outside CI when neither gcc
// nor clang is installed: tests skip on it.
var ErrNoCompiler = errors.New("no C compiler (apt-get install gcc libc6-dev)")

// CompileStatic compiles the C program source into a static executable
// at out (gcc -O2 -static, or clang, which .ci/run installs), for an
// initramfs or for a test on the host. When there is neither, it installs
// gcc and libc6-dev in CI (CI=true) and returns ErrNoCompiler elsewhere.
func CompileStatic(ctx context.Context, source, out string) error {
	cc := findCC()
	if cc == "" {
		if !InCI() {
			return ErrNoCompiler
		}
		if err := AptInstall(ctx, "gcc", "libc6-dev"); err != nil {
			return fmt.Errorf("install gcc: %w", err)
		}
		if cc = findCC(); cc == "" {
			return errors.New("no C compiler after installing gcc")
		}
	}
	src := out + ".c"
	if err := os.WriteFile(src, []byte(source), 0o644); err != nil {
		return err
	}
	defer os.Remove(src)
	// Relative names: the object's symbol table names the source file,
	// and the same program must give the same bytes (guestcap caches by
	// hash).
	args := []string{"-O2", "-static", "-o", filepath.Base(out), filepath.Base(src)}
	cmd := exec.CommandContext(ctx, cc, args...)
	cmd.Dir = filepath.Dir(out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, msg)
	}
	if !IsStatic(out) {
		return fmt.Errorf("%s -static made a dynamically linked %s", cc, out)
	}
	return nil
}

func findCC() string {
	for _, c := range []string{"gcc", "clang"} {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}
