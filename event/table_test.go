package event

import (
	"strings"
	"testing"
)

func TestNumCodes(t *testing.T) {
	if NumCodes() != 454 {
		t.Fatalf("NumCodes() = %d, want 454", NumCodes())
	}
	for c := 0; c < NumCodes(); c++ {
		if Lookup(Code(c)) == nil {
			t.Errorf("code %d: Lookup = nil", c)
		}
	}
	if Lookup(Code(NumCodes())) != nil {
		t.Errorf("Lookup(%d) != nil", NumCodes())
	}
}

func isNamed(t ParamType) bool {
	switch t {
	case PTFlags8, PTFlags16, PTFlags32, PTEnumFlags8, PTEnumFlags16, PTEnumFlags32, PTMode:
		return true
	}
	return false
}

func checkParam(t *testing.T, where string, p Param, n int, dyn bool) {
	t.Helper()
	if p.Type == PTNone || p.Type > PTPID32 {
		t.Errorf("%s: bad type %d", where, p.Type)
	}
	if p.Fmt > PFOct {
		t.Errorf("%s: bad format %d", where, p.Fmt)
	}
	if !dyn && p.Name == "" {
		t.Errorf("%s: no name", where)
	}
	if p.Names != nil && !isNamed(p.Type) {
		t.Errorf("%s: names on type %d", where, p.Type)
	}
	if len(p.Names) == 0 && p.Names != nil {
		t.Errorf("%s: empty name table", where)
	}
	if (p.Dyn != nil) != (p.Type == PTDyn) {
		t.Errorf("%s: type %d with %d dynamic types", where, p.Type, len(p.Dyn))
	}
	if p.Type == PTFSRelPath {
		if p.DirFD < 0 || int(p.DirFD) >= n {
			t.Errorf("%s: dirfd %d of %d params", where, p.DirFD, n)
		}
	} else if p.DirFD != -1 {
		t.Errorf("%s: dirfd %d on type %d", where, p.DirFD, p.Type)
	}
}

func TestParams(t *testing.T) {
	for c := 0; c < NumCodes(); c++ {
		info := Lookup(Code(c))
		if len(info.Params) > MaxParams {
			t.Errorf("code %d: %d params", c, len(info.Params))
		}
		for _, p := range info.Params {
			where := info.Name + "#" + p.Name
			checkParam(t, where, p, len(info.Params), false)
			if p.Type == PTFSRelPath && info.Params[p.DirFD].Type != PTFD && Code(c) != 326 {
				// 326 (openat2 enter) points at itself in sysdig 0.29.3.
				t.Errorf("code %d %s: dirfd %d is not an fd", c, where, p.DirFD)
			}
			for _, d := range p.Dyn {
				checkParam(t, where+"/dyn", d, 0, true)
			}
		}
	}
}

func TestEnterExitPairs(t *testing.T) {
	for c := 0; c+1 < NumCodes(); c += 2 {
		e, x := Lookup(Code(c)), Lookup(Code(c+1))
		if !Code(c).IsEnter() || Code(c+1).IsEnter() || Code(c).DirChar() != '>' || Code(c+1).DirChar() != '<' {
			t.Fatalf("direction of %d/%d", c, c+1)
		}
		if e.Flags&FlagUnused != 0 || x.Flags&FlagUnused != 0 {
			continue
		}
		if e.Name != x.Name {
			t.Errorf("codes %d/%d: enter %q, exit %q", c, c+1, e.Name, x.Name)
		}
	}
	// Unused halves are named NA..., or like the other half in 0.29.3.
	// (Codes 0.29.3 knows take their params from it, so check its flags.)
	for c := 0; c < NumCodes(); c++ {
		info := Lookup(Code(c))
		flags := info.Flags
		if KnownTo029(Code(c)) {
			flags = Flags029(Code(c))
		}
		if flags&FlagUnused == 0 {
			continue
		}
		other := Lookup(Code(c ^ 1))
		if !strings.HasPrefix(info.Name, "NA") && info.Name != other.Name {
			t.Errorf("code %d: unused event named %q", c, info.Name)
		}
		if len(info.Params) != 0 {
			t.Errorf("code %d: unused event with params", c)
		}
	}
}

type wantParam struct {
	name string
	typ  ParamType
	fmt  PrintFmt
}

func checkParams(t *testing.T, c Code, name string, want []wantParam) *Info {
	t.Helper()
	info := Lookup(c)
	if info.Name != name {
		t.Errorf("code %d: name %q, want %q", c, info.Name, name)
	}
	if len(info.Params) != len(want) {
		t.Fatalf("code %d: %d params, want %d", c, len(info.Params), len(want))
	}
	for i, w := range want {
		p := info.Params[i]
		if p.Name != w.name || p.Type != w.typ || p.Fmt != w.fmt {
			t.Errorf("code %d param %d: {%q %d %d}, want {%q %d %d}", c, i, p.Name, p.Type, p.Fmt, w.name, w.typ, w.fmt)
		}
	}
	return info
}

func names(nv []NameValue) []string {
	var s []string
	for _, x := range nv {
		s = append(s, x.Name)
	}
	return s
}

func sameTable(a, b []NameValue) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }

func TestOpen(t *testing.T) {
	e := checkParams(t, 2, "open", []wantParam{
		{"name", PTFSPath, PFNA}, {"flags", PTFlags32, PFHex}, {"mode", PTUint32, PFOct},
	})
	x := checkParams(t, 3, "open", []wantParam{
		{"fd", PTFD, PFDec}, {"name", PTFSPath, PFNA}, {"flags", PTFlags32, PFHex},
		{"mode", PTUint32, PFOct}, {"dev", PTUint32, PFHex}, {"ino", PTUint64, PFDec},
	})
	if e.Category != CatFile|CatSyscall || Category029(2) != CatFile {
		t.Errorf("open category %#x / 0.29.3 %#x", e.Category, Category029(2))
	}
	if x.Flags&FlagCreatesFD == 0 {
		t.Errorf("open exit does not create an fd")
	}
	// 0.29.3's file_flags: O_F_CREATED and the overlay flags came later.
	for _, p := range []Param{e.Params[1], x.Params[2]} {
		if !sameTable(p.Names, fileFlags029) {
			t.Errorf("open flags do not use the 0.29.3 table")
		}
	}
	got := strings.Join(names(fileFlags029), ",")
	want := "O_LARGEFILE,O_DIRECTORY,O_DIRECT,O_TRUNC,O_SYNC,O_NONBLOCK,O_EXCL,O_DSYNC,O_APPEND,O_CREAT,O_RDWR,O_WRONLY,O_RDONLY,O_CLOEXEC,O_NONE,O_TMPFILE"
	if got != want {
		t.Errorf("fileFlags029 = %s", got)
	}
	if names(fileFlags)[16] != "O_F_CREATED" {
		t.Errorf("fileFlags = %v", names(fileFlags))
	}
	for _, nv := range fileFlags029 {
		if nv.Name == "O_RDWR" && nv.Value != 3 || nv.Name == "O_CLOEXEC" && nv.Value != 1<<12 || nv.Name == "O_NONE" && nv.Value != 0 {
			t.Errorf("fileFlags029 %s = %#x", nv.Name, nv.Value)
		}
	}
	// Codes 0.29.3 does not know use HEAD's tables.
	if p := Lookup(436).Params[2]; p.Name != "flags" || !sameTable(p.Names, fileFlags) {
		t.Errorf("task_file_regular flags do not use HEAD's file_flags")
	}
}

func TestPageFault(t *testing.T) {
	info := checkParams(t, 290, "page_fault", []wantParam{
		{"addr", PTUint64, PFHex}, {"ip", PTUint64, PFHex}, {"error", PTFlags32, PFHex},
	})
	nv := info.Params[2].Names
	want := []NameValue{
		{"PROTECTION_VIOLATION", 1}, {"PAGE_NOT_PRESENT", 2}, {"WRITE_ACCESS", 4}, {"READ_ACCESS", 8},
		{"USER_FAULT", 0x10}, {"SUPERVISOR_FAULT", 0x20}, {"RESERVED_PAGE", 0x40}, {"INSTRUCTION_FETCH", 0x80},
	}
	if len(nv) != len(want) {
		t.Fatalf("pf flags: %v", nv)
	}
	for i := range want {
		if nv[i] != want[i] {
			t.Errorf("pf flag %d = %v, want %v", i, nv[i], want[i])
		}
	}
	if Lookup(291).Name != "NA5" || Lookup(291).Flags&FlagUnused == 0 {
		t.Errorf("page fault exit: %+v", Lookup(291))
	}
}

func TestSignalDeliverAndProcExit(t *testing.T) {
	checkParams(t, 232, "signaldeliver", []wantParam{
		{"spid", PTPID, PFDec}, {"dpid", PTPID, PFDec}, {"sig", PTSigType, PFDec},
	})
	checkParams(t, 186, "procexit", []wantParam{
		{"status", PTErrno, PFDec}, {"ret", PTErrno, PFDec}, {"sig", PTSigType, PFDec},
		{"core", PTUint8, PFDec}, {"reaper_tid", PTPID, PFDec},
	})
	if Lookup(233).Name != "signaldeliver" || Lookup(187).Name != "NA1" {
		t.Errorf("unused exits: %q %q", Lookup(233).Name, Lookup(187).Name)
	}
}

func TestExecve(t *testing.T) {
	checkParams(t, 292, "execve", []wantParam{{"filename", PTFSPath, PFNA}})
	info := checkParams(t, 293, "execve", []wantParam{
		{"res", PTErrno, PFDec}, {"exe", PTCharBuf, PFNA}, {"args", PTByteBuf, PFNA},
		{"tid", PTPID, PFDec}, {"pid", PTPID, PFDec}, {"ptid", PTPID, PFDec},
		{"cwd", PTCharBuf, PFNA}, {"fdlimit", PTUint64, PFDec}, {"pgft_maj", PTUint64, PFDec},
		{"pgft_min", PTUint64, PFDec}, {"vm_size", PTUint32, PFDec}, {"vm_rss", PTUint32, PFDec},
		{"vm_swap", PTUint32, PFDec}, {"comm", PTCharBuf, PFNA}, {"cgroups", PTByteBuf, PFNA},
		{"env", PTByteBuf, PFNA},
		// 0.29.3's view of the next four; HEAD has tty uint32, vpgid, loginuid PT_UID.
		{"tty", PTInt32, PFDec}, {"pgid", PTPID, PFDec}, {"loginuid", PTInt32, PFDec},
		{"flags", PTFlags32, PFHex},
		// Appended by HEAD.
		{"cap_inheritable", PTUint64, PFHex}, {"cap_permitted", PTUint64, PFHex},
		{"cap_effective", PTUint64, PFHex}, {"exe_ino", PTUint64, PFDec},
		{"exe_ino_ctime", PTAbsTime, PFDec}, {"exe_ino_mtime", PTAbsTime, PFDec},
		{"uid", PTUID, PFDec}, {"trusted_exepath", PTFSPath, PFNA}, {"pgid", PTPID, PFNA},
		{"gid", PTGID, PFDec}, {"filename", PTFSPath, PFNA},
	})
	if got := names(info.Params[19].Names); strings.Join(got, ",") != "EXE_WRITABLE" {
		t.Errorf("execve flags (0.29.3) = %v", got)
	}
	if !sameTable(info.Params[19].Names, execveFlags029) {
		t.Errorf("execve flags do not use execveFlags029")
	}
}

func TestGeneric(t *testing.T) {
	for _, c := range []Code{0, 1} {
		checkParams(t, c, "syscall", []wantParam{{"ID", PTSyscallID, PFDec}, {"nativeID", PTUint16, PFDec}})
	}
}

func TestLargePayload(t *testing.T) {
	for _, c := range []Code{322, 324, 402} {
		if Lookup(c).Flags&FlagLargePayload == 0 {
			t.Errorf("code %d (%s) lacks FlagLargePayload", c, Lookup(c).Name)
		}
	}
	if Lookup(322).Name != "pluginevent" || Lookup(322).Params[0].Name != "plugin ID" {
		t.Errorf("pluginevent: %+v", Lookup(322))
	}
}

func TestSockets(t *testing.T) {
	// 0.29.3 prints domain as flags through socket_families.
	p := Lookup(18).Params[0]
	if p.Name != "domain" || p.Type != PTFlags32 || !sameTable(p.Names, socketFamilies) {
		t.Errorf("socket domain: %+v", p)
	}
	if names(socketFamilies)[0] != "AF_NFC" || socketFamilies[len(socketFamilies)-1] != (NameValue{"AF_UNSPEC", 0}) {
		t.Errorf("socketFamilies order: %v", names(socketFamilies))
	}
	// setsockopt val is dynamic.
	v := Lookup(45).Params[4]
	if v.Name != "val" || len(v.Dyn) != 5 || v.Dyn[4].Type != PTRelTime || v.Dyn[1].Type != PTErrno {
		t.Errorf("setsockopt val: %+v", v)
	}
	// shutdown how: 0.29.3's table has no SHUT_UNKNOWN.
	if h := Lookup(36).Params[1]; h.Type != PTFlags8 || len(h.Names) != 3 || h.Names[0].Name != "SHUT_RDWR" {
		t.Errorf("shutdown how: %+v", h)
	}
}

func TestFSRelPath(t *testing.T) {
	p := Lookup(307).Params[2] // openat exit: fd, dirfd, name
	if p.Name != "name" || p.Type != PTFSRelPath || p.DirFD != 1 {
		t.Errorf("openat name: %+v", p)
	}
}

func TestCompat029(t *testing.T) {
	if !KnownTo029(0) || !KnownTo029(335) || KnownTo029(336) || KnownTo029(453) {
		t.Errorf("KnownTo029 bounds")
	}
	if Lookup(196).Name != "sysdigevent" || Lookup(17).Name != "NA1" {
		t.Errorf("0.29.3 names: %q %q", Lookup(196).Name, Lookup(17).Name)
	}
	if Flags029(6)&FlagDropSimpleCons == 0 || Lookup(6).Flags&FlagDropSimpleCons != 0 {
		t.Errorf("read flags: 0.29.3 %#x, HEAD %#x", Flags029(6), Lookup(6).Flags)
	}
	if Category029(452) != CatUnknown || Flags029(452) != 0 {
		t.Errorf("compat values for an unknown code")
	}
	for c := 0; c < numCodes029; c++ {
		if Category029(Code(c))&^(CatWait|CatScheduler|CatInternal) > CatIOOther {
			t.Errorf("code %d: 0.29.3 category %#x", c, Category029(Code(c)))
		}
		if Flags029(Code(c))&FlagConverterManaged != 0 {
			t.Errorf("code %d: 0.29.3 flags %#x", c, Flags029(Code(c)))
		}
	}
}

func TestSyscallNames(t *testing.T) {
	for _, x := range []struct {
		id   uint16
		want string
	}{{0, "<unknown>"}, {1, "restart_syscall"}, {3, "read"}, {5, "open"}, {328, "clone3"}, {329, ""}, {65535, ""}} {
		if got := SyscallName(x.id); got != x.want {
			t.Errorf("SyscallName(%d) = %q, want %q", x.id, got, x.want)
		}
	}
	for _, x := range []struct {
		nr   uint16
		name string
		id   uint16
		ok   bool
	}{
		{0, "read", 3, true}, {2, "open", 5, true}, {59, "execve", 0, true},
		{134, "uselib", 0, true}, {435, "clone3", 328, true},
		{184, "tuxcall", 0, false},   // unimplemented, not routed by 0.29.3
		{451, "cachestat", 0, false}, // newer than 0.29.3
		{9999, "", 0, false},
	} {
		if got := NativeSyscallName(x.nr); got != x.name {
			t.Errorf("NativeSyscallName(%d) = %q, want %q", x.nr, got, x.name)
		}
		id, ok := NativeSyscallID(x.nr)
		if ok != x.ok || x.id != 0 && id != x.id {
			t.Errorf("NativeSyscallID(%d) = %d, %v", x.nr, id, ok)
		}
		if ok && SyscallName(id) != x.name {
			t.Errorf("NativeSyscallID(%d) names %q", x.nr, SyscallName(id))
		}
	}
}

func TestErrnoAndSignalNames(t *testing.T) {
	for _, x := range []struct {
		e    int64
		want string
	}{
		{-1, "EPERM"}, {-2, "ENOENT"}, {-11, "EAGAIN"}, {-13, "EACCES"}, {-115, "EINPROGRESS"},
		{-512, "ERESTARTSYS"}, {-530, "EIOCBRETRY"}, {-531, ""}, {-41, ""}, // 41 has no name
		{0, ""}, {2, ""}, {-4294967298, "ENOENT"}, // truncated to int32 like sinsp
	} {
		if got := ErrnoName(x.e); got != x.want {
			t.Errorf("ErrnoName(%d) = %q, want %q", x.e, got, x.want)
		}
	}
	for _, x := range []struct {
		sig  uint8
		want string
	}{{0, ""}, {1, "SIGHUP"}, {9, "SIGKILL"}, {11, "SIGSEGV"}, {17, "SIGCHLD"}, {29, "SIGIO"}, {31, "SIGSYS"}, {32, ""}, {255, ""}} {
		if got := SignalName(x.sig); got != x.want {
			t.Errorf("SignalName(%d) = %q, want %q", x.sig, got, x.want)
		}
	}
}
