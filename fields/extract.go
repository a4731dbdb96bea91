package fields

import (
	"math"
	"net/netip"
	"strconv"
	"unsafe"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/state"
)

// getter extracts one field: it fills v (the member of the extractor's
// kind, Str for strings) and reports whether the field has a value.
type getter func(x *extractor, c *Ctx, v *Value) bool

// extractor is the one Extractor implementation: a field, its argument,
// and the field's getter.
type extractor struct {
	f    *Field
	arg  argument
	kind Kind
	pt   ptype
	pf   pfmt
	get  getter
	// rawType is, for evt.rawarg, the parameter's libs type number, for
	// sysdig's "wrong event type N".
	rawType event.ParamType
	// bad, when set, is the error sysdig would throw rendering the value.
	bad string

	v    Value  // the value being extracted
	buf  []byte // scratch for string values
	buf2 []byte
	r    *format.Renderer

	// State kept across events, as sysdig keeps it in the filtercheck.
	prevTS    uint64                   // evt.deltatime, -t D
	perThread map[*state.Thread]uint64 // thread.totexectime, thread.cpu
	cpuSwitch []uint64                 // thread.exectime: last switch per CPU

	// stateID is the number of the thread state sinsp reserves for the
	// field (thread.totexectime), counted in the format.
	stateID int

	// formatting is set while Format runs: evt.buffer renders then,
	// and gives the raw bytes to filters.
	formatting bool
	// many, if set, gives Extract's values: every ancestor for
	// proc.aname and proc.apid without argument, both ends of a socket
	// for fd.ip, fd.net, fd.port and fd.proto.
	many func(x *extractor, c *Ctx, vals []Value) []Value
}

func (r ref) newExtractor() *extractor {
	x := &extractor{f: r.f, arg: r.arg, kind: r.f.Kind, pt: r.f.pt, pf: r.f.pf, get: r.f.get()}
	if r.n == 0 && (r.f.Name == "proc.aname" || r.f.Name == "proc.apid") {
		// Taking nothing, sysdig's check keeps its default: the process
		// itself.
		x.arg.num = -1
	}
	switch r.f.Name {
	case "evt.rawarg":
		if p := r.arg.param; p != nil {
			x.rawType = p.Type
			x.pt, x.kind = rawPType(p.Type)
		}
	case "proc.aname", "proc.apid":
		if r.n > 0 && !r.arg.set {
			x.many = (*extractor).extractAncestors
		}
	case "fd.ip", "fd.net", "fd.port", "fd.proto":
		x.many = (*extractor).extractBothEnds
	case "fd.cnet", "fd.snet", "fd.lnet", "fd.rnet":
		// Filters compare the address of fd.cip (...) with a network.
		x.get = Lookup("fd." + r.f.Name[3:4] + "ip").get()
	}
	return x
}

func getNone(*extractor, *Ctx, *Value) bool { return false }

// get returns the field's getter.
func (f *Field) get() getter {
	if g, ok := getters[f.Name]; ok {
		return g
	}
	return getNone
}

// getters maps field names to their extraction; fields without one have
// no value (the classes whose data syscope does not have: k8s, mesos,
// span, evtin, plugins).
var getters = map[string]getter{}

func (x *extractor) Kind() Kind { return x.kind }

// Field returns the field the extractor extracts.
func (x *extractor) Field() *Field { return x.f }

func (x *extractor) Extract(c *Ctx, vals []Value) []Value {
	if x.many != nil {
		return x.many(x, c, vals)
	}
	v := &x.v
	*v = Value{}
	if !x.get(x, c, v) {
		return vals
	}
	v.Kind = x.kind
	return append(vals, *v)
}

func (x *extractor) Format(dst []byte, c *Ctx) ([]byte, bool) {
	v := &x.v
	*v = Value{}
	x.bad = ""
	x.formatting = true
	ok := x.get(x, c, v)
	x.formatting = false
	if !ok {
		return dst, false
	}
	return x.render(dst, v)
}

// str sets v.Str to s without copying: values are read-only.
func str(v *Value, s string) {
	v.Str = unsafe.Slice(unsafe.StringData(s), len(s))
}

// cstr is s up to its first NUL, as sysdig's C strings are.
func cstr(s []byte) []byte {
	for i, b := range s {
		if b == 0 {
			return s[:i]
		}
	}
	return s
}

// render appends v as sysdig's rawval_to_string renders a value of the
// extractor's type and print format; false when sysdig renders nothing
// (its NULL).
func (x *extractor) render(dst []byte, v *Value) ([]byte, bool) {
	switch x.pt {
	case ptCharbuf, ptBytebuf:
		return append(dst, cstr(v.Str)...), true
	case ptBool:
		if v.Bool {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case ptInt8, ptInt16, ptInt32:
		bits := map[ptype]uint{ptInt8: 8, ptInt16: 16, ptInt32: 32}[x.pt]
		switch x.pf {
		case pfDec, pfID:
			return format.AppendInt(dst, v.Int), true
		case pfOct:
			return strconv.AppendUint(dst, uint64(v.Int)&(1<<bits-1), 8), true
		case pfHex:
			return format.AppendUpperHex(dst, uint64(v.Int)&(1<<bits-1)), true
		}
		return dst, false
	case ptInt64, ptErrno:
		switch x.pf {
		case pfOct:
			return strconv.AppendUint(dst, uint64(v.Int), 8), true
		case pf10PaddedDec:
			return format.AppendPadded(dst, v.Int, 9), true
		case pfHex:
			return format.AppendUpperHex(dst, uint64(v.Int)), true
		}
		return format.AppendInt(dst, v.Int), true
	case ptUint8, ptUint16, ptUint32, ptPort:
		switch x.pf {
		case pfOct:
			return strconv.AppendUint(dst, v.Uint, 8), true
		case pfDec, pfID, pfHex:
			return format.AppendUint(dst, v.Uint), true
		}
		return dst, false
	case ptUint64, ptReltime, ptAbstime:
		switch x.pf {
		case pfOct:
			return strconv.AppendUint(dst, v.Uint, 8), true
		case pfDec, pfID:
			return format.AppendUint(dst, v.Uint), true
		case pf10PaddedDec:
			return format.AppendZeroPadded(dst, v.Uint, 9), true
		case pfHex:
			return format.AppendUpperHex(dst, v.Uint), true
		}
		return dst, false
	case ptIpaddr:
		return appendIP(dst, v.IP), true
	case ptDouble:
		return appendFloat1(dst, v.Float), true
	case ptIpnet:
		return dst, false
	}
	if x.rawType == event.PTSockAddr || x.rawType == event.PTSockFamily {
		return dst, false
	}
	x.bad = "wrong event type " + strconv.Itoa(int(x.rawType))
	return dst, false
}

// appendIP renders an address as sysdig does: IPv4 dotted, IPv6 as
// inet_ntop writes it.
func appendIP(dst []byte, a netip.Addr) []byte {
	if a.Is4() {
		return a.AppendTo(dst)
	}
	return appendInet6(dst, a.As16())
}

// appendInet6 is glibc's inet_ntop(AF_INET6): the longest run of two or
// more zero groups becomes "::", and an address whose first 96 bits are
// zero (except ::1 and ::), or ::ffff:0:0/96, ends in dotted IPv4.
func appendInet6(dst []byte, b [16]byte) []byte {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	best, bestLen := -1, 0
	cur, curLen := -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if cur < 0 {
				cur, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if cur >= 0 && curLen > bestLen {
			best, bestLen = cur, curLen
		}
		cur = -1
	}
	if cur >= 0 && curLen > bestLen {
		best, bestLen = cur, curLen
	}
	if bestLen < 2 {
		best = -1
	}
	for i := 0; i < 8; i++ {
		if best >= 0 && i >= best && i < best+bestLen {
			if i == best {
				dst = append(dst, ':')
			}
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		if i == 6 && best == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff) {
			return netip.AddrFrom4([4]byte(b[12:16])).AppendTo(dst)
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	if best >= 0 && best+bestLen == 8 {
		dst = append(dst, ':')
	}
	return dst
}

// appendFloat1 is printf("%.1lf").
func appendFloat1(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch {
		case math.IsNaN(f):
			if math.Signbit(f) {
				return append(dst, "-nan"...)
			}
			return append(dst, "nan"...)
		case f > 0:
			return append(dst, "inf"...)
		}
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'f', 1, 64)
}

// rawPType maps an event parameter's type to the type evt.rawarg renders
// it as, and the kind of its values.
func rawPType(t event.ParamType) (ptype, Kind) {
	switch t {
	case event.PTInt8:
		return ptInt8, KindInt
	case event.PTInt16:
		return ptInt16, KindInt
	case event.PTInt32:
		return ptInt32, KindInt
	case event.PTInt64, event.PTPID:
		return ptInt64, KindInt
	case event.PTErrno:
		return ptErrno, KindInt
	case event.PTUint8, event.PTL4Proto:
		return ptUint8, KindUint
	case event.PTUint16:
		return ptUint16, KindUint
	case event.PTPort:
		return ptPort, KindPort
	case event.PTUint32:
		return ptUint32, KindUint
	case event.PTUint64:
		return ptUint64, KindUint
	case event.PTRelTime:
		return ptReltime, KindRelTime
	case event.PTAbsTime:
		return ptAbstime, KindAbsTime
	case event.PTCharBuf, event.PTFSPath, event.PTFSRelPath:
		return ptCharbuf, KindString
	case event.PTByteBuf:
		return ptBytebuf, KindBytes
	case event.PTBool:
		return ptBool, KindBool
	case event.PTIPv4Addr, event.PTIPv6Addr, event.PTIPAddr:
		return ptIpaddr, KindIP
	case event.PTDouble:
		return ptDouble, KindDouble
	// Types sysdig 0.29.3 cannot render as a field: filters compare
	// them as numbers.
	case event.PTFD, event.PTFD32, event.PTPID32:
		return ptOther, KindInt
	case event.PTSockAddr, event.PTSockTuple, event.PTFDList, event.PTCharBufArray, event.PTCharBufPairArray, event.PTDyn, event.PTIPv4Net, event.PTIPv6Net, event.PTIPNet:
		return ptOther, KindBytes
	}
	return ptOther, KindUint
}

// appendJSON appends the field's value as sysdig's tojson renders it
// (extract_as_js, else rawval_to_json), and reports false for null.
func (x *extractor) appendJSON(dst []byte, c *Ctx) ([]byte, bool) {
	x.bad = ""
	switch x.f.Name {
	case "evt.time", "evt.time.s", "evt.time.iso8601", "evt.datetime", "evt.datetime.s", "evt.outputtime":
		return strconv.AppendInt(dst, int64(c.Ev.TS), 10), true
	case "evt.count":
		return append(dst, '1'), true
	}
	v := &x.v
	*v = Value{}
	x.formatting = true
	ok := x.get(x, c, v)
	x.formatting = false
	if !ok {
		return dst, false
	}
	switch x.f.Name {
	case "evt.rawtime", "evt.rawtime.s", "evt.rawtime.ns", "evt.reltime", "evt.reltime.s", "evt.reltime.ns",
		"evt.latency", "evt.latency.s", "evt.latency.ns", "evt.deltatime", "evt.deltatime.s", "evt.deltatime.ns":
		return strconv.AppendInt(dst, int64(v.Uint), 10), true
	}
	switch x.pt {
	case ptInt8, ptInt16, ptInt32:
		switch x.pf {
		case pfDec, pfID:
			return format.AppendInt(dst, v.Int), true
		case pfOct, pfHex:
			return x.jsonString(dst, v)
		}
		return dst, false
	case ptInt64:
		if x.pf == pfDec || x.pf == pfID {
			return format.AppendInt(dst, v.Int), true
		}
		return x.jsonString(dst, v)
	case ptUint8, ptUint16, ptUint32, ptPort:
		switch x.pf {
		case pfDec, pfID:
			return format.AppendUint(dst, v.Uint), true
		case pfOct, pfHex:
			return x.jsonString(dst, v)
		}
		return dst, false
	case ptUint64, ptReltime, ptAbstime:
		switch x.pf {
		case pfDec, pfID:
			return format.AppendUint(dst, v.Uint), true
		case pf10PaddedDec, pfOct, pfHex:
			return x.jsonString(dst, v)
		}
		return dst, false
	case ptBool:
		if v.Bool {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case ptCharbuf, ptBytebuf, ptIpaddr:
		return x.jsonString(dst, v)
	}
	if x.rawType == event.PTSockAddr || x.rawType == event.PTSockFamily {
		return dst, false
	}
	t := int(x.rawType)
	switch x.pt {
	case ptDouble:
		t = int(event.PTDouble)
	case ptErrno:
		t = int(event.PTErrno)
	case ptIpnet:
		t = int(event.PTIPNet)
	}
	x.bad = "wrong event type " + strconv.Itoa(t)
	return dst, false
}

// jsonString renders v as rawval_to_string does, as a JSON string.
func (x *extractor) jsonString(dst []byte, v *Value) ([]byte, bool) {
	s, ok := x.render(x.buf2[:0], v)
	x.buf2 = s
	if !ok {
		return dst, false
	}
	return format.AppendJSONString(dst, cstr(s)), true
}
