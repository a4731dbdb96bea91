package vsyscall

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// asm helpers: x86-64 encodings used by the tests.
func movRAX(v uint32) []byte { // mov $sext(v),%rax
	return append([]byte{0x48, 0xc7, 0xc0}, le32(v)...)
}
func movabsRAX(v uint64) []byte { // movabs $v,%rax
	b := []byte{0x48, 0xb8}
	return binary.LittleEndian.AppendUint64(b, v)
}
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

var (
	callRAX = []byte{0xff, 0xd0}
	jmpRAX  = []byte{0xff, 0xe0}
	callRDX = []byte{0xff, 0xd2}
	ret     = []byte{0xc3}
	nop4    = []byte{0x0f, 0x1f, 0x40, 0x00}
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// relTo encodes a rel32 instruction (opcode bytes op) at pc targeting t.
func relTo(op []byte, pc, t uint64) []byte {
	next := pc + uint64(len(op)) + 4
	return append(append([]byte{}, op...), le32(uint32(int32(int64(t-next))))...)
}

func TestAnalyze(t *testing.T) {
	const base = 0x401000
	cases := []struct {
		name  string
		code  []byte
		want  []string // instruction texts found
		addrs []uint64 // targets
	}{
		{"mov call", cat(movRAX(0xff600400), callRAX, ret),
			[]string{"mov $0xffffffffff600400,%rax; call *%rax"}, []uint64{AddrTime}},
		{"movabs jmp", cat(movabsRAX(AddrGettimeofday), jmpRAX),
			[]string{"mov $0xffffffffff600000,%rax; jmp *%rax"}, []uint64{AddrGettimeofday}},
		{"r12", cat([]byte{0x49, 0xc7, 0xc4}, le32(0xff600800), []byte{0x41, 0xff, 0xd4}),
			[]string{"mov $0xffffffffff600800,%r12; call *%r12"}, []uint64{AddrGetcpu}},
		{"copy", cat(movRAX(0xff600400), []byte{0x48, 0x89, 0xc2}, callRDX),
			[]string{"mov $0xffffffffff600400,%rax; call *%rdx"}, []uint64{AddrTime}},
		{"lea", cat([]byte{0x48, 0x8d, 0x04, 0x25}, le32(0xff600400), callRAX),
			[]string{"lea 0xffffffffff600400,%rax; call *%rax"}, []uint64{AddrTime}},
		{"direct call", cat(nop4, relTo([]byte{0xe8}, base+4, AddrTime)),
			[]string{"call 0xffffffffff600400"}, []uint64{AddrTime}},
		{"direct jmp", relTo([]byte{0xe9}, base, AddrGetcpu),
			[]string{"jmp 0xffffffffff600800"}, []uint64{AddrGetcpu}},
		{"jcc", relTo([]byte{0x0f, 0x84}, base, AddrTime),
			[]string{"je 0xffffffffff600400"}, []uint64{AddrTime}},
		{"no entry point", cat(movRAX(0xff600123), callRAX),
			[]string{"mov $0xffffffffff600123,%rax; call *%rax"}, []uint64{PageStart + 0x123}},
		// Nothing to find:
		{"32-bit mov zero-extends", cat([]byte{0xb8}, le32(0xff600400), callRAX), nil, nil},
		{"overwritten", cat(movRAX(0xff600400), []byte{0x31, 0xc0}, callRAX), nil, nil},
		{"clobbered by a call", cat(movRAX(0xff600400), relTo([]byte{0xe8}, base+7, base+0x100), callRAX), nil, nil},
		{"after ret", cat(movRAX(0xff600400), ret, callRAX), nil, nil},
		{"outside the page", cat(movRAX(0xff601000), callRAX), nil, nil},
		{"compared, not called", cat([]byte{0x48, 0x3d}, le32(0xff600400), callRAX), nil, nil},
		{"stored, not called", cat([]byte{0x48, 0xc7, 0x07}, le32(0xff600400), []byte{0xff, 0x17}), nil, nil},
		{"near miss direct", relTo([]byte{0xe8}, base, PageEnd), nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits := analyze(c.code, base)
			var got []string
			var targets []uint64
			for _, h := range hits {
				got = append(got, h.inst)
				targets = append(targets, h.target)
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(targets) != len(c.addrs) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			for i := range targets {
				if targets[i] != c.addrs[i] {
					t.Errorf("target %#x, want %#x", targets[i], c.addrs[i])
				}
			}
			// The prefilter must flag every instruction that is found.
			cands := candidates(c.code, base)
			if len(c.want) > 0 && len(cands) == 0 {
				t.Errorf("no candidates for %x", c.code)
			}
		})
	}
}

func TestCandidatesSkipCleanCode(t *testing.T) {
	code := bytes.Repeat(cat(nop4, []byte{0x48, 0x89, 0xe5}, relTo([]byte{0xe8}, 0, 0x100), ret), 1000)
	if c := candidates(code, 0x401000); len(c) != 0 {
		t.Errorf("candidates in clean code: %v", c)
	}
}

func TestScanELFSynthetic(t *testing.T) {
	const base = 0x401000
	code := cat(nop4, movRAX(0xff600400), callRAX, ret, // old_time at +0
		nop4, relTo([]byte{0xe8}, base+18, AddrGettimeofday), ret) // direct at +14
	syms := []testSym{{Name: "old_time", Value: base, Size: 14}, {Name: "direct", Value: base + 14, Size: 10}}
	for _, noSections := range []bool{false, true} {
		findings, err := ScanELF(bytes.NewReader(buildELF(code, base, syms, noSections)), "prog")
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) != 2 {
			t.Fatalf("noSections=%v: %d findings: %v", noSections, len(findings), findings)
		}
		f := findings[0]
		wantFn := "old_time"
		if noSections {
			wantFn = "" // no section headers, so no symbol table
		}
		if f.Function != wantFn || f.Addr != base+11 || f.Entry != "time" || f.Verdict != VerdictEntry {
			t.Errorf("finding %+v", f)
		}
		if !noSections && (f.Location() != "old_time+0xb" || findings[1].Location() != "direct+0x4" || findings[1].Entry != "gettimeofday") {
			t.Errorf("locations %s %s", f.Location(), findings[1].Location())
		}
		if noSections && f.Location() != "0x40100b" {
			t.Errorf("location without symbols: %s", f.Location())
		}
	}
	if _, err := ScanELF(bytes.NewReader([]byte("#!/bin/sh\n")), "script"); err != ErrNotELF {
		t.Errorf("script: %v", err)
	}
	if _, err := ScanELF(bytes.NewReader([]byte("\x7fELF\x02\x01\x01")), "short"); err == nil || !strings.HasPrefix(err.Error(), "short: ") {
		t.Errorf("truncated ELF: %v", err)
	}
}

// TestScanTestPrograms builds the C test programs and checks that every
// vsyscall call is found, named and explained, in static and dynamic (PIE)
// builds, optimized or not.
func TestScanTestPrograms(t *testing.T) {
	want := map[string]string{"old_time": "time", "old_gettimeofday": "gettimeofday", "old_getcpu": "getcpu"}
	for _, flags := range [][]string{{"-static"}, {}, {"-O0"}, {"-static", "-O0"}, {"-static-pie"}} {
		bin := buildC(t, "oldtime", flags...)
		t.Run(filepath.Base(bin), func(t *testing.T) {
			f, err := os.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			findings, err := ScanELF(f, bin)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, fd := range findings {
				got[fd.Function] = fd.Entry
				if fd.Verdict != VerdictEntry || !strings.HasPrefix(fd.Inst, "mov $0xffffffffff600") {
					t.Errorf("finding %+v", fd)
				}
			}
			if len(findings) != 3 || got["old_time"] != want["old_time"] || got["old_gettimeofday"] != want["old_gettimeofday"] || got["old_getcpu"] != want["old_getcpu"] {
				t.Errorf("findings %v", findings)
			}
		})
	}
	direct := buildC(t, "direct", "-static", "-no-pie")
	rep, err := Scan(context.Background(), direct, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Function != "direct_time" || rep.Findings[0].Inst != "call 0xffffffffff600400" {
		t.Errorf("direct: %v", rep.Findings)
	}
	for _, flags := range [][]string{{"-static"}, {}} {
		clean := buildC(t, "clean", flags...)
		rep, err := Scan(context.Background(), clean, ScanOptions{})
		if err != nil || len(rep.Findings) != 0 || rep.ELFFiles != 1 {
			t.Errorf("clean %v: %v %v", flags, err, rep.Findings)
		}
	}
}

// TestMainScan runs the command: output, JSON and exit status.
func TestMainScan(t *testing.T) {
	static := buildC(t, "oldtime", "-static")
	clean := buildC(t, "clean")
	var out, errb bytes.Buffer
	if rc := Main([]string{"scan", static}, &out, &errb); rc != 1 {
		t.Fatalf("scan exit %d, stderr %s", rc, errb.String())
	}
	t.Logf("syscope vsyscall scan %s:\n%s", static, out.String())
	for _, want := range []string{
		static + ": old_time+0x",
		"mov $0xffffffffff600400,%rax; jmp *%rax -> vsyscall time()\n    " + VerdictEntry + "\n",
		"-> vsyscall gettimeofday()",
		"-> vsyscall getcpu()",
		": 3 calls into the vsyscall page in 1 of 1 ELF file",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	out.Reset()
	if rc := Main([]string{"scan", "--json", clean, static}, &out, &errb); rc != 1 {
		t.Fatalf("json scan exit %d", rc)
	}
	dec := json.NewDecoder(&out)
	var reps []Report
	for dec.More() {
		var r Report
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, r)
	}
	if len(reps) != 2 || len(reps[0].Findings) != 0 || len(reps[1].Findings) != 3 || reps[1].Findings[0].Target != AddrTime && reps[1].Findings[0].Entry == "" {
		t.Errorf("json reports: %+v", reps)
	}
	out.Reset()
	if rc := Main([]string{"scan", clean}, &out, &errb); rc != 0 || !strings.Contains(out.String(), "no calls into the vsyscall page in 1 ELF file") {
		t.Errorf("clean: exit %d, %s", rc, out.String())
	}
	for _, args := range [][]string{
		{"scan"},
		{"scan", "--bogus", clean},
		{"scan", filepath.Join(t.TempDir(), "missing")},
		{"scan", "testdata/oldtime.c"},
		{"bogus"},
	} {
		errb.Reset()
		if rc := Main(args, &out, &errb); rc != 2 || errb.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q", args, rc, errb.String())
		}
	}
	errb.Reset()
	Main([]string{"scan", "testdata/oldtime.c"}, &out, &errb)
	if got := errb.String(); !strings.Contains(got, "not an ELF file, a directory or an image archive") {
		t.Errorf("error for a C source: %q", got)
	}
}

// TestScanArchives scans synthetic images in every layout the scanner
// reads, with findings named by archive, layer and path.
func TestScanArchives(t *testing.T) {
	static, err := os.ReadFile(buildC(t, "oldtime", "-static"))
	if err != nil {
		t.Fatal(err)
	}
	clean, err := os.ReadFile(buildC(t, "clean", "-static"))
	if err != nil {
		t.Fatal(err)
	}
	layer := tarOf(t, map[string][]byte{"usr/bin/oldtime": static, "bin/clean": clean, "etc/motd": []byte("hi\n")})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(layer)
	zw.Close()
	const digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dockerArchive := write("docker.tar", tarOf(t, map[string][]byte{
		"manifest.json":     []byte(`[{"Config":"cfg.json","Layers":["` + digest + `.tar"]}]`),
		digest + ".tar":     layer,
		"cfg.json":          []byte("{}"),
		"repositories":      []byte("{}"),
		"other/layer.tar":   tarOf(t, map[string][]byte{"clean": clean}),
		"not-a-layer.json":  []byte("{}"),
		"abc/VERSION":       []byte("1.0"),
		"abc/json":          []byte("{}"),
		"abc/layer.tar.bak": []byte("x"),
	}))
	ociArchive := write("oci.tar", tarOf(t, map[string][]byte{
		"oci-layout":                       []byte(`{"imageLayoutVersion":"1.0.0"}`),
		"index.json":                       []byte("{}"),
		"blobs/sha256/" + digest:           gz.Bytes(),
		"blobs/sha256/" + digest[1:] + "0": []byte(`{"schemaVersion":2}`),
	}))
	ociDir := filepath.Join(dir, "ocidir")
	write("ocidir/oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	write("ocidir/index.json", []byte("{}"))
	write("ocidir/blobs/sha256/"+digest, gz.Bytes())
	rootfsTar := write("rootfs.tar.gz", gz.Bytes())

	for _, c := range []struct {
		target, file string
	}{
		{dockerArchive, dockerArchive + "[0123456789ab]:/usr/bin/oldtime"},
		{ociArchive, ociArchive + "[0123456789ab]:/usr/bin/oldtime"},
		{ociDir, ociDir + "[0123456789ab]:/usr/bin/oldtime"},
		{rootfsTar, rootfsTar + ":/usr/bin/oldtime"},
	} {
		rep, err := Scan(context.Background(), c.target, ScanOptions{})
		if err != nil {
			t.Errorf("%s: %v", c.target, err)
			continue
		}
		if len(rep.Findings) != 3 || rep.Findings[0].File != c.file || rep.FilesWithFindings() != 1 || rep.ELFFiles < 2 {
			t.Errorf("%s: %d ELF files, findings %v", c.target, rep.ELFFiles, rep.Findings)
		}
	}
	// A damaged archive is an error, after what came before it.
	trunc := write("trunc.tar", tarOf(t, map[string][]byte{"a/oldtime": static})[:len(static)/2])
	if _, err := Scan(context.Background(), trunc, ScanOptions{}); err == nil {
		t.Error("truncated archive: no error")
	}
}

// TestScanDir scans a directory tree: ELF files only, symbolic links not
// followed, damaged ELF files reported as warnings.
func TestScanDir(t *testing.T) {
	static := buildC(t, "oldtime", "-static")
	data, err := os.ReadFile(static)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(root, "usr/bin"), 0o755)
	os.WriteFile(filepath.Join(root, "usr/bin/oldtime"), data, 0o755)
	os.WriteFile(filepath.Join(root, "usr/bin/broken"), data[:100], 0o755)
	os.WriteFile(filepath.Join(root, "usr/bin/script"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(outside, "oldtime"), data, 0o755)
	os.Symlink(outside, filepath.Join(root, "escape"))
	os.Symlink(filepath.Join(outside, "oldtime"), filepath.Join(root, "usr/bin/link"))
	rep, err := Scan(context.Background(), root, ScanOptions{Jobs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 3 || rep.Findings[0].File != filepath.Join(root, "usr/bin/oldtime") {
		t.Errorf("findings %v", rep.Findings)
	}
	if rep.Files != 3 || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "broken") {
		t.Errorf("files %d, warnings %q", rep.Files, rep.Warnings)
	}
}

// TestScanHostClean: the current system's libraries and programs call the
// vDSO, never the vsyscall page.
func TestScanHostClean(t *testing.T) {
	for _, dir := range []string{"/usr/lib/x86_64-linux-gnu", "/usr/bin"} {
		start := time.Now()
		rep, err := Scan(context.Background(), dir, ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d ELF files of %d files in %v", dir, rep.ELFFiles, rep.Files, time.Since(start).Round(time.Millisecond))
		if rep.ELFFiles < 20 {
			t.Errorf("%s: only %d ELF files", dir, rep.ELFFiles)
		}
		for _, f := range rep.Findings {
			t.Errorf("false positive: %v", f)
		}
	}
}

// TestScanBookwormClean: a Debian 12 minbase root filesystem, made by
// debootstrap, has no call into the vsyscall page.
func TestScanBookwormClean(t *testing.T) {
	root := bookwormRoot(t)
	start := time.Now()
	rep, err := Scan(context.Background(), root, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d ELF files of %d files in %v", root, rep.ELFFiles, rep.Files, time.Since(start).Round(time.Millisecond))
	if rep.ELFFiles < 100 {
		t.Errorf("only %d ELF files in the bookworm rootfs", rep.ELFFiles)
	}
	for _, f := range rep.Findings {
		t.Errorf("false positive: %v", f)
	}
}

// TestScanPodmanImage builds an image with podman from a directory holding
// the test programs, saves it as a docker-archive and an OCI archive, and
// scans those and the image by name.
func TestScanPodmanImage(t *testing.T) {
	need(t, "podman", "podman", "runc")
	static := buildC(t, "oldtime", "-static")
	dynamic := buildC(t, "oldtime")
	staticData, _ := os.ReadFile(static)
	dynamicData, _ := os.ReadFile(dynamic)
	const image = "localhost/syscope-vsys-test:1"
	imp := exec.Command("podman", "import", "--change", `CMD ["/oldtime-static"]`, "-", image)
	imp.Stdin = bytes.NewReader(tarOf(t, map[string][]byte{"oldtime-static": staticData, "usr/bin/oldtime-dynamic": dynamicData}))
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("podman import: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", image).Run() })
	dir := t.TempDir()
	for _, format := range []string{"docker-archive", "oci-archive"} {
		archive := filepath.Join(dir, format+".tar")
		if out, err := exec.Command("podman", "save", "--format", format, "-o", archive, image).CombinedOutput(); err != nil {
			t.Fatalf("podman save --format %s: %v\n%s", format, err, out)
		}
		var out, errb bytes.Buffer
		rc := Main([]string{"scan", archive}, &out, &errb)
		t.Logf("syscope vsyscall scan %s (podman save --format %s):\n%s%s", archive, format, out.String(), errb.String())
		if rc != 1 || strings.Count(out.String(), "-> vsyscall") != 6 ||
			!strings.Contains(out.String(), "]:/oldtime-static: old_time+0x") ||
			!strings.Contains(out.String(), "]:/usr/bin/oldtime-dynamic: old_getcpu+0x") {
			t.Errorf("%s: exit %d", format, rc)
		}
	}
	rep, err := Scan(context.Background(), image, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 6 || !strings.HasPrefix(rep.Findings[0].File, image+"[") {
		t.Errorf("image by name: %v", rep.Findings)
	}
	if _, err := Scan(context.Background(), "localhost/syscope-no-such-image:0", ScanOptions{}); err == nil || !strings.Contains(err.Error(), "could not save it as an image") {
		t.Errorf("missing image: %v", err)
	}
	if _, err := Scan(context.Background(), "localhost/x:1", ScanOptions{Podman: "/nonexistent/podman"}); err == nil {
		t.Error("missing podman binary: no error")
	}
}

func TestDetect(t *testing.T) {
	const (
		xonlyMap   = "7ffd2693d000-7ffd2693f000 r-xp 00000000 00:00 0   [vdso]\nffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
		emulateMap = "ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0                  [vsyscall]\n"
		noneMap    = "7ffd2693d000-7ffd2693f000 r-xp 00000000 00:00 0   [vdso]\n"
	)
	cases := []struct {
		maps, cmdline, config, release string
		want                           Mode
		cmdMode                        string
	}{
		{xonlyMap, "console=ttyS0", "CONFIG_LEGACY_VSYSCALL_XONLY=y\n", "6.18.0", ModeXonly, ""},
		{noneMap, "quiet vsyscall=none", "", "6.1.0-56-amd64", ModeNone, "none"},
		{emulateMap, "vsyscall=none vsyscall=emulate", "", "6.1.0", ModeEmulate, "emulate"},
		{emulateMap, "vsyscall=bogus", "CONFIG_LEGACY_VSYSCALL_EMULATE=y\n", "5.10.0", ModeEmulate, ""},
		{emulateMap, "vsyscall=native", "", "6.1.0", ModeEmulate, "native"}, // gone since 4.20
		{emulateMap, "vsyscall=native", "", "4.9.0-8-amd64", ModeNative, "native"},
		{emulateMap, "", "CONFIG_LEGACY_VSYSCALL_NATIVE=y\n", "4.4.0", ModeNative, ""},
		{emulateMap, "vsyscall=emulate", "CONFIG_LEGACY_VSYSCALL_NATIVE=y\n", "4.4.0", ModeEmulate, "emulate"},
		{emulateMap, "init=/x -- vsyscall=native", "", "4.4.0", ModeEmulate, ""},
	}
	for _, c := range cases {
		h := detect(c.maps, c.cmdline, c.config, "/proc/config.gz", c.release)
		if h.Mode != c.want || h.CmdlineMode != c.cmdMode {
			t.Errorf("%q %q %q: mode %s (cmdline %q), want %s (%q)", c.cmdline, c.config, c.release, h.Mode, h.CmdlineMode, c.want, c.cmdMode)
		}
		s := h.String()
		if !strings.HasPrefix(s, "vsyscall mode: "+string(c.want)+"\n") || !strings.Contains(s, "To find such programs") {
			t.Errorf("report:\n%s", s)
		}
	}
	h := detect(noneMap, "vsyscall=none", "", "", "6.1.0")
	if s := h.String(); !strings.Contains(s, "SIGSEGV") || !strings.Contains(s, "no [vsyscall] mapping") || !strings.Contains(s, "kernel config: not available") {
		t.Errorf("none report:\n%s", s)
	}
}

// TestMainMode checks "syscope vsyscall" against this host's memory map.
func TestMainMode(t *testing.T) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip(err)
	}
	want := ModeNone
	for _, line := range strings.Split(string(maps), "\n") {
		if strings.HasSuffix(line, "[vsyscall]") {
			if strings.Contains(line, " --xp ") {
				want = ModeXonly
			} else {
				want = ModeEmulate
			}
		}
	}
	var out, errb bytes.Buffer
	if rc := Main(nil, &out, &errb); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errb.String())
	}
	t.Logf("syscope vsyscall:\n%s", out.String())
	if !strings.HasPrefix(out.String(), "vsyscall mode: "+string(want)+"\n") {
		t.Errorf("want mode %s", want)
	}
	out.Reset()
	if rc := Main([]string{"--json"}, &out, &errb); rc != 0 {
		t.Fatalf("--json exit %d", rc)
	}
	var v struct {
		Mode        Mode
		Explanation string
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v.Mode != want || v.Explanation == "" {
		t.Errorf("--json: %v %+v", err, v)
	}
}
