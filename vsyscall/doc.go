// Package vsyscall implements "syscope vsyscall": it tells how the running
// kernel treats the legacy x86-64 vsyscall page, finds the programs that
// still call it, and measures what such a call costs.
//
// Old C libraries (Debian 7 Wheezy's glibc 2.13, for one) implement time(),
// gettimeofday() and getcpu() by calling fixed addresses in a page the
// kernel maps at 0xffffffffff600000. Current kernels either do not map the
// page (vsyscall=none: the call raises SIGSEGV, and a container built on
// such an image dies at start with status 139) or make it non-readable or
// non-executable and emulate each call after a page fault (xonly, emulate:
// about 100 times slower than the vDSO).
//
//   - DetectHost reads the mode from /proc/self/maps, the kernel command
//     line and the kernel configuration.
//   - ScanELF and Scan disassemble the executable code of ELF files (alone,
//     in a root filesystem, in an image archive or a local image) and report
//     every call or jump into the page, with its function and entry point.
//     Only the windows around byte patterns that can encode such an
//     instruction are disassembled, so a scan reads at disk speed.
//   - BenchTime measures time() through the vDSO, the syscall instruction
//     and the vsyscall page, each path in a child process.
//
// The package's init function makes any program that imports it a
// benchmark child when the environment variable
// SYSCOPE_VSYSCALL_BENCH_CHILD is set: the child re-executes the same
// binary (/proc/self/exe), so the benchmark needs no helper program.
//
// Main is the command line; cmd/syscope calls it with the arguments after
// "vsyscall", and BenchTimeMain with those after "bench time".
package vsyscall
