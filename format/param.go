package format

import (
	"encoding/binary"
	"math/bits"
	"strconv"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// BufFormat is how byte-buffer parameters (read/write data, execve args
// and environment, ...) are rendered: sysdig's -A, -x, -X and -b flags.
type BufFormat uint8

// Buffer formats.
const (
	BufNormal   BufFormat = iota // printable bytes, others as '.'
	BufASCII                     // -A: printable bytes and newlines only
	BufHex                       // -x: hex dump
	BufHexASCII                  // -X: hex dump with an ASCII column
	BufBase64                    // -b: base64
)

// pf mirrors sinsp_evt::param_fmt: the buffer format libs' renderers get.
type pf uint16

const (
	pfNormal       pf = 1 << 0
	pfJSON         pf = 1 << 1
	pfSimple       pf = 1 << 2
	pfHex          pf = 1 << 3
	pfHexASCII     pf = 1 << 4
	pfEOLS         pf = 1 << 5
	pfEOLSCompact  pf = 1 << 6
	pfBase64       pf = 1 << 7
	pfJSONEOLS     pf = 1 << 8
	pfJSONHex      pf = 1 << 9
	pfJSONHexASCII pf = 1 << 10
	pfJSONBase64   pf = 1 << 11

	pfAnyJSON     = pfJSON | pfJSONEOLS | pfJSONHex | pfJSONHexASCII | pfJSONBase64
	pfAnyHex      = pfHex | pfHexASCII
	pfAnyEOLS     = pfEOLS | pfEOLSCompact
	pfAnyHexASCII = pfHexASCII | pfJSONHexASCII
)

const (
	invalidDynParam  = "INVALID DYNAMIC PARAMETER"
	naParam          = "(n.a.)"
	unknownSyscall   = "<unknown syscall>"
	atFDCWD          = -100 // PPM_AT_FDCWD
	defaultMaxOutLen = 80   // sysdig's set_max_evt_output_len(80) without -v
)

// bufPF maps a buffer format and the JSON flag to libs' param_fmt, as
// sysdig's main does.
func bufPF(b BufFormat, json bool) pf {
	var f pf
	switch b {
	case BufASCII:
		f = pfEOLS
	case BufHex:
		f = pfHex
	case BufHexASCII:
		f = pfHexASCII
	case BufBase64:
		f = pfBase64
	default:
		f = pfNormal
	}
	if json {
		switch f {
		case pfNormal:
			f = pfJSON
		case pfEOLS:
			f = pfJSONEOLS
		case pfHex:
			f = pfJSONHex
		case pfHexASCII:
			f = pfJSONHexASCII
		case pfBase64:
			f = pfJSONBase64
		}
	}
	return f
}

// Renderer renders event parameters as sysdig's sinsp_evt::get_param_as_str
// does: each parameter yields a value string and, for some types, a
// resolved string (the fd's name, the errno's name, the flags' names) that
// evt.info prints in parentheses after the value.
//
// A Renderer keeps scratch buffers and, like sinsp, the value string of the
// last parameter it rendered: in the few cases where sinsp leaves its value
// buffer untouched (an empty path, an fd list without a thread), that stale
// value is what gets printed. It is not safe for concurrent use.
type Renderer struct {
	st     lookup
	pf     pf
	maxLen int // truncation of normal buffers; 0 for none

	arg []byte // value string (sinsp's m_paramstr_storage)
	res []byte // resolved string (sinsp's m_resolved_paramstr_storage)
	tmp []byte

	// The sizes of sinsp's two string buffers, which only grow: the few
	// values that do not make them grow are cut to fit them.
	argSize, resSize int
}

// Initial sizes of sinsp's value and resolved string buffers.
const (
	initArgSize = 1024
	initResSize = 1024
)

// NewRenderer returns a Renderer that resolves fds, threads and users in
// st, renders buffers in format b (with the JSON variants when json is
// set), and truncates normal buffers to 80 characters unless verbose.
func NewRenderer(st *state.State, b BufFormat, json, verbose bool) *Renderer {
	return newRenderer(lookupOf(st), b, json, verbose)
}

// portNames is how the ports of an address print (sysdig's -R): the
// names, nil for numbers, and the layer 4 protocol of the event's fd,
// after parsing, as sinsp renders them.
func (r *Renderer) portNames() (*event.PortNames, uint8) {
	names := r.st.PortNames()
	if names == nil {
		return nil, event.L4Unknown
	}
	if f := r.st.Last().FD; f != nil {
		return names, f.L4Proto
	}
	return names, event.L4Unknown
}

func newRenderer(st lookup, b BufFormat, json, verbose bool) *Renderer {
	r := &Renderer{
		st:  st,
		pf:  bufPF(b, json),
		arg: make([]byte, 0, 256),
		res: make([]byte, 0, 256),
		tmp: make([]byte, 0, 256),
	}
	if !verbose {
		r.maxLen = defaultMaxOutLen
	}
	r.argSize, r.resSize = initArgSize, initResSize
	return r
}

// NumParams is the number of parameters sysdig 0.29.3 shows for e: the
// smaller of the count the event carries and the count 0.29.3's event
// table lists for its type.
func NumParams(e *event.Event) int {
	if e.Info == nil {
		return 0
	}
	n := e.NParams()
	if len(e.Info.Params) < n {
		n = len(e.Info.Params)
	}
	if int(e.Type) < len(nparams029) && int(nparams029[e.Type]) < n {
		n = int(nparams029[e.Type])
	}
	return n
}

// Param renders parameter i of e, whose thread (for fd and path
// resolution) is th, which may be nil. It returns the value and resolved
// strings; both stay valid until the next call. The resolved string is
// empty when there is nothing to add.
func (r *Renderer) Param(e *event.Event, th *state.Thread, i int) (val, resolved []byte) {
	r.render(e, th, i)
	return r.arg, r.res
}

// AppendParam appends parameter i as evt.info shows it: the value, then
// the resolved string in parentheses if there is one.
func (r *Renderer) AppendParam(dst []byte, e *event.Event, th *state.Thread, i int) []byte {
	r.render(e, th, i)
	dst = append(dst, r.arg...)
	if len(r.res) > 0 {
		dst = append(dst, '(')
		dst = append(dst, r.res...)
		dst = append(dst, ')')
	}
	return dst
}

// AppendArg appends what evt.arg.NAME (by index) shows: the resolved
// string if there is one, else the value.
func (r *Renderer) AppendArg(dst []byte, e *event.Event, th *state.Thread, i int) []byte {
	r.render(e, th, i)
	if len(r.res) > 0 {
		return append(dst, r.res...)
	}
	return append(dst, r.arg...)
}

// AppendInfo appends evt.info (equally evt.args) for e: every parameter as
// "name=value " or "name=value(resolved) ". Generic syscall events show
// nothing.
func (r *Renderer) AppendInfo(dst []byte, e *event.Event, th *state.Thread) []byte {
	if e.Type == 0 || e.Type == 1 { // PPME_GENERIC_E/X
		return dst
	}
	n := NumParams(e)
	for i := 0; i < n; i++ {
		r.render(e, th, i)
		dst = append(dst, e.Info.Params[i].Name...)
		dst = append(dst, '=')
		dst = append(dst, r.arg...)
		if len(r.res) > 0 {
			dst = append(dst, '(')
			dst = append(dst, r.res...)
			dst = append(dst, ')')
		}
		dst = append(dst, ' ')
	}
	return dst
}

// paramRest returns the bytes of e from the start of parameter i to the end
// of the event: what sinsp reads when a value is shorter than its type.
func paramRest(e *event.Event, i int) []byte {
	p := e.Param(i)
	if p == nil {
		return nil
	}
	off := cap(e.Raw) - cap(p)
	if off < 0 || off > len(e.Raw) {
		return p
	}
	return e.Raw[off:]
}

// fixed reads an n-byte little-endian value from b, zero-padded.
func fixed(b []byte, n int) uint64 {
	if len(b) >= n {
		switch n {
		case 1:
			return uint64(b[0])
		case 2:
			return uint64(binary.LittleEndian.Uint16(b))
		case 4:
			return uint64(binary.LittleEndian.Uint32(b))
		case 8:
			return binary.LittleEndian.Uint64(b)
		}
	}
	var v uint64
	for k := 0; k < n && k < len(b); k++ {
		v |= uint64(b[k]) << (8 * k)
	}
	return v
}

// render fills r.arg and r.res for parameter i of e.
func (r *Renderer) render(e *event.Event, th *state.Thread, i int) {
	r.res = r.res[:0]
	outer := e.ParamInfo(i)
	if outer == nil {
		r.arg = append(r.arg[:0], naParam...)
		return
	}
	payload := e.Param(i)
	rest := paramRest(e, i)
	pi := outer
	if pi.Type == event.PTDyn && len(payload) != 0 {
		idx := int(payload[0])
		if idx < len(pi.Dyn) {
			pi = &pi.Dyn[idx]
			payload = payload[1:]
			if len(rest) > 0 {
				rest = rest[1:]
			}
		}
	}
	nf := outer.Fmt // sinsp uses the table's format even for dynamic params

	switch pi.Type {
	case event.PTInt8:
		r.arg = appendNumeric(r.arg[:0], int64(int8(fixed(rest, 1))), 1, true, nf)
	case event.PTInt16:
		r.arg = appendNumeric(r.arg[:0], int64(int16(fixed(rest, 2))), 2, true, nf)
	case event.PTInt32:
		r.arg = appendNumeric(r.arg[:0], int64(int32(fixed(rest, 4))), 4, true, nf)
	case event.PTInt64:
		r.arg = appendNumeric(r.arg[:0], int64(fixed(rest, 8)), 8, true, nf)
	case event.PTUint8:
		r.arg = appendNumeric(r.arg[:0], int64(fixed(rest, 1)), 1, false, nf)
	case event.PTUint16:
		r.arg = appendNumeric(r.arg[:0], int64(fixed(rest, 2)), 2, false, nf)
	case event.PTUint32:
		r.arg = appendNumeric(r.arg[:0], int64(fixed(rest, 4)), 4, false, nf)
	case event.PTUint64:
		r.arg = appendNumeric(r.arg[:0], int64(fixed(rest, 8)), 8, false, nf)
	case event.PTFD, event.PTFD32:
		var fd int64
		if pi.Type == event.PTFD32 {
			fd = int64(int32(fixed(rest, 4)))
		} else {
			fd = int64(fixed(rest, 8))
		}
		r.renderFD(th, fd)
	case event.PTPID, event.PTPID32:
		var pid int64
		if pi.Type == event.PTPID32 {
			pid = int64(int32(fixed(rest, 4)))
		} else {
			pid = int64(fixed(rest, 8))
		}
		r.arg = strconv.AppendInt(r.arg[:0], pid, 10)
		if t := r.st.Thread(pid); t != nil {
			r.res = appendCStr(r.res, t.Comm)
			if len(r.res) >= r.resSize {
				r.resSize = len(r.res) + 1
			}
		}
	case event.PTErrno:
		v := int64(fixed(rest, 8))
		r.arg = strconv.AppendInt(r.arg[:0], v, 10)
		if v < 0 {
			r.res = append(r.res, event.ErrnoName(v)...)
		}
	case event.PTCharBuf:
		// snprintf("%s"): the bytes up to the first NUL, even past the
		// value's end when it has none.
		if len(payload) > r.argSize {
			r.argSize = len(payload)
		}
		r.arg = append(r.arg[:0], event.CString(rest)...)
		r.arg = r.arg[:min(len(r.arg), r.argSize-1)]
	case event.PTFSPath, event.PTFSRelPath:
		r.renderPath(e, th, i, outer, payload)
	case event.PTByteBuf:
		r.arg = r.appendBuffer(r.arg[:0], payload)
	case event.PTSockAddr:
		names, l4 := r.portNames()
		r.arg = names.AppendSockaddr(r.arg[:0], payload, l4)
	case event.PTSockTuple:
		names, l4 := r.portNames()
		r.arg = names.AppendTuple(r.arg[:0], payload, l4)
	case event.PTFDList:
		if th == nil {
			return // sinsp leaves its value buffer as it was
		}
		r.arg = r.arg[:0]
		nfds := int(fixed(rest, 2))
		pos := 2
		for j := 0; j < nfds; j++ {
			fd := int64(fixed(sub(rest, pos), 8))
			flags := uint32(int32(int16(fixed(sub(rest, pos+8), 2))))
			ch := byte('?')
			if f := r.st.FD(th, fd); f != nil {
				ch = typeChar(f)
			}
			r.arg = strconv.AppendUint(r.arg, uint64(fd), 10)
			r.arg = append(r.arg, ':', ch)
			r.arg = strconv.AppendUint(r.arg, uint64(flags), 16)
			if j < nfds-1 {
				r.arg = append(r.arg, ' ')
			}
			pos += 10
		}
		if len(r.arg) >= r.argSize-1 {
			r.arg = r.arg[:r.argSize-1]
		}
	case event.PTSyscallID:
		id := uint16(fixed(rest, 2))
		name := event.SyscallName(id)
		if name == "" {
			r.arg = append(r.arg[:0], unknownSyscall...)
			break
		}
		r.arg = strconv.AppendUint(r.arg[:0], uint64(id), 10)
		r.res = append(r.res, name...)
	case event.PTSigType:
		sig := uint8(fixed(rest, 1))
		r.arg = strconv.AppendUint(r.arg[:0], uint64(sig), 10)
		r.res = append(r.res, event.SignalName(sig)...)
	case event.PTRelTime:
		v := fixed(rest, 8)
		if v == ^uint64(0) {
			r.arg = append(r.arg[:0], "none"...)
			break
		}
		r.arg = strconv.AppendUint(r.arg[:0], v, 10)
		r.res = appendCFloatG(r.res, float64(v)/1e9)
		r.res = append(r.res, 's')
	case event.PTFlags8, event.PTFlags16, event.PTFlags32:
		w := 4
		if pi.Type == event.PTFlags8 {
			w = 1
		} else if pi.Type == event.PTFlags16 {
			w = 2
		}
		v := uint32(fixed(rest, w))
		r.arg = strconv.AppendUint(r.arg[:0], uint64(v), 10)
		r.res = appendFlagNames(r.res, outer.Names, v)
	case event.PTEnumFlags8, event.PTEnumFlags16, event.PTEnumFlags32:
		// Not in sysdig 0.29.3's libs; rendered as newer libs do: the name
		// whose value matches exactly.
		w := 4
		if pi.Type == event.PTEnumFlags8 {
			w = 1
		} else if pi.Type == event.PTEnumFlags16 {
			w = 2
		}
		v := uint32(fixed(rest, w))
		r.arg = strconv.AppendUint(r.arg[:0], uint64(v), 10)
		for _, nv := range outer.Names {
			if nv.Value == v {
				r.res = append(r.res, nv.Name...)
				break
			}
		}
	case event.PTMode:
		v := uint32(fixed(rest, 4))
		r.arg = appendNumeric(r.arg[:0], int64(v), 4, false, nf)
		r.res = appendFlagNames(r.res, outer.Names, v)
	case event.PTUID, event.PTGID:
		v := uint32(fixed(rest, 4))
		if v == ^uint32(0) {
			r.arg = append(r.arg[:0], "-1"...)
			r.res = append(r.res, "<NONE>"...)
			break
		}
		r.arg = strconv.AppendInt(r.arg[:0], int64(int32(v)), 10)
		name, ok := "", false
		if pi.Type == event.PTUID {
			if u := r.st.User(v); u != nil {
				name, ok = u.Name, true
			}
		} else if g := r.st.Group(v); g != nil {
			name, ok = g.Name, true
		}
		if ok {
			r.res = appendSanitizedCStr(r.res, name)
			r.res = r.res[:min(len(r.res), r.resSize-1)]
		} else {
			r.res = append(r.res, "<NA>"...)
		}
	case event.PTCharBufArray, event.PTCharBufPairArray:
		// In sinsp these hold pointers to decoded tracer strings, which a
		// capture file cannot carry.
		r.arg = r.arg[:0]
	case event.PTSigSet:
		v := uint32(fixed(rest, 4))
		r.arg = r.arg[:0]
		first := true
		for sig := 0; sig < 32; sig++ {
			if v&(1<<uint(sig)) == 0 {
				continue
			}
			name := event.SignalName(uint8(sig + 1))
			if name == "" {
				continue
			}
			if !first {
				r.arg = append(r.arg, ' ')
			}
			r.arg = append(r.arg, name...)
			first = false
		}
	case event.PTAbsTime, event.PTDyn:
		r.arg = append(r.arg[:0], invalidDynParam...)
	default:
		r.arg = append(r.arg[:0], naParam...)
	}
}

func sub(b []byte, off int) []byte {
	if off >= len(b) {
		return nil
	}
	return b[off:]
}

// appendNumeric formats v as SET_NUMERIC_FORMAT and printf do: width is
// the value's size in bytes, signed whether its type is.
func appendNumeric(dst []byte, v int64, width int, signed bool, f event.PrintFmt) []byte {
	// The value printf sees for the unsigned conversions (%o, %X): types
	// narrower than int are promoted (sign-extended if signed) to 32 bits.
	var u uint64
	switch {
	case width == 8:
		u = uint64(v)
	default:
		u = uint64(uint32(int32(v)))
	}
	// The value printf sees for %d: PRId32 of a uint32 reads it as int32,
	// and uint64 values are read through an int64.
	d := v
	if width == 4 {
		d = int64(int32(v))
	}
	switch f {
	case event.PFOct:
		if u == 0 {
			return append(dst, '0')
		}
		dst = append(dst, '0')
		return strconv.AppendUint(dst, u, 8)
	case event.PFHex:
		return AppendUpperHex(dst, u)
	case event.PF10PaddedDec:
		return AppendPadded(dst, d, 9)
	default:
		return strconv.AppendInt(dst, d, 10)
	}
}

// AppendUpperHex is printf's %lX.
func AppendUpperHex(dst []byte, u uint64) []byte {
	const digits = "0123456789ABCDEF"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[u&15]
		u >>= 4
		if u == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// AppendPadded is printf's %0*d, for signed values.
func AppendPadded(dst []byte, d int64, width int) []byte {
	if d < 0 {
		dst = append(dst, '-')
		return AppendZeroPadded(dst, uint64(-d), width-1)
	}
	return AppendZeroPadded(dst, uint64(d), width)
}

// AppendZeroPadded appends u in decimal with at least width digits.
func AppendZeroPadded(dst []byte, u uint64, width int) []byte {
	var b [24]byte
	i := len(b)
	for u >= 10 {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
	}
	i--
	b[i] = byte('0' + u)
	for len(b)-i < width && i > 0 {
		i--
		b[i] = '0'
	}
	return append(dst, b[i:]...)
}

// appendFlagNames resolves flags as sinsp does: names are taken in table
// order, each one whose bits are all set (a zero-valued name only when
// the whole value is zero) is printed and its bits cleared, and the walk
// stops at the first name whose value equals the whole value, which is
// printed too.
func appendFlagNames(dst []byte, names []event.NameValue, v uint32) []byte {
	initial := v
	sep := false
	k := 0
	for ; k < len(names) && names[k].Value != initial; k++ {
		f := names[k].Value
		if (f == 0 && initial == 0) || (f != 0 && v&f == f && v != 0) {
			if sep {
				dst = append(dst, '|')
			}
			dst = append(dst, names[k].Name...)
			sep = true
			v &^= f
		}
	}
	if k < len(names) {
		if sep {
			dst = append(dst, '|')
		}
		dst = append(dst, names[k].Name...)
	}
	return dst
}

// appendCStr appends s up to its first NUL byte.
func appendCStr(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return append(dst, s[:i]...)
		}
	}
	return append(dst, s...)
}

// appendSanitizedCStr appends the printable ASCII bytes of s up to its
// first NUL, as sinsp's strcpy_sanitized and sanitize_string do.
func appendSanitizedCStr(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 {
			break
		}
		if c >= 0x20 && c < 0x7f {
			dst = append(dst, c)
		}
	}
	return dst
}

// typeChar is the fd's type character, as in <f>.
func typeChar(f *state.FD) byte { return f.Type.Char() }

// l4Char is the protocol character sinsp adds to socket fds, as in <4t>:
// sinsp_fdinfo_t::get_l4proto, which reports no protocol for a connected
// socket whose role (client or server) is not known yet.
func l4Char(f *state.FD) byte {
	switch f.Type {
	case state.FDIPv4Sock, state.FDIPv6Sock:
		if f.L4Proto == l4Raw {
			return 'r'
		}
		if f.Role == state.RoleNone {
			return 0
		}
	case state.FDIPv4Server, state.FDIPv6Server:
	default:
		return 0
	}
	switch f.L4Proto {
	case l4TCP:
		return 't'
	case l4UDP:
		return 'u'
	case l4ICMP:
		return 'i'
	case l4Raw:
		return 'r'
	}
	return 0
}

// state.FD.L4Proto values.
const (
	l4TCP  = state.L4TCP
	l4UDP  = state.L4UDP
	l4ICMP = state.L4ICMP
	l4Raw  = state.L4Raw
)

// renderFD is sinsp_evt::render_fd.
func (r *Renderer) renderFD(th *state.Thread, fd int64) {
	r.arg = strconv.AppendInt(r.arg[:0], fd, 10)
	if th == nil {
		return
	}
	switch {
	case fd >= 0:
		f := r.st.FD(th, fd)
		if f == nil {
			return
		}
		r.res = append(r.res, '<')
		if r.pf&pfSimple == 0 {
			r.res = append(r.res, typeChar(f))
		}
		if c := l4Char(f); c != 0 {
			r.res = append(r.res, c)
		}
		r.res = append(r.res, '>')
		n := len(r.res)
		r.res = appendSanitizedCStr(r.res, f.Name)
		if len(r.res)-n >= r.resSize {
			r.resSize = len(r.res) - n + 1
		}
		r.res = r.res[:min(len(r.res), r.resSize-1)]
	case fd == atFDCWD:
		r.res = append(r.res, "AT_FDCWD"...)
	default:
		r.res = append(r.res, event.ErrnoName(fd)...)
	}
}

// renderPath renders a PT_FSPATH or PT_FSRELPATH value: the path with
// unprintable bytes dropped and, for a relative path, the path resolved
// against the thread's working directory (or dirfd) as the resolved
// string.
func (r *Renderer) renderPath(e *event.Event, th *state.Thread, i int, outer *event.Param, payload []byte) {
	if len(payload) == 0 {
		// strcpy_sanitized into a zero-sized buffer writes nothing: the
		// previous value stays.
		return
	}
	// strcpy_sanitized(dst, payload, len): copies the valid bytes up to
	// the NUL; when the value lacks a NUL and has no invalid byte, its last
	// byte is cut by the final terminator.
	r.arg = r.arg[:0]
	src := paramRest(e, i)
	copied, terminated := 0, false
	dstsize := min(len(payload), r.argSize)
	for k := 0; copied < dstsize; k++ {
		var c byte
		if k < len(src) {
			c = src[k]
		}
		if c >= 0x20 && c < 0x7f {
			r.arg = append(r.arg, c)
			copied++
		}
		if c == 0 {
			terminated = true
			break
		}
	}
	if !terminated && len(r.arg) > 0 {
		r.arg = r.arg[:len(r.arg)-1]
	}
	if th == nil || hasPrefix(payload, "<NA>") {
		return
	}
	// concatenate_paths: only relative paths resolve.
	if payload[0] == '/' {
		return
	}
	base := r.tmp[:0]
	base = r.appendBaseDir(base, e, th, outer)
	r.tmp = base
	if n := len(payload) + len(base); n >= r.resSize {
		r.resSize = n + 1
	}
	r.res = append(r.res, base...)
	r.res = state.AppendPath(r.res, 0, event.CString(src))
}

func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

// appendBaseDir is sinsp_evt::get_base_dir: the directory a relative path
// of the event is relative to.
func (r *Renderer) appendBaseDir(dst []byte, e *event.Event, th *state.Thread, outer *event.Param) []byte {
	cwd := func() []byte { return append(dst, r.st.Cwd(th)...) }
	if outer.Type != event.PTFSRelPath {
		return cwd()
	}
	di := int(outer.DirFD)
	if di < 0 || di >= len(e.Info.Params) || e.Info.Params[di].Type != event.PTFD || di >= NumParams(e) {
		return cwd()
	}
	dirfd := int64(fixed(paramRest(e, di), 8))
	if dirfd == atFDCWD {
		return cwd()
	}
	f := r.st.FD(th, dirfd)
	if f == nil || f.Name == "" {
		// sysdig would look in this machine's /proc; a capture's pids are
		// not there.
		return dst
	}
	dst = appendSanitizedCStr(dst, f.Name)
	return append(dst, '/')
}

// AppendUint appends u in decimal, as strconv.AppendUint(dst, u, 10)
// does, with a quarter fewer instructions: it prints most numbers of most
// lines (event numbers, threads, CPUs, values). The digits go straight
// into dst, two at a time, from the end.
func AppendUint(dst []byte, u uint64) []byte {
	if u < 10 {
		return append(dst, byte('0'+u))
	}
	// The number of digits, from the number of bits: log10(2) is about
	// 1233/4096, one short at most.
	n := bits.Len64(u) * 1233 >> 12
	if u >= pow10[n] {
		n++
	}
	l := len(dst)
	if cap(dst)-l < n {
		dst = append(dst, make([]byte, n)...)[:l]
	}
	dst = dst[:l+n]
	d := dst[l:]
	i := n
	for u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		d[i+1], d[i] = digitPairs[r+1], digitPairs[r]
		u = q
	}
	if u >= 10 {
		d[1], d[0] = digitPairs[2*u+1], digitPairs[2*u]
	} else {
		d[0] = byte('0' + u)
	}
	return dst
}

// AppendInt is AppendUint for a signed value, as strconv.AppendInt(dst,
// v, 10).
func AppendInt(dst []byte, v int64) []byte {
	if v < 0 {
		return AppendUint(append(dst, '-'), uint64(-v))
	}
	return AppendUint(dst, uint64(v))
}

// pow10[i] is 10 to the i.
var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// digitPairs is "00" to "99", one after another.
const digitPairs = "0001020304050607080910111213141516171819" +
	"2021222324252627282930313233343536373839" +
	"4041424344454647484950515253545556575859" +
	"6061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"
