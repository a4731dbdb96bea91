package fields

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/syscope/syscope/event"
)

// FieldFlags are properties of a field, after sysdig's EPF_* flags.
type FieldFlags uint8

// Field flags.
const (
	// FlagFilterOnly marks fields that filters may use but -p may not
	// (fd.ip, fd.net, evt.around...).
	FlagFilterOnly FieldFlags = 1 << iota
	// FlagPrintOnly marks fields that only -p may use (evt.outputtime);
	// sysdig -l does not list them.
	FlagPrintOnly
	// FlagRequiresArg marks fields that need an argument (evt.arg.fd).
	FlagRequiresArg
	// FlagTableOnly marks fields sysdig keeps for csysdig's tables; they
	// work but sysdig -l does not list them.
	FlagTableOnly
	// FlagArgAllowed marks fields that take an optional argument.
	FlagArgAllowed
)

// ArgSyntax says how a field takes its argument.
type ArgSyntax uint8

// Argument syntaxes.
const (
	ArgNone      ArgSyntax = iota // no argument
	ArgIndex                      // [N], optional: proc.aname[2], proc.apid[1]
	ArgParam                      // .NAME or [N]: evt.arg.fd, evt.arg[0]
	ArgParamName                  // .NAME only: evt.rawarg.res
	ArgEventType                  // .NAME or .CODE: evt.type.is.open
	ArgSuffix                     // .WORD: thread.cgroup.cpuacct, evt.abspath.src
	ArgBracket                    // [TEXT]: container.mount[0], evt.around[T]
)

// Class is a class of fields, as sysdig -l lists them.
type Class struct {
	Name      string // "evt", "process", "fd"...
	ShortDesc string // "All event types", or ""
	Desc      string
	// Hidden classes are not listed by sysdig -l (util).
	Hidden bool
	Fields []*Field
}

// Field describes one field of the catalog.
type Field struct {
	Name    string // "proc.aname"
	Display string // sysdig's display name ("Ancestor Name")
	Desc    string
	// Type is sysdig's name of the field's type, as -lv prints it
	// ("CHARBUF", "INT64", "RELTIME", "DYNAMIC"...).
	Type  string
	Flags FieldFlags
	// Kind is the kind of the field's values. evt.rawarg's depends on the
	// parameter named: Parse returns an Extractor of the right kind.
	Kind Kind
	// Arg is how the field takes an argument.
	Arg   ArgSyntax
	Class *Class

	pt ptype // sysdig's type, which decides the rendering
	pf pfmt  // sysdig's print format
}

// Listed reports whether sysdig -l lists the field.
func (f *Field) Listed() bool {
	return f.Flags&(FlagPrintOnly|FlagTableOnly) == 0 && !f.Class.Hidden
}

// ptype is the subset of libs' ppm_param_type that fields use.
type ptype uint8

const (
	ptCharbuf ptype = iota
	ptBytebuf
	ptInt16
	ptInt32
	ptInt64
	ptUint32
	ptUint64
	ptReltime
	ptAbstime
	ptPort
	ptBool
	ptIpaddr
	ptIpnet
	ptDouble
	ptDyn
	// Types only evt.rawarg takes, from the parameter.
	ptInt8
	ptUint8
	ptUint16
	ptErrno
	ptOther // types rawval_to_string cannot render
)

// pfmt is libs' ppm_print_format.
type pfmt uint8

const (
	pfNa pfmt = iota
	pfDec
	pfHex
	pf10PaddedDec
	pfID
	pfDir
	pfOct
)

var (
	initOnce sync.Once
	byName   map[string]*Field
	allList  []*Field
)

func setup() {
	initOnce.Do(func() {
		byName = make(map[string]*Field)
		for _, c := range classes029 {
			for _, f := range c.Fields {
				f.Class = c
				f.Kind = kindOf(f.pt)
				f.Arg = argSyntax[f.Name]
				if _, dup := byName[f.Name]; !dup {
					byName[f.Name] = f
				}
				allList = append(allList, f)
			}
		}
	})
}

// argSyntax lists the fields that take an argument.
var argSyntax = map[string]ArgSyntax{
	"evt.arg":                     ArgParam,
	"evt.rawarg":                  ArgParamName,
	"evt.type.is":                 ArgEventType,
	"evt.around":                  ArgBracket,
	"evt.abspath":                 ArgSuffix,
	"proc.apid":                   ArgIndex,
	"proc.aname":                  ArgIndex,
	"thread.cgroup":               ArgSuffix,
	"container.mount":             ArgBracket,
	"container.mount.source":      ArgBracket,
	"container.mount.dest":        ArgBracket,
	"container.mount.mode":        ArgBracket,
	"container.mount.rdwr":        ArgBracket,
	"container.mount.propagation": ArgBracket,
	"k8s.pod.label":               ArgSuffix,
	"k8s.rc.label":                ArgSuffix,
	"k8s.svc.label":               ArgSuffix,
	"k8s.ns.label":                ArgSuffix,
	"k8s.rs.label":                ArgSuffix,
	"k8s.deployment.label":        ArgSuffix,
	"mesos.task.label":            ArgSuffix,
	"marathon.app.label":          ArgSuffix,
	"span.tag":                    ArgParam,
	"span.arg":                    ArgParam,
	"span.enterarg":               ArgParam,
}

func kindOf(t ptype) Kind {
	switch t {
	case ptCharbuf:
		return KindString
	case ptBytebuf:
		return KindBytes
	case ptInt8, ptInt16, ptInt32, ptInt64, ptErrno:
		return KindInt
	case ptUint8, ptUint16, ptUint32, ptUint64:
		return KindUint
	case ptReltime:
		return KindRelTime
	case ptAbstime:
		return KindAbsTime
	case ptPort:
		return KindPort
	case ptBool:
		return KindBool
	case ptIpaddr:
		return KindIP
	case ptIpnet:
		return KindIPNet
	case ptDouble:
		return KindDouble
	}
	return KindString
}

// Classes returns the field classes in sysdig's order, including the
// hidden util class.
func Classes() []*Class {
	setup()
	return classes029
}

// List returns every field of the catalog, in sysdig's order (the order
// of sysdig -l), including the fields -l does not list (see
// Field.Listed). The Fields are shared: do not modify them.
func List() []*Field {
	setup()
	return allList
}

// Lookup returns the field called name exactly (without argument), or
// nil.
func Lookup(name string) *Field {
	setup()
	return byName[name]
}

// Error is an error about a field reference.
type Error struct {
	Field string // the text the reference starts with
	Msg   string
}

func (e *Error) Error() string { return e.Msg }

// unknown is the error for a name no class knows.
func unknown(s string) error {
	return &Error{Field: s, Msg: "unknown field '" + s + "'"}
}

// Parse parses the field reference at the start of s, such as proc.name,
// evt.arg.fd, evt.arg[0], proc.aname[2], evt.type.is.open or
// evt.rawarg.res. It returns an extractor for it, the canonical name
// of the reference (field and argument, as written: "evt.arg.fd"), and
// the number of bytes of s it takes.
//
// Like sysdig's filter compiler, it looks at s up to the first blank or
// one of the characters ( ) ! = < > (the filter's operand), and takes the
// longest field name the operand starts with, so that "proc.namex=1"
// gives proc.name and n=9: the caller decides whether what follows may
// follow (sysdig's filters require n to cover the whole operand). A name
// no class knows gives the error "unknown field 'NAME'", NAME being the
// operand. Parse accepts the fields that only filters may use (fd.ip,
// evt.around...); NewFormat rejects them.
//
// Each call returns a new Extractor, which is not safe for concurrent use.
func Parse(s string) (ex Extractor, name string, n int, err error) {
	op := operand(s)
	r, err := parseRef(op, true)
	if err != nil {
		return nil, "", 0, err
	}
	if r.f == nil || r.n <= 0 {
		return nil, "", 0, unknown(op)
	}
	return r.newExtractor(), op[:r.n], r.n, nil
}

// operand is the start of s up to a blank or a character that ends a
// filter's field operand.
func operand(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '(', ')', '!', '=', '<', '>':
			return s[:i]
		}
	}
	return s
}

// ref is a parsed field reference.
type ref struct {
	f   *Field
	n   int
	arg argument
}

// argument is a field's parsed argument.
type argument struct {
	set   bool
	num   int64  // [N], the event type of evt.type.is
	num2  int64  // evt.type.is: the second code, or -1
	str   string // .NAME
	param *event.Param
}

// parseRef finds the field at the start of s, asking the classes in
// sysdig's order (its filter_check_list), as sysdig's
// new_filter_check_from_fldname does, then parsing s with the class that
// knows it, as sinsp_filter_check::parse_field_name does: s is the rest
// of a -p format, or a filter's operand, and some fields (evt.type.is,
// proc.aname without argument) take all of it or nothing. A field that
// takes nothing (n == 0) prints as <NA>. The errors are sysdig's. With
// display set, filter-only fields are errors.
func parseRef(s string, forFilter bool) (ref, error) {
	setup()
	for i, c := range classes029 {
		var r ref
		var err error
		switch {
		case i == 1: // evt, syscall events
			r, err = parseEvent(c, s)
		case c.Name == "process":
			r, err = parseThread(c, s)
		case c.Name == "container":
			r, err = parseContainer(c, s)
		case c.Name == "k8s", c.Name == "mesos":
			r, err = parseLabels(c, s)
		case c.Name == "span", c.Name == "evtin":
			r, err = parseTracer(c, s)
		default:
			r = parseGeneric(c, s)
		}
		if err != nil {
			return ref{}, err
		}
		if r.n < 0 {
			continue
		}
		// Only the generic parse refuses filter-only fields; evt.around
		// has its own.
		if !forFilter && r.f != nil && r.n > 0 && r.f.Flags&FlagFilterOnly != 0 && r.f.Name != "evt.around" {
			return ref{}, &Error{Field: s, Msg: s + " is filter only and cannot be used as a display field"}
		}
		return r, nil
	}
	return ref{n: -1}, nil
}

// parseGeneric is sinsp_filter_check::parse_field_name: the longest
// field name that s starts with.
func parseGeneric(c *Class, s string) ref {
	r := ref{n: -1}
	for _, f := range c.Fields {
		if strings.HasPrefix(s, f.Name) && len(f.Name) > r.n {
			r.f, r.n = f, len(f.Name)
		}
	}
	return r
}

func fieldOf(c *Class, name string) *Field {
	for _, x := range c.Fields {
		if x.Name == name {
			return x
		}
	}
	panic("fields: no " + name)
}

// parseContainer is sinsp_filter_check_container::parse_field_name:
// container.mount[ARG] and container.mount.PART[ARG], ARG a number or a
// glob.
func parseContainer(c *Class, s string) (ref, error) {
	const base = len("container.mount") + 1
	switch {
	case strings.HasPrefix(s, "container.mount."):
		var name string
		for _, part := range []string{"source", "dest", "mode", "rdwr", "propagation"} {
			if strings.HasPrefix(s[base:], part) {
				name = "container.mount." + part
				break
			}
		}
		if name == "" {
			return ref{}, syntaxError(s)
		}
		return mountArg(fieldOf(c, name), s, base)
	case strings.HasPrefix(s, "container.mount") && (len(s) < base || s[base-1] != 's'):
		return mountArg(fieldOf(c, "container.mount"), s, base-1)
	}
	return parseGeneric(c, s), nil
}

func mountArg(f *Field, s string, from int) (ref, error) {
	if from > len(s) {
		return ref{}, syntaxError(s)
	}
	start := strings.IndexByte(s[from:], '[')
	if start < 0 {
		return ref{}, syntaxError(s)
	}
	start += from
	end := strings.IndexByte(s[start:], ']')
	if end < 0 {
		return ref{}, syntaxError(s)
	}
	end += start
	r := ref{f: f, n: end + 1}
	num := s[start+1 : end]
	r.arg = argument{set: true, str: num, num: -1}
	if v, ok := sscanfInt(num); ok && v == int64(int32(v)) {
		r.arg.num = v
	}
	return r, nil
}

// parseLabels is the k8s and mesos parse_field_name: the NAME.label.KEY
// fields, KEY made of letters, digits and / _ - .
func parseLabels(c *Class, s string) (ref, error) {
	for _, f := range c.Fields {
		if f.Arg != ArgSuffix || !strings.HasPrefix(s, f.Name) || strings.HasPrefix(s, f.Name+"s") {
			continue
		}
		rest := s[len(f.Name):]
		if !strings.HasPrefix(rest, ".") {
			return ref{}, syntaxError(s)
		}
		end := 1
		for end < len(rest) && (isAlnum(rest[end]) || strings.IndexByte("/_-.", rest[end]) >= 0) {
			end++
		}
		return ref{f: f, n: len(f.Name) + end, arg: argument{set: true, str: rest[1:end]}}, nil
	}
	return parseGeneric(c, s), nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parseTracer is the span and evtin parse_field_name: span.tag[N],
// span.arg.NAME (the rest of the string) or [N], span.enterarg, the
// span.*.fortag[N] fields, and evtin.span[.p|.s|.m].tag/arg, whose
// .NAME is an event parameter's.
func parseTracer(c *Class, s string) (ref, error) {
	type special struct {
		name    string
		noDot   string // the error for .NAME, if refused
		evParam bool   // .NAME is an event parameter
	}
	var list []special
	if c.Name == "span" {
		list = []special{{"span.tag", "invalid syntax for span.tag", false}, {"span.arg", "", false},
			{"span.enterarg", "", false}, {"span.duration.fortag", "", false}, {"span.count.fortag", "", false},
			{"span.childcount.fortag", "", false}, {"span.idtag", "invalid syntax for span.idtag", false}}
	} else {
		for _, m := range []string{"", ".p", ".s", ".m"} {
			list = append(list, special{"evtin.span" + m + ".tag", "", true}, special{"evtin.span" + m + ".arg", "", true})
		}
	}
	for _, sp := range list {
		if !strings.HasPrefix(s, sp.name) || strings.HasPrefix(s, sp.name+"s") {
			continue
		}
		r := ref{f: fieldOf(c, sp.name)}
		rest := s[len(sp.name):]
		switch {
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(s, ']')
			num := s[len(sp.name)+1:]
			if end >= 0 {
				num = s[len(sp.name)+1 : end]
			}
			v, ok := sscanfInt(num)
			if !ok || v != int64(int32(v)) {
				return ref{}, &Error{Field: s, Msg: num + " is not a valid number"}
			}
			r.arg = argument{set: true, num: v}
			r.n = end + 1
		case strings.HasPrefix(rest, "."):
			if sp.noDot != "" {
				return ref{}, &Error{Field: s, Msg: sp.noDot}
			}
			if sp.evParam {
				p := longestParam(rest[1:])
				if p == nil {
					return ref{}, &Error{Field: s, Msg: "unknown event argument " + rest[1:]}
				}
				r.arg = argument{set: true, num: -1, str: p.Name, param: p}
				r.n = len(sp.name) + 1 + len(p.Name)
			} else {
				r.arg = argument{set: true, num: -1, str: rest[1:]}
				r.n = len(s)
			}
		default:
			return ref{}, syntaxError(s)
		}
		return r, nil
	}
	return parseGeneric(c, s), nil
}

// sscanfInt is sysdig's sinsp_numparser::parsed32 and friends: sscanf
// "%d%c" returning 1, i.e. optional blanks, an optional sign, digits,
// and nothing else.
func sscanfInt(s string) (int64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

func sscanfUint(s string) (uint64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	t = strings.TrimPrefix(t, "+")
	v, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

func syntaxError(s string) error {
	return &Error{Field: s, Msg: "filter syntax error: " + s}
}

// parseEvent is sinsp_filter_check_event::parse_field_name.
func parseEvent(c *Class, s string) (ref, error) {
	f := func(name string) *Field {
		for _, x := range c.Fields {
			if x.Name == name {
				return x
			}
		}
		panic("fields: no " + name)
	}
	switch {
	case strings.HasPrefix(s, "evt.arg") && !strings.HasPrefix(s, "evt.args"):
		return parseEventArg(f("evt.arg"), s, "evt.arg", false)
	case strings.HasPrefix(s, "evt.rawarg"):
		return parseEventArg(f("evt.rawarg"), s, "evt.rawarg", true)
	case strings.HasPrefix(s, "evt.around"):
		r := ref{f: f("evt.around")}
		rest := s[len("evt.around"):]
		switch {
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(s, ']')
			if end < 0 {
				end = len(s)
			}
			num := s[len("evt.around")+1 : end]
			v, ok := sscanfUint(num)
			if !ok {
				return ref{}, &Error{Field: s, Msg: num + " is not a valid number"}
			}
			r.arg = argument{set: true, num: int64(v)}
			r.n = end + 1
			if r.n > len(s) {
				r.n = len(s)
			}
			return r, nil
		case strings.HasPrefix(rest, "."):
			return ref{}, &Error{Field: s, Msg: "wrong syntax for evt.around"}
		}
		return ref{}, syntaxError(s)
	case strings.HasPrefix(s, "evt.abspath"):
		r := ref{f: f("evt.abspath")}
		switch {
		case strings.HasPrefix(s, "evt.abspath.src"):
			r.arg = argument{set: true, num: 1, str: "src"}
			r.n = len("evt.abspath.src")
		case strings.HasPrefix(s, "evt.abspath.dst"):
			r.arg = argument{set: true, num: 2, str: "dst"}
			r.n = len("evt.abspath.dst")
		default:
			r.n = len("evt.abspath")
		}
		return r, nil
	case strings.HasPrefix(s, "evt.type.is"):
		r := ref{f: f("evt.type.is")}
		rest := s[len("evt.type.is"):]
		if !strings.HasPrefix(rest, ".") {
			return ref{}, syntaxError(s)
		}
		itype := rest[1:]
		if v, ok := sscanfUint(itype); ok && v <= 0xffffffff {
			r.arg = argument{set: true, num: int64(v), num2: -1, str: itype}
			r.n = len(s)
			return r, nil
		}
		// sysdig compares the whole rest of the string with the event
		// names.
		for code := 0; code < event.NumCodes() && event.KnownTo029(event.Code(code)); code++ {
			if info := event.Lookup(event.Code(code)); info != nil && info.Name == itype {
				r.arg = argument{set: true, num: int64(code), num2: int64(code) + 1, str: itype}
				r.n = len(s)
				return r, nil
			}
		}
		return ref{f: r.f, n: 0}, nil
	}
	return parseGeneric(c, s), nil
}

// parseEventArg is sinsp_filter_check_event::extract_arg.
func parseEventArg(f *Field, s, prefix string, raw bool) (ref, error) {
	r := ref{f: f}
	rest := s[len(prefix):]
	switch {
	case strings.HasPrefix(rest, "["):
		if raw {
			return ref{}, &Error{Field: s, Msg: "evt.arg fields must be expressed explicitly"}
		}
		end := strings.IndexByte(s, ']')
		num := s[len(prefix)+1:]
		if end >= 0 {
			num = s[len(prefix)+1 : end]
		}
		v, ok := sscanfInt(num)
		if !ok || v != int64(int32(v)) {
			return ref{}, &Error{Field: s, Msg: num + " is not a valid number"}
		}
		r.arg = argument{set: true, num: v}
		// Without ']', sysdig's length wraps around to 0.
		r.n = end + 1
		return r, nil
	case strings.HasPrefix(rest, "."):
		p := longestParam(rest[1:])
		if p == nil {
			return ref{}, &Error{Field: s, Msg: "unknown event argument " + rest[1:]}
		}
		r.arg = argument{set: true, num: -1, str: p.Name, param: p}
		r.n = len(prefix) + 1 + len(p.Name)
		return r, nil
	}
	return ref{}, syntaxError(s)
}

var (
	paramsOnce sync.Once
	paramList  []*event.Param // the first parameter of each name, in code order
)

// longestParam is sinsp_utils::find_longest_matching_evt_param: among the
// parameters of every event 0.29.3 knows, the first one with the longest
// name that s starts with.
func longestParam(s string) *event.Param {
	paramsOnce.Do(func() {
		seen := map[string]bool{}
		for code := 0; code < event.NumCodes() && event.KnownTo029(event.Code(code)); code++ {
			info := event.Lookup(event.Code(code))
			if info == nil {
				continue
			}
			for i := range info.Params {
				p := &info.Params[i]
				if !seen[p.Name] {
					seen[p.Name] = true
					paramList = append(paramList, p)
				}
			}
		}
	})
	var best *event.Param
	for _, p := range paramList {
		if strings.HasPrefix(s, p.Name) && (best == nil || len(p.Name) > len(best.Name)) {
			best = p
		}
	}
	return best
}

// parseThread is sinsp_filter_check_thread::parse_field_name.
func parseThread(c *Class, s string) (ref, error) {
	f := func(name string) *Field {
		for _, x := range c.Fields {
			if x.Name == name {
				return x
			}
		}
		panic("fields: no " + name)
	}
	switch {
	case strings.HasPrefix(s, "arg"):
		return ref{}, &Error{Field: s, Msg: "filter error: proc.arg filter not implemented yet"}
	case strings.HasPrefix(s, "proc.apid"), strings.HasPrefix(s, "proc.aname"):
		name := "proc.apid"
		if strings.HasPrefix(s, "proc.aname") {
			name = "proc.aname"
		}
		r := ref{f: f(name)}
		rest := s[len(name):]
		if strings.HasPrefix(rest, "[") {
			if end := strings.IndexByte(s, ']'); end >= 0 {
				if v, ok := sscanfInt(s[len(name)+1 : end]); ok && v == int64(int32(v)) {
					r.arg = argument{set: true, num: v}
					r.n = end + 1
					return r, nil
				}
			}
		}
		// Without a valid [N], sysdig takes the field only when nothing
		// follows its name (and then it has no value).
		if len(rest) == 0 {
			r.arg = argument{num: -1}
			r.n = len(name)
			return r, nil
		}
		return ref{f: r.f, n: 0}, nil
	case strings.HasPrefix(s, "thread.cgroup") && !strings.HasPrefix(s, "thread.cgroups"):
		r := ref{f: f("thread.cgroup")}
		rest := s[len("thread.cgroup"):]
		if !strings.HasPrefix(rest, ".") {
			return ref{}, syntaxError(s)
		}
		end := 1
		for end < len(rest) && (rest[end] == '_' || rest[end] >= 'a' && rest[end] <= 'z' || rest[end] >= 'A' && rest[end] <= 'Z') {
			end++
		}
		r.arg = argument{set: true, str: rest[1:end]}
		r.n = len("thread.cgroup") + end
		return r, nil
	}
	return parseGeneric(c, s), nil
}

// String returns the field's name.
func (f *Field) String() string { return f.Name }

// describe helps error messages.
func (r ref) String() string { return fmt.Sprintf("%s(%d)", r.f.Name, r.n) }

// FieldOf returns the field an Extractor from Parse extracts, or nil.
func FieldOf(ex Extractor) *Field {
	if x, ok := ex.(*extractor); ok {
		return x.f
	}
	return nil
}
