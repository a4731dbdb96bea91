// Package testvm boots a second, stock kernel for tests: Debian 12's Linux
// 6.1 under qemu with software emulation (TCG), from an initramfs built on
// the fly, and returns what a test script printed in the guest.
//
// The kernel is the package that linux-image-amd64 depends on, fetched
// with apt-get download and cached in /var/tmp/syscope-testvm (only its
// boot/vmlinuz-* is kept). The initramfs holds a static busybox
// (busybox-static), the files the test names and its script; its /init
// mounts proc, sysfs, devtmpfs, tracefs and tmpfs, runs the script between
// two markers on the serial console and powers the guest off. A boot takes
// about 7 s to reach /init.
//
//	out, err := testvm.Run(ctx, testvm.Config{
//		Cmdline: "vsyscall=none",
//		Files:   map[string]string{"/oldtime": hostBinary},
//		Script:  "/oldtime; echo rc=$?",
//	})
//
// Tests call Require first: it skips under -short, installs qemu and
// busybox-static in CI (CI=true) and fails there if they cannot be had.
// KVM is not used: this project's machines cannot run it for stock kernels.
package testvm
