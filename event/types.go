package event

// Code is an event type code as stored in a trace file. Even codes are
// enter events, odd codes exit events.
type Code uint16

// ParamType is the wire type of an event parameter. The values are those
// of libs' enum ppm_param_type, since they appear in trace files only
// implicitly but are shared with every tool in the field.
type ParamType uint8

// Parameter types.
const (
	PTNone ParamType = iota
	PTInt8
	PTInt16
	PTInt32
	PTInt64
	PTUint8
	PTUint16
	PTUint32
	PTUint64
	PTCharBuf // NUL-terminated printable string
	PTByteBuf // raw bytes
	PTErrno   // int64 interpreted as an error code
	PTSockAddr
	PTSockTuple
	PTFD  // int64 file descriptor
	PTPID // int64 pid or tid
	PTFDList
	PTFSPath
	PTSyscallID
	PTSigType
	PTRelTime
	PTAbsTime
	PTPort
	PTL4Proto
	PTSockFamily
	PTBool
	PTIPv4Addr
	PTDyn
	PTFlags8
	PTFlags16
	PTFlags32
	PTUID
	PTGID
	PTDouble
	PTSigSet
	PTCharBufArray
	PTCharBufPairArray
	PTIPv4Net
	PTIPv6Addr
	PTIPv6Net
	PTIPAddr
	PTIPNet
	PTMode
	PTFSRelPath
	PTEnumFlags8
	PTEnumFlags16
	PTEnumFlags32
	PTFD32
	PTPID32
)

// PrintFmt says how a numeric parameter is rendered.
type PrintFmt uint8

// Print formats, with libs' ppm_print_format values.
const (
	PFNA PrintFmt = iota
	PFDec
	PFHex
	PF10PaddedDec
	PFID
	PFDir
	PFOct
)

// Category is an event's category: the low bits name the kind of
// operation (file, net, ...), the high bits the source (syscall,
// tracepoint, ...). Values are libs' enum ppm_event_category.
type Category uint32

// Categories.
const (
	CatUnknown    Category = 0
	CatOther      Category = 1
	CatFile       Category = 2
	CatNet        Category = 3
	CatIPC        Category = 4
	CatMemory     Category = 5
	CatProcess    Category = 6
	CatSleep      Category = 7
	CatSystem     Category = 8
	CatSignal     Category = 9
	CatUser       Category = 10
	CatTime       Category = 11
	CatProcessing Category = 12
	CatIORead     Category = 32
	CatIOWrite    Category = 33
	CatIOOther    Category = 34
	CatWait       Category = 1 << 6
	CatScheduler  Category = 1 << 7
	CatInternal   Category = 1 << 8
	CatSyscall    Category = 1 << 9
	CatTracepoint Category = 1 << 10
	CatPlugin     Category = 1 << 11
	CatMetaevent  Category = 1 << 12
	CatIter       Category = 1 << 13
)

// Flags are properties of an event type (libs' enum ppm_event_flags).
type Flags uint32

// Event flags.
const (
	FlagCreatesFD        Flags = 1 << 0
	FlagDestroysFD       Flags = 1 << 1
	FlagUsesFD           Flags = 1 << 2
	FlagReadsFromFD      Flags = 1 << 3
	FlagWritesToFD       Flags = 1 << 4
	FlagModifiesState    Flags = 1 << 5
	FlagUnused           Flags = 1 << 6
	FlagWaits            Flags = 1 << 7
	FlagSkipParseReset   Flags = 1 << 8
	FlagOldVersion       Flags = 1 << 9
	FlagDropSimpleCons   Flags = 1 << 10 // sysdig 0.29.3 only; see Flags029
	FlagLargePayload     Flags = 1 << 11
	FlagConverterManaged Flags = 1 << 12
)

// NameValue names one flag bit or enum value of a parameter.
type NameValue struct {
	Name  string
	Value uint32
}

// Param describes one parameter of an event type.
type Param struct {
	Name string
	Type ParamType
	Fmt  PrintFmt
	// Names lists flag or enum names for PTFlags*, PTEnumFlags* and PTMode
	// parameters, in libs' order (which decides how they print).
	Names []NameValue
	// DirFD is, for PTFSRelPath, the index of the dirfd parameter that the
	// path is relative to; -1 when there is none.
	DirFD int8
	// Dyn lists, for PTDyn, the possible types of the value, indexed by the
	// value's leading index byte.
	Dyn []Param
}

// Info describes an event type.
type Info struct {
	Name     string
	Category Category
	Flags    Flags
	Params   []Param
}

// IsEnter reports whether c is an enter event.
func (c Code) IsEnter() bool { return c&1 == 0 }

// DirChar is '>' for an enter event and '<' for an exit event, as sysdig
// prints them.
func (c Code) DirChar() byte {
	if c.IsEnter() {
		return '>'
	}
	return '<'
}

// Lookup returns the description of code, or nil if the code is not known.
func Lookup(c Code) *Info {
	if info := tableInfo(c); info != nil {
		return info
	}
	return lookupOwn(c) // userstack.go
}

// tableInfo is the table's description of c, nil for a code it does not
// know: Lookup without syscope's own codes, one load for the decoding of
// every event (DecodeCommon).
func tableInfo(c Code) *Info {
	if int(c) < len(infos) {
		return infos[c]
	}
	return nil
}

// infos points into table by code, nil where the table has no entry.
var infos = func() []*Info {
	t := make([]*Info, len(table))
	for c := range table {
		if table[c].Name != "" {
			t[c] = &table[c]
		}
	}
	return t
}()

// NumCodes is how many event codes the table knows.
func NumCodes() int { return len(table) }
