package probe

// The probe is compiled from bpf/probe.bpf.c by bpf2go; its output
// (probe_x86_bpfel.go and probe_x86_bpfel.o) is committed, so building
// syscope needs no C compiler. To rebuild it after changing bpf/ (needs
// clang and llvm-strip; Debian 12's clang 14 produced the committed
// object): go generate ./internal/probe, or scripts/check-bpf-generated.sh,
// which also fails if the committed files are stale.
//
// -type makes bpf2go emit Go types for the C structs user space reads, so
// the layouts cannot drift apart. -mcpu=v3 (Linux >= 5.1) uses 32-bit jumps
// and ALU operations, shorter programs than bpf2go's default v1.

//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -strip llvm-strip -target amd64 -go-package probe -no-global-types -type counters -type syscall_info probe ../../bpf/probe.bpf.c -- -I../../bpf -mcpu=v3 -Wall -Werror
