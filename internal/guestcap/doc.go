// Package guestcap makes, for tests, a live capture of the vsyscall crash
// on a second, stock kernel: Debian 12's Linux 6.1 under qemu (package
// testvm), booted with vsyscall=none.
//
// In the guest, a static syscope (built from ./cmd/syscope with
// CGO_ENABLED=0) runs "syscope -w /tmp/cap.scap --page-faults" while a
// static C program, /oldtime, calls time() through the legacy vsyscall page,
// ((time_t(*)(time_t*))0xffffffffff600400)(NULL), and dies of SIGSEGV
// (exit status 139). syscope is stopped with SIGINT, and the capture comes
// back to the host gzip-compressed and base64-encoded on the serial console
// between two markers (Debian's kernel has no built-in disk driver qemu
// could offer a second drive through).
//
//	path := guestcap.VsyscallCrash(t) // skips or fails t like testvm.Require
//	// syscope -r path, sysdig -r path, syscope -r path -c crashes ...
//
// The capture holds, for the process named oldtime: its execve, a
// page_fault at FFFFFFFFFF600400 with INSTRUCTION_FETCH, the signaldeliver
// of SIGSEGV and its procexit with status 11. One boot takes 30 s to a few
// minutes under TCG, so the file is made once and kept in testvm.CacheDir
// under a name derived from the syscope binary, the program and the kernel:
// test processes of several packages, and later runs of the same code,
// share it (a lock file makes the second wait for the first).
package guestcap
