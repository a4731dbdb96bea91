// Command syscope shows what processes and containers do at the level of
// system calls, with sysdig's command line, and explains why things break.
//
// Usage:
//
//	syscope -r FILE [options] [filter]   read a capture, like sysdig -r
//	syscope vsyscall [scan TARGET]       the host's vsyscall mode; old binaries that need it
//	syscope bench time                   time() through the vDSO, syscall and vsyscall page
//
// See syscope -h for the options.
package main

import (
	"io"
	"os"

	"github.com/syscope/syscope/vsyscall"
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch runs a subcommand, or the sysdig-compatible command line when
// the first word is not one.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "vsyscall":
			return vsyscall.Main(args[1:], stdout, stderr)
		case "bench":
			if len(args) > 1 && args[1] == "time" {
				return vsyscall.BenchTimeMain(args[2:], stdout, stderr)
			}
			io.WriteString(stderr, "syscope: usage: syscope bench time [-d DURATION] [--path vdso,syscall,vsyscall]\n")
			return 2
		}
	}
	return run(args, stdout, stderr)
}
