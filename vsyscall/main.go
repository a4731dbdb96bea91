package vsyscall

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

const usage = `usage: syscope vsyscall [--json]
       syscope vsyscall scan [--json] [-j N] TARGET...
       syscope vsyscall bench [-d DURATION] [--path vdso,syscall,vsyscall]

With no command, report how this kernel treats the legacy vsyscall page
(mode none, xonly, emulate or native) and what that means for old binaries.

scan finds code that calls or jumps into the vsyscall page
(0xffffffffff600000-0xffffffffff600fff: gettimeofday at +0x000, time at
+0x400, getcpu at +0x800). TARGET is an ELF file, a directory (a root
filesystem or an OCI image layout), a tar archive (a root filesystem, or an
image saved by docker/podman save, docker-archive or OCI), or the name of a
local image (saved with podman). Exit status: 0 clean, 1 findings, 2 error.
  --json    print the report as JSON
  -j N      scan N files at once (default: four per CPU)

bench measures time() calls per second through the vDSO, the syscall
instruction and the vsyscall page, each in a child process (under
vsyscall=none the vsyscall child dies of SIGSEGV, and the report says so).
  -d DURATION   how long to measure each path (default 300ms)
  --path LIST   which paths, comma-separated (default all)
`

// Main runs the "syscope vsyscall" command; args are the words after
// "vsyscall". It returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "scan":
			return scanMain(args[1:], stdout, stderr)
		case "bench":
			rest := args[1:]
			if len(rest) > 0 && rest[0] == "time" {
				rest = rest[1:]
			}
			return BenchTimeMain(rest, stdout, stderr)
		case "mode":
			args = args[1:]
		case "-h", "--help", "help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	jsonOut := false
	for _, a := range args {
		switch a {
		case "--json", "-json":
			jsonOut = true
		case "-h", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		default:
			return usageError(stderr, "unknown argument %q", a)
		}
	}
	h, err := DetectHost()
	if err != nil {
		fmt.Fprintf(stderr, "syscope: %v\n", err)
		return 2
	}
	if jsonOut {
		v := struct {
			*HostInfo
			Explanation string `json:"explanation"`
		}{h, h.Mode.Explain()}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return 2
		}
		return 0
	}
	fmt.Fprint(stdout, h)
	return 0
}

func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "syscope vsyscall: "+format+"\n", args...)
	fmt.Fprint(stderr, usage)
	return 2
}

func scanMain(args []string, stdout, stderr io.Writer) int {
	var targets []string
	var opts ScanOptions
	jsonOut := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--json" || a == "-json":
			jsonOut = true
		case a == "-j" || a == "--jobs":
			if i+1 >= len(args) {
				return usageError(stderr, "%s needs a number", a)
			}
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil || n < 1 {
				return usageError(stderr, "%s: bad number %q", a, args[i])
			}
			opts.Jobs = n
		case a == "-h" || a == "--help":
			fmt.Fprint(stdout, usage)
			return 0
		case a == "--":
			targets = append(targets, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			return usageError(stderr, "unknown option %q", a)
		default:
			targets = append(targets, a)
		}
	}
	if len(targets) == 0 {
		return usageError(stderr, "scan needs a TARGET")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	host, _ := DetectHost()
	status := 0
	for _, t := range targets {
		start := time.Now()
		rep, err := Scan(ctx, t, opts)
		for _, w := range rep.Warnings {
			fmt.Fprintf(stderr, "syscope: warning: %s\n", w)
		}
		if err != nil {
			fmt.Fprintf(stderr, "syscope: %v\n", err)
			status = 2
			continue
		}
		if len(rep.Findings) > 0 && status == 0 {
			status = 1
		}
		if jsonOut {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if rep.Findings == nil {
				rep.Findings = []Finding{}
			}
			_ = enc.Encode(rep)
			continue
		}
		writeScan(stdout, rep, host, time.Since(start))
	}
	return status
}

func writeScan(w io.Writer, rep *Report, host *HostInfo, took time.Duration) {
	for _, f := range rep.Findings {
		fmt.Fprintln(w, f)
	}
	files := fmt.Sprintf("%d ELF file", rep.ELFFiles)
	if rep.ELFFiles != 1 {
		files += "s"
	}
	if rep.Files > rep.ELFFiles {
		files += fmt.Sprintf(" (of %d files)", rep.Files)
	}
	took = took.Round(time.Millisecond)
	if len(rep.Findings) == 0 {
		fmt.Fprintf(w, "%s: no calls into the vsyscall page in %s, %v\n", rep.Target, files, took)
		return
	}
	calls := "calls"
	if len(rep.Findings) == 1 {
		calls = "call"
	}
	fmt.Fprintf(w, "%s: %d %s into the vsyscall page in %d of %s, %v\n", rep.Target, len(rep.Findings), calls, rep.FilesWithFindings(), files, took)
	if host != nil {
		switch host.Mode {
		case ModeNone:
			fmt.Fprintln(w, "this host runs vsyscall=none: these programs crash with SIGSEGV (exit status 139) when they reach those calls")
		case ModeXonly, ModeEmulate:
			fmt.Fprintf(w, "this host runs vsyscall=%s: those calls work, each trapping into the kernel to be emulated\n", host.Mode)
		case ModeNative:
			fmt.Fprintln(w, "this host runs vsyscall=native: those calls run the page's code")
		}
	}
}

// BenchTimeMain runs "syscope bench time"; args are the words after
// "time": [-d DURATION] [--path vdso,syscall,vsyscall].
func BenchTimeMain(args []string, stdout, stderr io.Writer) int {
	var opts BenchOptions
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() (string, bool) {
			if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "-") {
				return v, true
			}
			if i+1 < len(args) {
				i++
				return args[i], true
			}
			return "", false
		}
		name, _, _ := strings.Cut(a, "=")
		switch name {
		case "-d", "--duration", "-duration":
			v, ok := val()
			d, err := time.ParseDuration(v)
			if !ok || err != nil || d <= 0 {
				return usageError(stderr, "%s needs a duration such as 500ms", name)
			}
			opts.Duration = d
		case "--path", "-path", "--paths":
			v, ok := val()
			if !ok {
				return usageError(stderr, "%s needs a list of paths", name)
			}
			for _, p := range strings.Split(v, ",") {
				switch p {
				case PathVDSO, PathSyscall, PathVsyscall:
					opts.Paths = append(opts.Paths, p)
				default:
					return usageError(stderr, "unknown path %q: want vdso, syscall or vsyscall", p)
				}
			}
		case "-h", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		default:
			return usageError(stderr, "unknown argument %q", a)
		}
	}
	return BenchTime(stdout, stderr, opts)
}
