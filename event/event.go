package event

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// HeaderLen is the length of an event header with its nparams field (V2
// event blocks and the live probe); V1 event blocks lack the last 4 bytes.
const HeaderLen = 26

// The two event types whose V1 length libscap corrects (see DecodeV1).
const (
	codeNotificationE   Code = 280
	codeInfrastructureE Code = 286
)

// HeaderLenV1 is the length of a V1 event header, which has no nparams.
const HeaderLenV1 = 22

// MaxParams bounds the number of parameters of an event; no event type
// has more than this many.
const MaxParams = 64

// Event is one raw event: the header fields, decoded, and the parameter
// values, located but not decoded. Decoding a value is left to whoever
// asks for it, so an event that is filtered out costs only the location of
// its parameters.
//
// An Event returned by a reader is reused by the next read; copy it with
// Clone to keep it.
type Event struct {
	Num   uint64 // sequence number, from 1, counting every event read
	CPU   uint16
	Flags uint32 // block flags; FlagStateOnly marks events not to print
	TS    uint64 // nanoseconds since the epoch
	TID   int64
	Type  Code
	Info  *Info // nil for a code the table does not know

	// Raw is the whole event as stored: header, parameter lengths, values.
	Raw []byte
	// V1 is set for an event of a V1 block, whose header lacks nparams
	// (22 bytes instead of 26).
	V1 bool

	nparams int
	off     [MaxParams + 1]uint32 // offsets of each value in Raw, and the end
}

// FlagStateOnly marks an event that updates state but is not shown.
const FlagStateOnly = 1

// ErrParams is wrapped by errors about malformed parameter lengths.
var ErrParams = errors.New("malformed event parameters")

// Decode fills e from raw, an event with the 26-byte header of V2 event
// blocks and the live probe. raw is kept, not copied. It checks that the
// parameter lengths stay within the event.
func (e *Event) Decode(raw []byte) error {
	if e.DecodeCommon(raw) {
		return nil
	}
	if len(raw) < HeaderLen {
		return fmt.Errorf("event of %d bytes is shorter than its %d-byte header: %w", len(raw), HeaderLen, ErrParams)
	}
	if err := e.header(raw); err != nil {
		return err
	}
	if len(e.Raw) < HeaderLen {
		return fmt.Errorf("event length %d is shorter than its %d-byte header: %w", len(e.Raw), HeaderLen, ErrParams)
	}
	e.V1 = false
	n := binary.LittleEndian.Uint32(e.Raw[22:])
	if n > MaxParams {
		return fmt.Errorf("event type %d claims %d parameters: %w", e.Type, n, ErrParams)
	}
	return e.locate(HeaderLen, int(n), true)
}

// DecodeCommon is Decode for the common event, in one pass: a code the
// table knows, not of a large-payload type, with parameter lengths that
// all fit. It reports false, for Decode's careful way to decode the event
// or say what is wrong with it, on anything else; e is then undefined.
func (e *Event) DecodeCommon(raw []byte) bool {
	if len(raw) < HeaderLen {
		return false
	}
	evlen := int(binary.LittleEndian.Uint32(raw[16:]))
	code := Code(binary.LittleEndian.Uint16(raw[20:]))
	n := int(binary.LittleEndian.Uint32(raw[22:]))
	info := tableInfo(code)
	p := HeaderLen + 2*n
	if evlen > len(raw) || n > MaxParams || info == nil || info.Flags&FlagLargePayload != 0 || p > evlen {
		return false
	}
	// The lengths are within raw (p <= evlen <= len(raw)) and the
	// offsets within e.off (n <= MaxParams): the loop goes without the
	// checks of indexing, which cost as much as the rest of it.
	lens := unsafe.Pointer(unsafe.SliceData(raw[HeaderLen:]))
	off := unsafe.Pointer(&e.off)
	for i := range n {
		*(*uint32)(unsafe.Add(off, 4*i)) = uint32(p)
		p += int(*(*byte)(unsafe.Add(lens, 2*i))) | int(*(*byte)(unsafe.Add(lens, 2*i+1)))<<8
	}
	if p > evlen {
		return false
	}
	e.off[n] = uint32(p)
	e.TS = binary.LittleEndian.Uint64(raw[0:])
	e.TID = int64(binary.LittleEndian.Uint64(raw[8:]))
	e.Type, e.Info, e.Raw, e.V1, e.nparams = code, info, raw[:evlen:evlen], false, n
	return true
}

// Skim is Decode for an event nobody will ask the parameters of: it
// checks them as Decode does, with the same errors, but does not locate
// them; NParams is then 0.
func (e *Event) Skim(raw []byte) error {
	if len(raw) < HeaderLen {
		return e.Decode(raw)
	}
	if err := e.header(raw); err != nil {
		return err
	}
	r := e.Raw
	if len(r) < HeaderLen {
		return e.Decode(raw)
	}
	e.V1 = false
	n := int(binary.LittleEndian.Uint32(r[22:]))
	lsize := 2
	if e.Info != nil && e.Info.Flags&FlagLargePayload != 0 {
		lsize = 4
	}
	pos := HeaderLen + n*lsize
	if n > MaxParams || pos > len(r) {
		return e.Decode(raw) // for its error
	}
	for i := 0; i < n; i++ {
		if lsize == 2 {
			pos += int(binary.LittleEndian.Uint16(r[HeaderLen+2*i:]))
		} else {
			pos += int(binary.LittleEndian.Uint32(r[HeaderLen+4*i:]))
		}
	}
	if pos > len(r) {
		return e.Decode(raw) // for its error
	}
	return nil
}

// DecodeV1 fills e from raw, an event of a V1 event block, whose 22-byte
// header has no parameter count. Like libscap, it takes the largest count
// up to the table's whose lengths add up to the event's length exactly.
func (e *Event) DecodeV1(raw []byte) error {
	if len(raw) < HeaderLenV1 {
		return fmt.Errorf("event of %d bytes is shorter than its %d-byte header: %w", len(raw), HeaderLenV1, ErrParams)
	}
	if err := e.header(raw); err != nil {
		return err
	}
	if e.Info == nil {
		return fmt.Errorf("v1 event of unknown type %d: %w", e.Type, ErrParams)
	}
	e.V1 = true
	if e.Type == codeNotificationE || e.Type == codeInfrastructureE {
		// Old writers stored a length 3 bytes too long for these two
		// events; libscap takes the 3 bytes off before counting the
		// parameters, and the event is 3 bytes shorter from then on.
		if len(e.Raw) < HeaderLenV1+3 {
			return fmt.Errorf("event type %d: length %d is too short to take off the 3 extra bytes of its kind: %w", e.Type, len(e.Raw), ErrParams)
		}
		e.Raw = e.Raw[:len(e.Raw)-3]
	}
	for n := len(e.Info.Params); n >= 0; n-- {
		if e.fits(HeaderLenV1, n) {
			return e.locate(HeaderLenV1, n, false)
		}
	}
	return fmt.Errorf("event type %d: no parameter count fits its %d bytes: %w", e.Type, len(e.Raw), ErrParams)
}

func (e *Event) header(raw []byte) error {
	e.TS = binary.LittleEndian.Uint64(raw[0:])
	e.TID = int64(binary.LittleEndian.Uint64(raw[8:]))
	evlen := binary.LittleEndian.Uint32(raw[16:])
	e.Type = Code(binary.LittleEndian.Uint16(raw[20:]))
	e.Info = Lookup(e.Type)
	if int64(evlen) > int64(len(raw)) || evlen < HeaderLenV1 {
		return fmt.Errorf("event length %d does not fit its block of %d bytes: %w", evlen, len(raw), ErrParams)
	}
	e.Raw = raw[:evlen]
	e.nparams = 0
	return nil
}

// fits reports whether n parameters after a header of hl bytes end exactly
// at the end of the event, without building an error when they do not.
func (e *Event) fits(hl, n int) bool {
	raw := e.Raw
	lsize := 2
	if e.Info != nil && e.Info.Flags&FlagLargePayload != 0 {
		lsize = 4
	}
	pos := hl + n*lsize
	if pos > len(raw) {
		return false
	}
	for i := 0; i < n; i++ {
		if lsize == 2 {
			pos += int(binary.LittleEndian.Uint16(raw[hl+2*i:]))
		} else {
			pos += int(binary.LittleEndian.Uint32(raw[hl+4*i:]))
		}
		if pos > len(raw) {
			return false
		}
	}
	return pos == len(raw)
}

// locate finds the values of n parameters after a header of hl bytes. With
// loose set, values may end before the event does (writers pad); otherwise
// they must end exactly there.
func (e *Event) locate(hl, n int, loose bool) error {
	raw := e.Raw
	lsize := 2
	if e.Info != nil && e.Info.Flags&FlagLargePayload != 0 {
		lsize = 4
	}
	pos := hl + n*lsize
	if pos > len(raw) {
		return fmt.Errorf("event type %d: %d parameter lengths overrun the event's %d bytes: %w", e.Type, n, len(raw), ErrParams)
	}
	if lsize == 2 && n <= MaxParams {
		// The common case, in one pass without a check per value: n
		// lengths of 16 bits cannot add up past an int, and whether
		// they overrun is known at the end (the careful loop below
		// then says which one does).
		lens := raw[hl : hl+2*n]
		off := e.off[:n+1]
		p := pos
		for i := range n {
			off[i] = uint32(p)
			p += int(lens[2*i]) | int(lens[2*i+1])<<8
		}
		if p <= len(raw) && (loose || p == len(raw)) {
			off[n] = uint32(p)
			e.nparams = n
			return nil
		}
	}
	for i := 0; i < n; i++ {
		var l int
		if lsize == 2 {
			l = int(binary.LittleEndian.Uint16(raw[hl+2*i:]))
		} else {
			l = int(binary.LittleEndian.Uint32(raw[hl+4*i:]))
		}
		e.off[i] = uint32(pos)
		pos += l
		if pos > len(raw) || pos < 0 {
			return fmt.Errorf("event type %d: parameter %d of %d bytes overruns the event's %d bytes: %w", e.Type, i, l, len(raw), ErrParams)
		}
	}
	if !loose && pos != len(raw) {
		return fmt.Errorf("event type %d: %d parameters end at byte %d of %d: %w", e.Type, n, pos, len(raw), ErrParams)
	}
	e.off[n] = uint32(pos)
	e.nparams = n
	return nil
}

// DecodeAgain decodes raw, a copy of an event decoded before, with the
// header layout it had (V1 or not).
func (e *Event) DecodeAgain(raw []byte, v1 bool) error {
	if v1 {
		return e.DecodeV1(raw)
	}
	return e.Decode(raw)
}

// NParams is the number of parameters the event carries.
func (e *Event) NParams() int { return e.nparams }

// Param returns the raw value of parameter i, or nil if the event does not
// carry it. A zero-length value means the parameter is absent.
func (e *Event) Param(i int) []byte {
	if i < 0 || i >= e.nparams {
		return nil
	}
	return e.Raw[e.off[i]:e.off[i+1]]
}

// ParamInfo describes parameter i, or returns nil for a parameter the table
// does not know.
func (e *Event) ParamInfo(i int) *Param {
	if e.Info == nil || i < 0 || i >= len(e.Info.Params) {
		return nil
	}
	return &e.Info.Params[i]
}

// ParamIndex returns the index of the parameter called name, or -1.
func (e *Event) ParamIndex(name string) int {
	if e.Info == nil {
		return -1
	}
	for i := range e.Info.Params {
		if i >= e.nparams {
			break
		}
		if e.Info.Params[i].Name == name {
			return i
		}
	}
	return -1
}

// Name is the event type's name, or "NA" when the code is unknown.
func (e *Event) Name() string {
	if e.Info == nil {
		return "NA"
	}
	return e.Info.Name
}

// Clone returns a copy of e that owns its bytes.
func (e *Event) Clone() *Event {
	c := *e
	c.Raw = append([]byte(nil), e.Raw...)
	return &c
}

// Little-endian accessors for fixed-width values; they return 0 for a
// value of the wrong size, which only a damaged file produces.

// U64 decodes an 8-byte value.
func U64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// U32 decodes a 4-byte value.
func U32(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

// U16 decodes a 2-byte value.
func U16(b []byte) uint16 {
	if len(b) < 2 {
		return 0
	}
	return binary.LittleEndian.Uint16(b)
}

// U8 decodes a 1-byte value.
func U8(b []byte) uint8 {
	if len(b) < 1 {
		return 0
	}
	return b[0]
}

// Uint decodes an unsigned integer of any width up to 8 bytes.
func Uint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	case 8:
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Int decodes a signed integer of any width up to 8 bytes, sign-extended.
func Int(b []byte) int64 {
	switch len(b) {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	case 8:
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// CString returns b up to its first NUL byte.
func CString(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
