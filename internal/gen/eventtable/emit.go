package main

import (
	"bytes"
	"fmt"
	"go/format"
	"sort"
	"strconv"
	"strings"
)

// Go names of libs' enumerations, in the order (= value) of package event's
// constants. The generator checks every value against the libs headers.
var ptNames = []string{
	"PT_NONE", "PTNone", "PT_INT8", "PTInt8", "PT_INT16", "PTInt16",
	"PT_INT32", "PTInt32", "PT_INT64", "PTInt64", "PT_UINT8", "PTUint8",
	"PT_UINT16", "PTUint16", "PT_UINT32", "PTUint32", "PT_UINT64", "PTUint64",
	"PT_CHARBUF", "PTCharBuf", "PT_BYTEBUF", "PTByteBuf", "PT_ERRNO", "PTErrno",
	"PT_SOCKADDR", "PTSockAddr", "PT_SOCKTUPLE", "PTSockTuple", "PT_FD", "PTFD",
	"PT_PID", "PTPID", "PT_FDLIST", "PTFDList", "PT_FSPATH", "PTFSPath",
	"PT_SYSCALLID", "PTSyscallID", "PT_SIGTYPE", "PTSigType",
	"PT_RELTIME", "PTRelTime", "PT_ABSTIME", "PTAbsTime", "PT_PORT", "PTPort",
	"PT_L4PROTO", "PTL4Proto", "PT_SOCKFAMILY", "PTSockFamily", "PT_BOOL", "PTBool",
	"PT_IPV4ADDR", "PTIPv4Addr", "PT_DYN", "PTDyn", "PT_FLAGS8", "PTFlags8",
	"PT_FLAGS16", "PTFlags16", "PT_FLAGS32", "PTFlags32", "PT_UID", "PTUID",
	"PT_GID", "PTGID", "PT_DOUBLE", "PTDouble", "PT_SIGSET", "PTSigSet",
	"PT_CHARBUFARRAY", "PTCharBufArray", "PT_CHARBUF_PAIR_ARRAY", "PTCharBufPairArray",
	"PT_IPV4NET", "PTIPv4Net", "PT_IPV6ADDR", "PTIPv6Addr", "PT_IPV6NET", "PTIPv6Net",
	"PT_IPADDR", "PTIPAddr", "PT_IPNET", "PTIPNet", "PT_MODE", "PTMode",
	"PT_FSRELPATH", "PTFSRelPath", "PT_ENUMFLAGS8", "PTEnumFlags8",
	"PT_ENUMFLAGS16", "PTEnumFlags16", "PT_ENUMFLAGS32", "PTEnumFlags32",
	"PT_FD32", "PTFD32", "PT_PID32", "PTPID32",
}

var pfNames = []string{
	"PF_NA", "PFNA", "PF_DEC", "PFDec", "PF_HEX", "PFHex",
	"PF_10_PADDED_DEC", "PF10PaddedDec", "PF_ID", "PFID", "PF_DIR", "PFDir",
	"PF_OCT", "PFOct",
}

type valName struct {
	libs, goName string
	v            int64
}

var catKinds = []valName{
	{"EC_UNKNOWN", "CatUnknown", 0}, {"EC_OTHER", "CatOther", 1}, {"EC_FILE", "CatFile", 2},
	{"EC_NET", "CatNet", 3}, {"EC_IPC", "CatIPC", 4}, {"EC_MEMORY", "CatMemory", 5},
	{"EC_PROCESS", "CatProcess", 6}, {"EC_SLEEP", "CatSleep", 7}, {"EC_SYSTEM", "CatSystem", 8},
	{"EC_SIGNAL", "CatSignal", 9}, {"EC_USER", "CatUser", 10}, {"EC_TIME", "CatTime", 11},
	{"EC_PROCESSING", "CatProcessing", 12}, {"EC_IO_READ", "CatIORead", 32},
	{"EC_IO_WRITE", "CatIOWrite", 33}, {"EC_IO_OTHER", "CatIOOther", 34},
}

var catBits = []valName{
	{"EC_WAIT", "CatWait", 1 << 6}, {"EC_SCHEDULER", "CatScheduler", 1 << 7},
	{"EC_INTERNAL", "CatInternal", 1 << 8}, {"EC_SYSCALL", "CatSyscall", 1 << 9},
	{"EC_TRACEPOINT", "CatTracepoint", 1 << 10}, {"EC_PLUGIN", "CatPlugin", 1 << 11},
	{"EC_METAEVENT", "CatMetaevent", 1 << 12}, {"EC_ITER", "CatIter", 1 << 13},
}

// kindMask selects the part of a category that says what kind of operation
// an event is; the bits above say where it comes from (HEAD only).
const kindMask = 1<<9 - 1

var flagBits = []valName{
	{"EF_CREATES_FD", "FlagCreatesFD", 1 << 0}, {"EF_DESTROYS_FD", "FlagDestroysFD", 1 << 1},
	{"EF_USES_FD", "FlagUsesFD", 1 << 2}, {"EF_READS_FROM_FD", "FlagReadsFromFD", 1 << 3},
	{"EF_WRITES_TO_FD", "FlagWritesToFD", 1 << 4}, {"EF_MODIFIES_STATE", "FlagModifiesState", 1 << 5},
	{"EF_UNUSED", "FlagUnused", 1 << 6}, {"EF_WAITS", "FlagWaits", 1 << 7},
	{"EF_SKIPPARSERESET", "FlagSkipParseReset", 1 << 8}, {"EF_OLD_VERSION", "FlagOldVersion", 1 << 9},
	{"EF_DROP_SIMPLE_CONS", "FlagDropSimpleCons", 1 << 10}, {"EF_LARGE_PAYLOAD", "FlagLargePayload", 1 << 11},
	{"EF_CONVERTER_MANAGED", "FlagConverterManaged", 1 << 12},
}

func pairs(l []string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(l); i += 2 {
		m[l[i]] = l[i+1]
	}
	return m
}

var ptGo, pfGo = pairs(ptNames), pairs(pfNames)

// checkEnums verifies that the Go constants of package event have the
// values libs gives their counterparts.
func checkEnums(r *libsRev) error {
	for _, x := range []struct {
		l    []string
		name string
	}{{ptNames, "ppm_param_type"}, {pfNames, "ppm_print_format"}} {
		for i := 0; i < len(x.l); i += 2 {
			c, ok := r.consts[x.l[i]]
			if !ok {
				continue
			}
			if c.err != nil || c.v != int64(i/2) {
				return fmt.Errorf("%s: %s is %d (%v), package event has %d", x.name, x.l[i], c.v, c.err, i/2)
			}
		}
	}
	for _, l := range [][]valName{catKinds, catBits, flagBits} {
		for _, vn := range l {
			c, ok := r.consts[vn.libs]
			if !ok {
				continue
			}
			if c.err != nil || c.v != vn.v {
				return fmt.Errorf("%s is %d (%v), package event has %d", vn.libs, c.v, c.err, vn.v)
			}
		}
	}
	return nil
}

func goCategory(v int64) (string, error) {
	var parts []string
	kind := v & 63
	found := false
	for _, k := range catKinds {
		if k.v == kind {
			found = true
			if kind != 0 || v == 0 {
				parts = append(parts, k.goName)
			}
		}
	}
	if !found {
		return "", fmt.Errorf("unknown category kind %d", kind)
	}
	rest := v &^ 63
	for _, b := range catBits {
		if rest&b.v != 0 {
			parts = append(parts, b.goName)
			rest &^= b.v
		}
	}
	if rest != 0 {
		return "", fmt.Errorf("unknown category bits %#x", rest)
	}
	return strings.Join(parts, " | "), nil
}

func goFlags(v int64) (string, error) {
	if v == 0 {
		return "0", nil
	}
	var parts []string
	for _, b := range flagBits {
		if v&b.v != 0 {
			parts = append(parts, b.goName)
			v &^= b.v
		}
	}
	if v != 0 {
		return "", fmt.Errorf("unknown event flag bits %#x", v)
	}
	return strings.Join(parts, " | "), nil
}

func libsFlags(v int64) []string {
	var parts []string
	for _, b := range flagBits {
		if v&b.v != 0 {
			parts = append(parts, b.libs)
		}
	}
	return parts
}

func libsCategory(v int64) string {
	var parts []string
	for _, k := range catKinds {
		if k.v == v&63 && (k.v != 0 || v == 0) {
			parts = append(parts, k.libs)
		}
	}
	for _, b := range catBits {
		if v&b.v != 0 {
			parts = append(parts, b.libs)
		}
	}
	return strings.Join(parts, "|")
}

// camel turns a libs array name into a Go identifier: file_flags ->
// fileFlags.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// ---------------------------------------------------------------------

type merged struct {
	enum   string
	name   string
	cat    int64
	flags  int64
	params []mparam
}

type mparam struct {
	param
	namesVar, dynVar string
}

func sameNV(a, b []nameValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].name != b[i].name || a[i].value != b[i].value {
			return false
		}
	}
	return true
}

func sameDyn(a, b []param) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].typ != b[i].typ || a[i].fmt != b[i].fmt || a[i].name != b[i].name {
			return false
		}
	}
	return true
}

type builder struct {
	h, o *libsRev
	// Arrays whose 0.29.3 content differs from HEAD's (or that HEAD lacks).
	flags029, dyn029 map[string]bool
	used029          map[string]bool
	evs              []merged
}

func (b *builder) namesVar(arr string, compat bool) string {
	if arr == "" {
		return ""
	}
	if compat && b.flags029[arr] {
		b.used029[arr] = true
		return camel(arr) + "029"
	}
	return camel(arr)
}

func (b *builder) dynVar(arr string, compat bool) string {
	if arr == "" {
		return ""
	}
	if compat && b.dyn029[arr] {
		return camel(arr) + "029"
	}
	return camel(arr)
}

func build(h, o *libsRev) (map[string][]byte, error) {
	for _, r := range []*libsRev{h, o} {
		if err := checkEnums(r); err != nil {
			return nil, fmt.Errorf("%s: %v", r.rev, err)
		}
	}
	b := &builder{h: h, o: o, flags029: map[string]bool{}, dyn029: map[string]bool{}, used029: map[string]bool{}}
	for _, n := range o.flagOrder {
		if hv, ok := h.flagArrs[n]; !ok || !sameNV(hv, o.flagArrs[n]) {
			b.flags029[n] = true
		}
	}
	for _, n := range o.dynOrder {
		if hv, ok := h.dynArrs[n]; !ok || !sameDyn(hv, o.dynArrs[n]) {
			b.dyn029[n] = true
		}
	}
	if len(o.events) > len(h.events) {
		return nil, fmt.Errorf("0.29.3 has more event codes (%d) than HEAD (%d)", len(o.events), len(h.events))
	}

	evs := make([]merged, len(h.events))
	for code, he := range h.events {
		m := merged{enum: he.enum, name: he.name, cat: he.cat, flags: he.flags}
		var ps []mparam
		if code < len(o.events) {
			oe := o.events[code]
			m.name = oe.name
			for _, p := range oe.params {
				ps = append(ps, mparam{p, b.namesVar(p.names, true), b.dynVar(p.dyn, true)})
			}
			for _, p := range he.params[min(len(oe.params), len(he.params)):] {
				ps = append(ps, mparam{p, b.namesVar(p.names, true), b.dynVar(p.dyn, true)})
			}
		} else {
			for _, p := range he.params {
				ps = append(ps, mparam{p, b.namesVar(p.names, false), b.dynVar(p.dyn, false)})
			}
		}
		m.params = ps
		evs[code] = m
	}
	b.evs = evs

	files := map[string][]byte{}
	header := fmt.Sprintf("// Code generated by internal/gen/eventtable from falcosecurity/libs %s and %s. DO NOT EDIT.\n\n"+
		"// libs %s = %s\n// libs %s = %s (sysdig 0.29.3)\n\npackage event\n\n", h.rev, o.rev, h.rev, h.sha, o.rev, o.sha)

	// table_gen.go
	var w bytes.Buffer
	w.WriteString(header)
	fmt.Fprintf(&w, "// table describes every event code of libs %s. Codes below %d use the\n", h.rev, len(o.events))
	w.WriteString("// names, parameters and flag tables of sysdig 0.29.3, followed by the\n// parameters libs added since (see COMPAT.md).\n")
	fmt.Fprintf(&w, "var table = [%d]Info{\n", len(evs))
	for code, m := range evs {
		cat, err := goCategory(m.cat)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", code, err)
		}
		fl, err := goFlags(m.flags)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", code, err)
		}
		fmt.Fprintf(&w, "\t%d: { // %s\n\t\tName: %q,\n\t\tCategory: %s,\n", code, m.enum, m.name, cat)
		if fl != "0" {
			fmt.Fprintf(&w, "\t\tFlags: %s,\n", fl)
		}
		if len(m.params) > 0 {
			w.WriteString("\t\tParams: []Param{\n")
			for _, p := range m.params {
				s, err := goParam(p)
				if err != nil {
					return nil, fmt.Errorf("event %d: %v", code, err)
				}
				fmt.Fprintf(&w, "\t\t\t%s,\n", s)
			}
			w.WriteString("\t\t},\n")
		}
		w.WriteString("\t},\n")
	}
	w.WriteString("}\n")
	if err := put(files, "table_gen.go", w.Bytes()); err != nil {
		return nil, err
	}

	// flags_gen.go
	w.Reset()
	w.WriteString(header)
	w.WriteString("// Name tables of flag, enum and mode parameters (libs' driver/flags_table.c),\n")
	w.WriteString("// in libs' order, which decides how values print. The *029 variants are the\n")
	w.WriteString("// sysdig 0.29.3 versions of tables that changed since; they are used by the\n")
	fmt.Fprintf(&w, "// event codes below %d.\n\n", len(o.events))
	writeNV := func(goName, libsName string, items []nameValue, from string) {
		fmt.Fprintf(&w, "// %s is %s in libs %s.\nvar %s = []NameValue{\n", goName, libsName, from, goName)
		for _, it := range items {
			comment := ""
			if it.src != strconv.FormatUint(uint64(it.value), 10) {
				comment = " // " + it.src
			}
			fmt.Fprintf(&w, "\t{%q, %s},%s\n", it.name, fmtValue(it.value), comment)
		}
		w.WriteString("}\n\n")
	}
	for _, n := range h.flagOrder {
		writeNV(camel(n), n, h.flagArrs[n], h.rev)
	}
	for _, n := range o.flagOrder {
		if b.flags029[n] {
			writeNV(camel(n)+"029", n, o.flagArrs[n], o.rev)
		}
	}
	w.WriteString("// Types of dynamic (PT_DYN) parameters, indexed by the value's index byte\n// (libs' driver/dynamic_params_table.c).\n")
	writeDyn := func(goName, libsName string, items []param, from string) error {
		fmt.Fprintf(&w, "\n// %s is %s in libs %s.\nvar %s = []Param{\n", goName, libsName, from, goName)
		for i, it := range items {
			s, err := goParam(mparam{param: it})
			if err != nil {
				return fmt.Errorf("%s[%d]: %v", libsName, i, err)
			}
			fmt.Fprintf(&w, "\t%s,\n", s)
		}
		w.WriteString("}\n")
		return nil
	}
	for _, n := range h.dynOrder {
		if err := writeDyn(camel(n), n, h.dynArrs[n], h.rev); err != nil {
			return nil, err
		}
	}
	for _, n := range o.dynOrder {
		if b.dyn029[n] {
			if err := writeDyn(camel(n)+"029", n, o.dynArrs[n], o.rev); err != nil {
				return nil, err
			}
		}
	}
	if err := put(files, "flags_gen.go", w.Bytes()); err != nil {
		return nil, err
	}

	// names_gen.go
	w.Reset()
	w.WriteString(header)
	fmt.Fprintf(&w, "// numCodes029 is PPM_EVENT_MAX of sysdig 0.29.3: its capture reader skips\n// events with a code at or above it.\nconst numCodes029 = %d\n\n", len(o.events))
	fmt.Fprintf(&w, "// categories029 and flags029 are the category and flags sysdig 0.29.3\n// gives each event code.\nvar categories029 = [%d]Category{\n", len(o.events))
	for code, e := range o.events {
		cat, err := goCategory(e.cat)
		if err != nil {
			return nil, fmt.Errorf("0.29.3 event %d: %v", code, err)
		}
		fmt.Fprintf(&w, "\t%s, // %d %s\n", cat, code, e.enum)
	}
	fmt.Fprintf(&w, "}\n\nvar flags029 = [%d]Flags{\n", len(o.events))
	for code, e := range o.events {
		fl, err := goFlags(e.flags)
		if err != nil {
			return nil, fmt.Errorf("0.29.3 event %d: %v", code, err)
		}
		fmt.Fprintf(&w, "\t%s, // %d %s\n", fl, code, e.enum)
	}
	fmt.Fprintf(&w, "}\n\n// syscallNames029 is the name column of sysdig 0.29.3's syscall info table\n// (userspace/libscap/syscall_info_table.c), indexed by PPM_SC code.\nvar syscallNames029 = [%d]string{\n", len(o.syscalls))
	for i, s := range o.syscalls {
		fmt.Fprintf(&w, "\t%q, // %d %s\n", s, i, o.syscallEnums[i])
	}
	w.WriteString("}\n\n")
	maxNR := 0
	for k := range o.nativeNames {
		maxNR = max(maxNR, k)
	}
	for k := range o.nativeRouting {
		maxNR = max(maxNR, k)
	}
	fmt.Fprintf(&w, "// nativeSyscallNames names the x86_64 syscall numbers (libs %s,\n// driver/syscall_compat_x86_64.h).\nvar nativeSyscallNames = [%d]string{\n", h.rev, maxNR+1)
	for _, k := range sortedKeys(o.nativeNames) {
		fmt.Fprintf(&w, "\t%d: %q,\n", k, o.nativeNames[k])
	}
	fmt.Fprintf(&w, "}\n\n// nativeSyscallIDs029 is sysdig 0.29.3's g_syscall_code_routing_table for\n// x86_64: native syscall number -> PPM_SC code (0: not routed).\nvar nativeSyscallIDs029 = [%d]uint16{\n", maxNR+1)
	for _, k := range sortedKeys(o.nativeRouting) {
		v := o.nativeRouting[k]
		fmt.Fprintf(&w, "\t%d: %d, // %s -> %s\n", k, v, nativeLabel(o, k), o.syscallEnums[v])
	}
	w.WriteString("}\n\n")
	maxErr := 0
	for k := range o.errnos {
		maxErr = max(maxErr, k)
	}
	fmt.Fprintf(&w, "// errnoNames029 holds the names sinsp_utils::errno_to_str of sysdig 0.29.3\n// gives positive error numbers.\nvar errnoNames029 = [%d]string{\n", maxErr+1)
	for _, k := range sortedKeys(o.errnos) {
		fmt.Fprintf(&w, "\t%d: %q,\n", k, o.errnos[k])
	}
	maxSig := 0
	for k := range o.signals {
		maxSig = max(maxSig, k)
	}
	fmt.Fprintf(&w, "}\n\n// signalNames029 holds the names sinsp_utils::signal_to_str of sysdig 0.29.3\n// gives signal numbers.\nvar signalNames029 = [%d]string{\n", maxSig+1)
	for _, k := range sortedKeys(o.signals) {
		fmt.Fprintf(&w, "\t%d: %q,\n", k, o.signals[k])
	}
	w.WriteString("}\n")
	if err := put(files, "names_gen.go", w.Bytes()); err != nil {
		return nil, err
	}

	files["COMPAT.md"] = []byte(b.compat())
	return files, nil
}

func nativeLabel(o *libsRev, nr int) string {
	if n, ok := o.nativeNames[nr]; ok {
		return n
	}
	return "?"
}

func sortedKeys[V any](m map[int]V) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

func fmtValue(v uint32) string {
	if v < 10 {
		return strconv.FormatUint(uint64(v), 10)
	}
	return fmt.Sprintf("0x%x", v)
}

func put(files map[string][]byte, name string, src []byte) error {
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("%s: gofmt: %v", name, err)
	}
	files[name] = out
	return nil
}

func goParam(p mparam) (string, error) {
	typ, ok := ptGo[p.typ]
	if !ok {
		return "", fmt.Errorf("param %q: unknown type %s", p.name, p.typ)
	}
	f, ok := pfGo[p.fmt]
	if !ok {
		return "", fmt.Errorf("param %q: unknown format %s", p.name, p.fmt)
	}
	s := "{"
	if p.name != "" {
		s += fmt.Sprintf("Name: %q, ", p.name)
	}
	s += fmt.Sprintf("Type: %s, Fmt: %s", typ, f)
	if p.namesVar != "" {
		s += ", Names: " + p.namesVar
	}
	if p.dynVar != "" {
		s += ", Dyn: " + p.dynVar
	}
	s += fmt.Sprintf(", DirFD: %d}", p.dirfd)
	return s, nil
}
