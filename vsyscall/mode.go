package vsyscall

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// A Mode is how the kernel treats the vsyscall page.
type Mode string

// The modes, as named by the vsyscall= kernel option.
const (
	// ModeNone: the page is not mapped; calling it raises SIGSEGV.
	ModeNone Mode = "none"
	// ModeXonly: calls are emulated by the kernel after a page fault;
	// reading the page raises SIGSEGV (the default of current kernels).
	ModeXonly Mode = "xonly"
	// ModeEmulate: calls are emulated after a page fault; the page can be
	// read.
	ModeEmulate Mode = "emulate"
	// ModeNative: the page holds real code that executes (removed in
	// Linux 4.20).
	ModeNative Mode = "native"
)

// HostInfo is what DetectHost found out about the running kernel.
type HostInfo struct {
	Mode Mode `json:"mode"`
	// Mapping is the [vsyscall] line of /proc/self/maps ("" when the page
	// is not mapped) and Perms its permissions ("r-xp", "--xp").
	Mapping string `json:"mapping,omitempty"`
	Perms   string `json:"perms,omitempty"`
	// Cmdline is the kernel command line and CmdlineMode the value of its
	// last vsyscall= option, the one the kernel uses ("" if none).
	Cmdline     string `json:"cmdline"`
	CmdlineMode string `json:"cmdline_mode,omitempty"`
	// Config is the CONFIG_LEGACY_VSYSCALL_* option set in the kernel's
	// configuration, read from ConfigSource ("" if no configuration was
	// found).
	Config       string `json:"config,omitempty"`
	ConfigSource string `json:"config_source,omitempty"`
	// Release is the kernel release (uname -r).
	Release string `json:"release"`
}

// DetectHost reads the vsyscall mode of the running kernel from
// /proc/self/maps, /proc/cmdline and the kernel configuration
// (/boot/config-RELEASE or /proc/config.gz).
func DetectHost() (*HostInfo, error) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, fmt.Errorf("reading the memory map: %w", err)
	}
	cmdline, _ := os.ReadFile("/proc/cmdline")
	release := kernelRelease()
	config, source := readKernelConfig(release)
	return detect(string(maps), string(cmdline), config, source, release), nil
}

// detect works out the mode from the contents of /proc/self/maps,
// /proc/cmdline and the kernel configuration.
func detect(maps, cmdline, config, configSource, release string) *HostInfo {
	h := &HostInfo{Cmdline: strings.TrimSpace(cmdline), Release: release}
	for _, line := range strings.Split(maps, "\n") {
		if strings.HasSuffix(strings.TrimSpace(line), "[vsyscall]") {
			h.Mapping = strings.Join(strings.Fields(line), " ")
			if f := strings.Fields(line); len(f) > 1 {
				h.Perms = f[1]
			}
			break
		}
	}
	h.CmdlineMode = cmdlineMode(h.Cmdline)
	if config != "" {
		h.ConfigSource = configSource
		for _, line := range strings.Split(config, "\n") {
			if strings.HasPrefix(line, "CONFIG_LEGACY_VSYSCALL_") && strings.HasSuffix(line, "=y") {
				h.Config = line
			}
		}
	}
	switch {
	case h.Mapping == "":
		h.Mode = ModeNone
	case len(h.Perms) >= 1 && h.Perms[0] != 'r':
		h.Mode = ModeXonly
	default:
		// Emulate and native both map the page r-x: native is only
		// possible before Linux 4.20, asked for on the command line or
		// built in as the default.
		h.Mode = ModeEmulate
		native := h.CmdlineMode == "native" ||
			(h.CmdlineMode == "" && h.Config == "CONFIG_LEGACY_VSYSCALL_NATIVE=y")
		if native && releaseBefore(release, 4, 20) {
			h.Mode = ModeNative
		}
	}
	return h
}

// cmdlineMode returns the value of the last valid vsyscall= option on the
// kernel command line, the one that wins (the kernel ignores values it does
// not know); arguments after "--" go to init.
func cmdlineMode(cmdline string) string {
	mode := ""
	for _, w := range strings.Fields(cmdline) {
		if w == "--" {
			break
		}
		if v, ok := strings.CutPrefix(w, "vsyscall="); ok {
			switch Mode(v) {
			case ModeNone, ModeXonly, ModeEmulate, ModeNative:
				mode = v
			}
		}
	}
	return mode
}

// releaseBefore reports whether the kernel release "M.N..." is older than
// major.minor; an unparsable release counts as older, so that the
// configuration decides.
func releaseBefore(release string, major, minor int) bool {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return true
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return true
	}
	return ma < major || (ma == major && mi < minor)
}

func kernelRelease() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return ""
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}

// readKernelConfig returns the kernel configuration's vsyscall lines and
// where they came from, or "" when there is no configuration to read.
func readKernelConfig(release string) (string, string) {
	grep := func(r io.Reader) string {
		var b strings.Builder
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "VSYSCALL") {
				b.WriteString(sc.Text())
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	if release != "" {
		p := "/boot/config-" + release
		if f, err := os.Open(p); err == nil {
			defer f.Close()
			return grep(f), p
		}
	}
	if f, err := os.Open("/proc/config.gz"); err == nil {
		defer f.Close()
		if zr, err := gzip.NewReader(f); err == nil {
			return grep(zr), "/proc/config.gz"
		}
	}
	return "", ""
}

// Explain says in plain words what the mode means for programs built with
// an old C library.
func (m Mode) Explain() string {
	const who = "Old programs call time(), gettimeofday() and getcpu() by jumping to fixed addresses in the vsyscall page at 0xffffffffff600000: binaries linked statically against an old glibc, and containers whose image ships one (Debian 7 Wheezy's glibc 2.13, as in the redis:2.8.22 image, calls 0xffffffffff600400 for every time()). Current C libraries use the vDSO instead."
	switch m {
	case ModeNone:
		return who + " On this kernel the page is not mapped: such a program is killed by SIGSEGV (exit status 139, signal 11) the first time it makes one of those calls, typically right at start. The kernel log then says \"vsyscall attempted with vsyscall=none ip:ffffffffff600400\" (unless the sysctl debug.exception-trace is 0). To run it, boot with vsyscall=xonly (or emulate), or rebuild the image on a current base."
	case ModeXonly:
		return who + " On this kernel such calls work but each one traps into the kernel: the page is execute-only, the jump page-faults and the kernel emulates the call, about 100x slower than the vDSO. Reading the page (rare, very old code) gives SIGSEGV."
	case ModeEmulate:
		return who + " On this kernel such calls work but each one traps into the kernel: the jump page-faults and the kernel emulates the call, about 100x slower than the vDSO. The page can be read."
	case ModeNative:
		return who + " On this kernel the page holds real code that runs without a fault (each call still makes a system call), and that code sits at a fixed address that exploits can use."
	}
	return ""
}

// String prints the report of the vsyscall command.
func (h *HostInfo) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vsyscall mode: %s\n", h.Mode)
	if h.Mapping == "" {
		b.WriteString("  /proc/self/maps: no [vsyscall] mapping: the page is not mapped\n")
	} else {
		what := "readable and executable: emulate or native"
		switch h.Mode {
		case ModeXonly:
			what = "execute-only"
		case ModeEmulate:
			what = "readable and executable: emulate, native mode being gone since Linux 4.20"
		case ModeNative:
			what = "readable and executable"
		}
		fmt.Fprintf(&b, "  /proc/self/maps: %s (%s)\n", h.Mapping, what)
	}
	if h.CmdlineMode != "" {
		fmt.Fprintf(&b, "  kernel command line: vsyscall=%s\n", h.CmdlineMode)
	} else {
		b.WriteString("  kernel command line: no vsyscall= option: the kernel's built-in default applies\n")
	}
	switch {
	case h.Config != "":
		fmt.Fprintf(&b, "  kernel config: %s (%s)\n", h.Config, h.ConfigSource)
	case h.ConfigSource != "":
		fmt.Fprintf(&b, "  kernel config: no CONFIG_LEGACY_VSYSCALL_* option (%s)\n", h.ConfigSource)
	default:
		b.WriteString("  kernel config: not available (no /boot/config-RELEASE nor /proc/config.gz)\n")
	}
	if h.Release != "" {
		fmt.Fprintf(&b, "  kernel: %s\n", h.Release)
	}
	b.WriteString("\n")
	b.WriteString(wrap(h.Mode.Explain(), 76))
	b.WriteString("\nTo find such programs: syscope vsyscall scan FILE|DIR|ARCHIVE|IMAGE\n")
	return b.String()
}

// wrap breaks text into lines of at most width columns.
func wrap(text string, width int) string {
	var b strings.Builder
	col := 0
	for _, w := range strings.Fields(text) {
		if col > 0 && col+1+len(w) > width {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	b.WriteByte('\n')
	return b.String()
}
