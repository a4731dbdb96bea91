// Command vscmd is a stand-in for syscope with only the vsyscall commands,
// wired the way cmd/syscope wires them:
//
//	vscmd vsyscall [ARGS...]     is "syscope vsyscall ARGS..."
//	vscmd bench time [ARGS...]   is "syscope bench time ARGS..."
//
// The VM tests build it with CGO_ENABLED=0 to get a static binary for the
// guest when the test binary itself is not static.
package main

import (
	"fmt"
	"os"

	"github.com/syscope/syscope/vsyscall"
)

func main() {
	args := os.Args[1:]
	switch {
	case len(args) > 0 && args[0] == "vsyscall":
		os.Exit(vsyscall.Main(args[1:], os.Stdout, os.Stderr))
	case len(args) > 0 && args[0] == "bench":
		rest := args[1:]
		if len(rest) > 0 && rest[0] == "time" {
			rest = rest[1:]
		}
		os.Exit(vsyscall.BenchTimeMain(rest, os.Stdout, os.Stderr))
	}
	fmt.Fprintln(os.Stderr, "usage: vscmd vsyscall [ARGS...] | vscmd bench time [ARGS...]")
	os.Exit(2)
}
