package filter

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"

	"github.com/syscope/syscope/fields"
)

// parseFunc looks up the field reference at the start of s, as
// fields.Parse does.
type parseFunc func(s string) (ex fields.Extractor, name string, n int, err error)

// Filter is a compiled filter. Match may be called for any number of
// events, but not from several goroutines at once: it reuses a buffer.
// Clone makes a copy for another goroutine.
type Filter struct {
	src   string
	parse parseFunc
	root  node
	types []bool // types[c]: an event of code c may match
	skip  []bool // skip[c]: Match may reject code c without evaluating
	all   bool   // every code may match
	vals  []fields.Value
}

// Compile parses and compiles a filter, looking its fields up in the
// field catalog (package fields). Values are parsed once, here, by the
// kind of their field. Unknown fields, operators that do not apply to a
// field's kind and values that do not parse are errors, of type *Error.
func Compile(expr string) (*Filter, error) {
	return compile(expr, defaultParse)
}

func compile(expr string, parse parseFunc) (*Filter, error) {
	x, err := Parse(expr)
	if err != nil {
		return nil, err
	}
	c := &compiler{src: expr, parse: parse}
	root, err := c.compile(x)
	if err != nil {
		return nil, err
	}
	f := &Filter{src: expr, parse: parse, root: root, vals: make([]fields.Value, 0, 16)}
	f.types, f.skip, f.all = eventTypes(root)
	return f, nil
}

// String returns the filter's text.
func (f *Filter) String() string { return f.src }

// Clone returns a filter that matches as f does and may be used at the
// same time as f. Its extractors are new: some keep state from one event
// to the next.
func (f *Filter) Clone() *Filter {
	g, err := compile(f.src, f.parse)
	if err != nil {
		panic("filter: recompiling " + f.src + ": " + err.Error())
	}
	return g
}

// Match reports whether the event in c matches the filter.
func (f *Filter) Match(c *fields.Ctx) bool {
	if !f.all && c.Ev != nil && int(c.Ev.Type) < len(f.skip) && f.skip[c.Ev.Type] {
		return false
	}
	return f.root.eval(f, c)
}

// EventTypes returns the event codes an event must have to possibly
// match: set[code] is false when no event of that code can match. It
// looks at the evt.type checks; any other check may match any code. all
// is true when every code may match. Codes at or above len(set) are
// those the event table does not know; treat them as possibly matching.
// The caller may modify set.
func (f *Filter) EventTypes() (set []bool, all bool) {
	return append([]bool(nil), f.types...), f.all
}

// node is a compiled expression.
type node interface {
	eval(f *Filter, c *fields.Ctx) bool
}

type andNode []node

func (n andNode) eval(f *Filter, c *fields.Ctx) bool {
	for _, x := range n {
		if !x.eval(f, c) {
			return false
		}
	}
	return true
}

type orNode []node

func (n orNode) eval(f *Filter, c *fields.Ctx) bool {
	for _, x := range n {
		if x.eval(f, c) {
			return true
		}
	}
	return false
}

type notNode struct{ x node }

func (n notNode) eval(f *Filter, c *fields.Ctx) bool { return !n.x.eval(f, c) }

// check is a compiled CheckExpr.
type check struct {
	ex   fields.Extractor
	name string // the field's name, as the catalog returns it
	op   Op
	// test reports whether one value satisfies the comparison; nil for
	// exists.
	test func(v *fields.Value) bool
	// every: all values must satisfy test, rather than one.
	every bool
}

func (k *check) eval(f *Filter, c *fields.Ctx) bool {
	f.vals = k.ex.Extract(c, f.vals[:0])
	return k.matches(f.vals)
}

// matches applies the check to the values of a field. A field with no
// value matches nothing, != included; "not" matches it.
func (k *check) matches(vals []fields.Value) bool {
	if len(vals) == 0 {
		return false
	}
	if k.test == nil {
		return true
	}
	if k.every {
		for i := range vals {
			if !k.test(&vals[i]) {
				return false
			}
		}
		return true
	}
	for i := range vals {
		if k.test(&vals[i]) {
			return true
		}
	}
	return false
}

// eitherEnd names the fields that stand for both ends of a connection
// (sysdig's filter-only fd.ip, fd.port, fd.proto, fd.net). They match when
// either end does, except with !=, which needs both ends to differ. For
// other fields of several values (proc.aname, proc.apid without index)
// every operator, != included, needs one value to match.
var eitherEnd = map[string]bool{"fd.ip": true, "fd.port": true, "fd.proto": true, "fd.net": true}

type compiler struct {
	src   string
	parse parseFunc
}

// compileError is an error at a position, made into an *Error by compile.
type compileError struct {
	pos Pos
	msg string
}

func (c *compiler) compile(x Expr) (n node, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(compileError)
			if !ok {
				panic(r)
			}
			n, err = nil, newError(c.src, e.pos, e.msg)
		}
	}()
	return c.node(x), nil
}

func fail(pos Pos, format string, args ...any) {
	panic(compileError{pos, fmt.Sprintf(format, args...)})
}

func (c *compiler) node(x Expr) node {
	switch x := x.(type) {
	case *ParenExpr:
		return c.node(x.X)
	case *NotExpr:
		y := c.node(x.X)
		if n, ok := y.(notNode); ok {
			return n.x
		}
		return notNode{y}
	case *BinaryExpr:
		list := make([]node, 0, len(x.X))
		for _, y := range x.X {
			n := c.node(y)
			// Flatten (a and b) and c, which the parentheses hid.
			switch n := n.(type) {
			case andNode:
				if x.Op == And {
					list = append(list, n...)
					continue
				}
			case orNode:
				if x.Op == Or {
					list = append(list, n...)
					continue
				}
			}
			list = append(list, n)
		}
		if x.Op == And {
			return andNode(list)
		}
		return orNode(list)
	case *CheckExpr:
		return c.check(x)
	}
	panic(fmt.Sprintf("filter: unexpected node %T", x))
}

func (c *compiler) check(x *CheckExpr) *check {
	if c.parse == nil {
		fail(x.Field.NamePos, "no field catalog")
	}
	ex, name, n, err := c.parse(x.Field.Name)
	switch {
	case err != nil:
		// The catalog's errors name the field: "unknown field 'x.y'".
		fail(x.Field.NamePos, "%s", err.Error())
	case ex == nil || n != len(x.Field.Name):
		// proc.namex: proc.name and something after it.
		fail(x.Field.NamePos, "unknown field %s", quote(x.Field.Name))
	}
	k := &check{ex: ex, name: name, op: x.Op}
	kind := ex.Kind()
	if !applies(x.Op, kind) {
		fail(x.OpPos, "operator %s does not apply to %s field %s", quote(x.Op.String()), kindName(kind), quote(x.Field.Name))
	}
	op := x.Op
	if op == OpEqEq {
		op = OpEq
	}
	if op == OpExists {
		return k
	}
	if name == "evt.type" && (op == OpEq || op == OpNe || op.IsList() && op != OpPMatch) {
		for _, v := range c.values(x) {
			if !knownEventType(v.Text) {
				fail(v.ValuePos, "unknown event type %s", quote(v.Text))
			}
		}
	}
	switch kind {
	case fields.KindString, fields.KindBytes:
		k.test = c.stringTest(x, op, kind)
	case fields.KindBool:
		vals := parseAll(x, func(v *Value) bool {
			switch v.Text {
			case "true":
				return true
			case "false":
				return false
			}
			fail(v.ValuePos, "%s is not a boolean (true or false) for %s", quote(v.Text), x.Field.Name)
			return false
		})
		k.test = eqTest(op, vals, func(v *fields.Value) bool { return v.Bool })
	case fields.KindIP:
		vals := parseAll(x, func(v *Value) netip.Addr {
			a, err := netip.ParseAddr(v.Text)
			if err != nil || a.Zone() != "" {
				fail(v.ValuePos, "%s is not an IP address for %s", quote(v.Text), x.Field.Name)
			}
			return a.Unmap()
		})
		k.test = eqTest(op, vals, func(v *fields.Value) netip.Addr { return v.IP.Unmap() })
	case fields.KindIPNet:
		nets := parseAll(x, func(v *Value) netip.Prefix { return parseNet(v, x.Field.Name) })
		k.test = netTest(op, nets)
	case fields.KindInt:
		vals := parseAll(x, func(v *Value) int64 { return parseInt(v, x.Field.Name) })
		k.test = numTest(op, vals, func(v *fields.Value) int64 { return v.Int })
	case fields.KindUint:
		vals := parseAll(x, func(v *Value) uint64 { return parseUint(v, x.Field.Name) })
		k.test = numTest(op, vals, func(v *fields.Value) uint64 { return v.Uint })
	case fields.KindAbsTime:
		vals := parseAll(x, func(v *Value) uint64 { return parseUint(v, x.Field.Name) })
		k.test = numTest(op, vals, func(v *fields.Value) uint64 { return v.Uint })
	case fields.KindRelTime:
		vals := parseAll(x, func(v *Value) uint64 { return parseDuration(v, x.Field.Name) })
		k.test = numTest(op, vals, func(v *fields.Value) uint64 { return v.Uint })
	case fields.KindPort:
		vals := parseAll(x, func(v *Value) uint64 { return parsePort(v, x.Field.Name) })
		k.test = numTest(op, vals, func(v *fields.Value) uint64 { return v.Uint })
	case fields.KindDouble:
		vals := parseAll(x, func(v *Value) float64 {
			f, err := strconv.ParseFloat(v.Text, 64)
			if err != nil || math.IsNaN(f) {
				fail(v.ValuePos, "%s is not a valid number for %s", quote(v.Text), x.Field.Name)
			}
			return f
		})
		k.test = numTest(op, vals, func(v *fields.Value) float64 { return v.Float })
	default:
		fail(x.Field.NamePos, "field %s has a kind (%d) filters do not know", quote(x.Field.Name), kind)
	}
	if op == OpNe && eitherEnd[name] {
		k.every = true
	}
	return k
}

// values lists the values of a check: its value or its list.
func (c *compiler) values(x *CheckExpr) []*Value {
	if x.Op.IsList() {
		return x.List
	}
	return []*Value{x.Value}
}

// parseAll parses each value of x with parse.
func parseAll[T any](x *CheckExpr, parse func(v *Value) T) []T {
	var in []*Value
	if x.Op.IsList() {
		in = x.List
	} else {
		in = []*Value{x.Value}
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = parse(v)
	}
	return out
}

// kindName names a kind in error messages.
func kindName(k fields.Kind) string {
	switch k {
	case fields.KindString:
		return "string"
	case fields.KindBytes:
		return "buffer"
	case fields.KindInt, fields.KindUint, fields.KindDouble:
		return "numeric"
	case fields.KindBool:
		return "boolean"
	case fields.KindIP:
		return "IP address"
	case fields.KindIPNet:
		return "IP network"
	case fields.KindPort:
		return "port"
	case fields.KindRelTime:
		return "duration"
	case fields.KindAbsTime:
		return "time"
	}
	return "unknown"
}

// applies reports whether op may be used with fields of kind k. It
// follows sysdig 0.29.3 and, for the operators that came later, libs.
func applies(op Op, k fields.Kind) bool {
	switch op {
	case OpExists, OpEq, OpEqEq, OpNe, OpIn, OpIntersects:
		return true
	}
	switch k {
	case fields.KindString:
		return true
	case fields.KindBytes:
		switch op {
		case OpContains, OpStartsWith, OpEndsWith, OpBContains, OpBStartsWith:
			return true
		}
	case fields.KindInt, fields.KindUint, fields.KindDouble, fields.KindPort, fields.KindRelTime, fields.KindAbsTime:
		switch op {
		case OpLt, OpLe, OpGt, OpGe:
			return true
		}
	}
	return false
}

// eqTest is the test of =, != and the list operators for values compared
// only for equality.
func eqTest[T comparable](op Op, vals []T, get func(v *fields.Value) T) func(v *fields.Value) bool {
	switch op {
	case OpEq:
		w := vals[0]
		return func(v *fields.Value) bool { return get(v) == w }
	case OpNe:
		w := vals[0]
		return func(v *fields.Value) bool { return get(v) != w }
	}
	return func(v *fields.Value) bool {
		x := get(v)
		for _, w := range vals {
			if x == w {
				return true
			}
		}
		return false
	}
}

type number interface{ ~int64 | ~uint64 | ~float64 }

// numTest is the test of a numeric comparison.
func numTest[T number](op Op, vals []T, get func(v *fields.Value) T) func(v *fields.Value) bool {
	switch op {
	case OpLt:
		w := vals[0]
		return func(v *fields.Value) bool { return get(v) < w }
	case OpLe:
		w := vals[0]
		return func(v *fields.Value) bool { return get(v) <= w }
	case OpGt:
		w := vals[0]
		return func(v *fields.Value) bool { return get(v) > w }
	case OpGe:
		w := vals[0]
		return func(v *fields.Value) bool { return get(v) >= w }
	}
	return eqTest(op, vals, get)
}

func netTest(op Op, nets []netip.Prefix) func(v *fields.Value) bool {
	switch op {
	case OpEq:
		w := nets[0]
		return func(v *fields.Value) bool { return netContains(w, netAddr(v)) }
	case OpNe:
		w := nets[0]
		return func(v *fields.Value) bool { return !netContains(w, netAddr(v)) }
	}
	return func(v *fields.Value) bool {
		a := netAddr(v)
		for _, w := range nets {
			if netContains(w, a) {
				return true
			}
		}
		return false
	}
}

// netAddr is the address an IP network field's value holds, an IPv6
// socket's as is (IPv4-mapped ones included, as sinsp compares them).
func netAddr(v *fields.Value) netip.Addr {
	if v.IP.IsValid() {
		return v.IP
	}
	return v.Prefix.Addr().Unmap()
}

// netContains is sinsp 0.29.3's network match (compare_net, and
// flt_compare for PT_IPNET). It keeps a network as it was written: an
// IPv4 one as 4 address and 4 mask bytes, a bare IPv6 address as its 16
// bytes; an IPv4 address is matched against the first 8 bytes read as
// address and mask, an IPv6 address by its first 64 bits against the
// first 8 bytes. So an IPv6 network matches the IPv4 addresses that
// agree with its first 4 bytes under the mask its next 4 bytes make
// (fd.net=2001:4860:: matches every IPv4 socket).
func netContains(w netip.Prefix, a netip.Addr) bool {
	wa := w.Addr()
	switch {
	case wa.Is4() && a.Is4():
		return w.Contains(a)
	case wa.Is4():
		ip, b := wa.As4(), a.As16()
		m := net4Mask(w.Bits())
		return [4]byte(b[:4]) == ip && [4]byte(b[4:8]) == m
	case w.Bits() == 64 && a.Is4():
		v, ip := wa.As16(), a.As4()
		for i := range 4 {
			if ip[i]&v[4+i] != v[i]&v[4+i] {
				return false
			}
		}
		return true
	}
	return w.Contains(a)
}

// net4Mask is the netmask of an IPv4 prefix length, in network order.
func net4Mask(bits int) [4]byte {
	var m [4]byte
	for i := range bits {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return m
}

// parseNet parses an IP network: an address and a prefix length, or, as
// sysdig 0.29.3 has it, a bare IPv6 address standing for its /64.
func parseNet(v *Value, field string) netip.Prefix {
	if strings.IndexByte(v.Text, '/') >= 0 {
		p, err := netip.ParsePrefix(v.Text)
		if err == nil && p.Addr().Zone() == "" {
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			return p
		}
	} else if a, err := netip.ParseAddr(v.Text); err == nil && a.Is6() && !a.Is4In6() && a.Zone() == "" {
		return netip.PrefixFrom(a, 64)
	}
	fail(v.ValuePos, "%s is not an IP network (such as 10.0.0.0/8) for %s", quote(v.Text), field)
	return netip.Prefix{}
}

// trimSpace removes the leading white space sscanf skips.
func trimSpace(s string) string {
	return strings.TrimLeft(s, " \t\n\v\f\r")
}

// parseInt parses a signed decimal integer, as sysdig does.
func parseInt(v *Value, field string) int64 {
	n, err := strconv.ParseInt(trimSpace(v.Text), 10, 64)
	if err != nil {
		fail(v.ValuePos, "%s is not a valid number for %s", quote(v.Text), field)
	}
	return n
}

// parseUint parses an unsigned decimal integer. As with sysdig's sscanf,
// a minus sign wraps around: -1 is the largest value.
func parseUint(v *Value, field string) uint64 {
	s := trimSpace(v.Text)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || s == "" || !isDigit(s[0]) {
		fail(v.ValuePos, "%s is not a valid number for %s", quote(v.Text), field)
	}
	if neg {
		n = -n
	}
	return n
}

// parseDuration parses a duration: nanoseconds, as sysdig takes them, or
// a decimal number with a unit (ns, us, µs, ms, s, m, h), such as 10ms.
func parseDuration(v *Value, field string) uint64 {
	s := trimSpace(v.Text)
	if s != "" && isDigit(s[len(s)-1]) {
		return parseUint(v, field)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		fail(v.ValuePos, "%s is not a duration (nanoseconds, or a number with ns, us, ms, s, m or h) for %s", quote(v.Text), field)
	}
	return uint64(d)
}

// parsePort parses a port: a number, or a service name of /etc/services
// as sysdig's getservbyname finds it.
func parsePort(v *Value, field string) uint64 {
	s := v.Text
	if s == "" {
		return 0
	}
	if strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			fail(v.ValuePos, "%s is not a port number (0 to 65535) for %s", quote(v.Text), field)
		}
		return n
	}
	for _, network := range []string{"tcp", "udp"} {
		if p, err := net.LookupPort(network, s); err == nil {
			return uint64(p)
		}
	}
	fail(v.ValuePos, "%s is not a port number or service name for %s", quote(v.Text), field)
	return 0
}

// stringTest is the test of a string or buffer comparison.
func (c *compiler) stringTest(x *CheckExpr, op Op, kind fields.Kind) func(v *fields.Value) bool {
	if op == OpPMatch {
		if kind != fields.KindString {
			fail(x.OpPos, "operator 'pmatch' does not apply to buffer field %s", quote(x.Field.Name))
		}
		return pmatchTest(x.List)
	}
	if op.IsList() {
		return setTest(x.List)
	}
	w := []byte(x.Value.Text)
	switch op {
	case OpEq:
		return func(v *fields.Value) bool { return bytes.Equal(v.Str, w) }
	case OpNe:
		return func(v *fields.Value) bool { return !bytes.Equal(v.Str, w) }
	case OpLt:
		return func(v *fields.Value) bool { return bytes.Compare(v.Str, w) < 0 }
	case OpLe:
		return func(v *fields.Value) bool { return bytes.Compare(v.Str, w) <= 0 }
	case OpGt:
		return func(v *fields.Value) bool { return bytes.Compare(v.Str, w) > 0 }
	case OpGe:
		return func(v *fields.Value) bool { return bytes.Compare(v.Str, w) >= 0 }
	case OpContains:
		return func(v *fields.Value) bool { return bytes.Contains(v.Str, w) }
	case OpIContains:
		w = asciiLower(w)
		return func(v *fields.Value) bool { return containsFold(v.Str, w) }
	case OpStartsWith:
		return func(v *fields.Value) bool { return bytes.HasPrefix(v.Str, w) }
	case OpEndsWith:
		return func(v *fields.Value) bool { return bytes.HasSuffix(v.Str, w) }
	case OpGlob:
		return func(v *fields.Value) bool { return globMatch(w, v.Str, false) }
	case OpIGlob:
		return func(v *fields.Value) bool { return globMatch(w, v.Str, true) }
	case OpBContains, OpBStartsWith:
		b, err := hex.DecodeString(x.Value.Text)
		if err != nil {
			fail(x.Value.ValuePos, "%s needs hexadecimal bytes such as 474554, found %s", quote(op.String()), quote(x.Value.Text))
		}
		if op == OpBContains {
			return func(v *fields.Value) bool { return bytes.Contains(v.Str, b) }
		}
		return func(v *fields.Value) bool { return bytes.HasPrefix(v.Str, b) }
	case OpRegex:
		// Check the expression as written, so that errors quote it, then
		// anchor it: libs matches the whole value (RE2's ANCHOR_BOTH).
		_, err := regexp.Compile(x.Value.Text)
		if err == nil {
			_, err = regexp.Compile(`^(?:` + x.Value.Text + `)$`)
		}
		if err != nil {
			msg := err.Error()
			var e *syntax.Error
			if errors.As(err, &e) {
				msg = e.Code.String()
				if e.Expr != "" && e.Expr != x.Value.Text {
					msg += " " + quote(e.Expr)
				}
			}
			fail(x.Value.ValuePos, "invalid regular expression %s: %s", quote(x.Value.Text), msg)
		}
		re := regexp.MustCompile(`^(?:` + x.Value.Text + `)$`)
		return func(v *fields.Value) bool { return re.Match(v.Str) }
	}
	panic("filter: unexpected string operator " + op.String())
}

// setTest is the test of in and intersects for strings.
func setTest(list []*Value) func(v *fields.Value) bool {
	if len(list) <= 8 {
		ws := make([][]byte, len(list))
		for i, v := range list {
			ws[i] = []byte(v.Text)
		}
		return func(v *fields.Value) bool {
			for _, w := range ws {
				if bytes.Equal(v.Str, w) {
					return true
				}
			}
			return false
		}
	}
	set := make(map[string]struct{}, len(list))
	for _, v := range list {
		set[v.Text] = struct{}{}
	}
	return func(v *fields.Value) bool {
		_, ok := set[string(v.Str)]
		return ok
	}
}

// knownEventType reports whether sysdig knows name as an event type: the
// name of an event or of a system call.
func knownEventType(name string) bool {
	evtNames.once.Do(buildEvtNames)
	return evtNames.known[name]
}

// containsFold reports whether s contains lower, ignoring ASCII case as
// strcasestr does in the C locale. lower is in lower case.
func containsFold(s, lower []byte) bool {
	n := len(lower)
	if n == 0 {
		return true
	}
	first := lower[0]
	for i := 0; i+n <= len(s); i++ {
		if toLower(s[i]) != first {
			continue
		}
		j := 1
		for j < n && toLower(s[i+j]) == lower[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = toLower(c)
	}
	return out
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
