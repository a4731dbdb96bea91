package event

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// v1Event builds a V1 event (22-byte header, no nparams) of type code
// with the given values, and extra bytes after them that its length
// counts.
func v1Event(code Code, extra int, vals ...string) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint64(b, 1700000000000000000)
	b = binary.LittleEndian.AppendUint64(b, 42)
	n := HeaderLenV1 + 2*len(vals) + extra
	for _, v := range vals {
		n += len(v)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint16(b, uint16(code))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
	}
	for _, v := range vals {
		b = append(b, v...)
	}
	return append(b, make([]byte, extra)...)
}

// TestDecodeV1LengthFix checks libscap's correction of V1 notification
// and infrastructure events, whose stored length is 3 bytes too long:
// the parameters are found in the length less 3 bytes, and the event is
// that long from then on.
func TestDecodeV1LengthFix(t *testing.T) {
	for _, tt := range []struct {
		code Code
		vals []string
	}{
		{codeNotificationE, []string{"7\x00", "a notification\x00"}},
		{codeInfrastructureE, []string{"docker\x00", "start\x00", "a container\x00", "host\x00"}},
	} {
		raw := v1Event(tt.code, 3, tt.vals...)
		var e Event
		if err := e.DecodeV1(raw); err != nil {
			t.Fatalf("type %d: %v", tt.code, err)
		}
		if e.NParams() != len(tt.vals) {
			t.Fatalf("type %d: %d parameters, want %d", tt.code, e.NParams(), len(tt.vals))
		}
		for i, v := range tt.vals {
			if got := e.Param(i); !bytes.Equal(got, []byte(v)) {
				t.Errorf("type %d: parameter %d is %q, want %q", tt.code, i, got, v)
			}
		}
		if len(e.Raw) != len(raw)-3 {
			t.Errorf("type %d: event of %d bytes, want %d", tt.code, len(e.Raw), len(raw)-3)
		}

		// Without the 3 extra bytes the parameters cannot add up, as in
		// libscap, which fails on such a file.
		if err := e.DecodeV1(v1Event(tt.code, 0, tt.vals...)); !errors.Is(err, ErrParams) {
			t.Errorf("type %d without the extra bytes: error %v, want ErrParams", tt.code, err)
		}
		// Too short to take 3 bytes off: an error, not a panic.
		short := v1Event(tt.code, 0)[:HeaderLenV1]
		binary.LittleEndian.PutUint32(short[16:], HeaderLenV1+2)
		if err := e.DecodeV1(append(short, 0, 0)); !errors.Is(err, ErrParams) {
			t.Errorf("type %d, 24 bytes: error %v, want ErrParams", tt.code, err)
		}
	}
	// Other types keep their length: 3 extra bytes do not fit.
	var e Event
	if err := e.DecodeV1(v1Event(3, 3, "\x03\x00\x00\x00\x00\x00\x00\x00")); !errors.Is(err, ErrParams) {
		t.Errorf("open exit with 3 extra bytes: error %v, want ErrParams", err)
	}
}

// TestSkim checks that Skim accepts and refuses what Decode does, and
// locates no parameter.
func TestSkim(t *testing.T) {
	good := func() []byte {
		b := v1Event(3, 0, "\x03\x00\x00\x00\x00\x00\x00\x00", "/etc\x00")
		// Make it V2: nparams after the header.
		v2 := append([]byte(nil), b[:HeaderLenV1]...)
		v2 = binary.LittleEndian.AppendUint32(v2, 2)
		v2 = append(v2, b[HeaderLenV1:]...)
		binary.LittleEndian.PutUint32(v2[16:], uint32(len(v2)))
		return v2
	}
	cases := map[string][]byte{"good": good()}
	over := good()
	binary.LittleEndian.PutUint16(over[HeaderLen+2:], 200)
	cases["value past the end"] = over
	many := good()
	binary.LittleEndian.PutUint32(many[22:], 70)
	cases["too many parameters"] = many
	lens := good()
	binary.LittleEndian.PutUint32(lens[22:], 40)
	cases["lengths past the end"] = lens
	cases["short"] = good()[:20]
	for name, raw := range cases {
		var d, s Event
		derr := d.Decode(raw)
		serr := s.Skim(raw)
		if (derr == nil) != (serr == nil) || derr != nil && derr.Error() != serr.Error() {
			t.Errorf("%s: Skim error %v, Decode error %v", name, serr, derr)
		}
		if serr == nil && (s.NParams() != 0 || s.TS != d.TS || s.TID != d.TID || s.Type != d.Type || !bytes.Equal(s.Raw, d.Raw)) {
			t.Errorf("%s: Skim gave %+v", name, s)
		}
	}
}
