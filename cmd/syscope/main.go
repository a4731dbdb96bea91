// Command syscope reads sysdig capture files (.scap) and prints their
// events the way sysdig 0.29.3 does.
//
// Usage:
//
//	syscope -r FILE [options] [filter]
//
// See syscope -h for the options.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
