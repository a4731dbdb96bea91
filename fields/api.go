package fields

import (
	"net/netip"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/state"
)

// Kind is the type of a field's values. It decides how a filter compares
// them and how a value written in a filter is parsed.
type Kind uint8

// Value kinds, after sysdig's field types.
const (
	KindString Kind = iota // strings, paths, names
	KindInt                // signed integers (int8..int64, errno, fd, pid)
	KindUint               // unsigned integers, flags
	KindBool
	KindIP      // an IPv4 or IPv6 address
	KindIPNet   // a network, as in fd.net=10.0.0.0/8
	KindPort    // a TCP/UDP port
	KindRelTime // a duration in nanoseconds
	KindAbsTime // nanoseconds since the epoch
	KindDouble
	KindBytes // raw buffers
)

// Ctx is one event and what the state engine resolved for it. It is
// filled once per event and read by every extractor.
type Ctx struct {
	Ev    *event.Event
	St    *state.State
	Th    *state.Thread // the event's thread, nil if unknown
	FD    *state.FD     // the fd the event operates on, nil if none
	FDNum int64         // that fd's number, -1 if none
	// Latency is the time from the enter event to this exit event.
	Latency uint64
	// NameChanged: parsing the event changed the name of its fd (sinsp's
	// fdinfo_name_changed, as the state's Ctx tells it).
	NameChanged bool

	// R renders event parameters for evt.info, evt.args, evt.arg.X and
	// evt.buffer. Share the printer's: like sinsp's, its value buffers
	// carry over from one parameter to the next. Nil: each extractor
	// renders with one of its own (normal buffers, cut at 80 bytes).
	R *format.Renderer
	// Cap is what is known about the capture as a whole (its first
	// event, its interfaces, the -t time format); nil when nothing is.
	Cap *Capture
}

// Value is one extracted value. Only the member of its kind is set; Str
// holds the rendered text for strings and bytes. Values handed out may
// point into reused buffers: copy what must outlive the next event.
type Value struct {
	Kind   Kind
	Str    []byte
	Int    int64
	Uint   uint64
	Bool   bool
	IP     netip.Addr
	Prefix netip.Prefix
	Float  float64
}

// Extractor extracts one field (with its argument, if any) from events.
type Extractor interface {
	// Kind is the kind of the values Extract returns.
	Kind() Kind
	// Extract appends the field's values for c to vals. A field with no
	// value for this event appends none. Most fields have one value;
	// some (fdlist.*, proc.aname without argument...) have several.
	Extract(c *Ctx, vals []Value) []Value
	// Format appends the field as sysdig's -p output prints it, and
	// reports false when the field has no value (printed as <NA>).
	Format(dst []byte, c *Ctx) ([]byte, bool)
}
