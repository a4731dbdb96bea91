package fields

import (
	"github.com/syscope/syscope/format"

	"fmt"
	"sort"
	"strconv"
	"strings"
)

// FormatError is an error in a -p format string.
type FormatError struct {
	// Col is the 1-based column (byte offset) of the format where the
	// problem is.
	Col int
	// Msg is sysdig's message for it, which sysdig prints alone.
	Msg string
}

func (e *FormatError) Error() string { return fmt.Sprintf("%s (column %d)", e.Msg, e.Col) }

// FormatOptions are the options of a Formatter.
type FormatOptions struct {
	// JSON makes Append write a JSON object of the format's fields, as
	// sysdig -j -p does.
	JSON bool
}

// Formatter prints events in a sysdig -p format. It is not safe for
// concurrent use.
type Formatter struct {
	spec       string
	tokens     []token
	requireAll bool
	json       bool
	err        error
	keys       []int // JSON: token indexes, sorted by name, one per name
	jsonVals   [][]byte
}

// token is a piece of a format: literal text, or a field.
type token struct {
	text  string     // literal text
	name  string     // the field as written, for JSON keys
	x     *extractor // nil for text
	width int        // %NNfield: pad or cut to NN bytes
	col   int        // the field's column in the format, for errors
}

// Unescape is what sysdig does to -p formats before anything else:
// \n, \t, \e and \\ become a newline, a tab, ESC and a backslash; any
// other backslash stays.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case 'n':
			b.WriteByte('\n')
			i++
		case 't':
			b.WriteByte('\t')
			i++
		case 'e':
			b.WriteByte(0x1b)
			i++
		case '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// NewFormat parses a -p format (after Unescape), as sysdig's
// sinsp_evt_formatter does: %FIELD and %FIELD[ARG] (the longest field
// name that follows the %, see Parse), %NNFIELD to pad or cut a field to
// NN characters, and literal text between them. A leading '*' prints
// events even when some fields have no value (as <NA>); without it an
// event with a field that has no value is not printed. Errors are
// *FormatError, with sysdig's messages.
func NewFormat(spec string, opt FormatOptions) (*Formatter, error) {
	f := &Formatter{spec: spec, json: opt.JSON, requireAll: true}
	if spec == "" {
		return nil, &FormatError{Col: 1, Msg: "empty formatting token"}
	}
	off := 0
	s := spec
	if s[0] == '*' {
		f.requireAll = false
		s = s[1:]
		off = 1
	}
	last, nstates := 0, 0
	for j := 0; j < len(s); j++ {
		if s[j] != '%' {
			continue
		}
		if last != j {
			f.tokens = append(f.tokens, token{text: s[last:j]})
		}
		if j == len(s)-1 {
			return nil, &FormatError{Col: off + j + 1, Msg: "invalid formatting syntax: formatting cannot end with a %"}
		}
		width := 0
		if isDigit(s[j+1]) {
			k := j + 1
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			width = atoiC(s[j+1 : k])
			if k == len(s) {
				return nil, &FormatError{Col: off + j + 1, Msg: "invalid formatting syntax: formatting cannot end with a number"}
			}
			j = k - 1
		}
		rest := s[j+1:]
		r, err := parseRef(rest, false)
		if err != nil {
			msg := err.Error()
			return nil, &FormatError{Col: off + j + 2, Msg: msg}
		}
		if r.n < 0 || r.f == nil {
			return nil, &FormatError{Col: off + j + 2, Msg: "invalid formatting token " + rest}
		}
		x := r.newExtractor()
		// sinsp reserves thread state for these fields, in order.
		if strings.HasPrefix(rest, "evt.latency") || strings.HasPrefix(rest, "thread.totexectime") ||
			strings.HasPrefix(rest, "thread.cpu") {
			x.stateID = nstates
			nstates++
		}
		f.tokens = append(f.tokens, token{name: rest[:r.n], x: x, width: width, col: off + j + 2})
		j += r.n
		last = j + 1
	}
	if last < len(s) {
		f.tokens = append(f.tokens, token{text: s[last:]})
	}
	if f.json {
		seen := map[string]int{}
		for i, t := range f.tokens {
			if t.x == nil {
				continue
			}
			if k, ok := seen[t.name]; ok {
				f.keys[k] = i
				continue
			}
			seen[t.name] = len(f.keys)
			f.keys = append(f.keys, i)
		}
		sort.SliceStable(f.keys, func(a, b int) bool { return f.tokens[f.keys[a]].name < f.tokens[f.keys[b]].name })
		f.jsonVals = make([][]byte, len(f.tokens))
	}
	return f, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// atoiC is sscanf("%d"): digits, saturating like glibc's strtol does for
// int.
func atoiC(s string) int {
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return -1
	}
	return int(v)
}

// String returns the format.
func (f *Formatter) String() string { return f.spec }

// Fields returns the names of the fields the format prints, in order.
func (f *Formatter) Fields() []string {
	var names []string
	for _, t := range f.tokens {
		if t.x != nil {
			names = append(names, t.x.f.Name)
		}
	}
	return names
}

// RequireAll reports whether the format drops events with a field that
// has no value (it does not start with '*').
func (f *Formatter) RequireAll() bool { return f.requireAll }

// Err returns the error that made the last Append fail, as sysdig's
// formatter throws it (for instance "wrong event type 30" for
// evt.rawarg of a flags parameter): sysdig stops there.
func (f *Formatter) Err() error { return f.err }

// Append appends the event in c in the format, without a newline, and
// reports whether sysdig prints it: false when a field has no value and
// the format does not start with '*', or when Err is set.
func (f *Formatter) Append(dst []byte, c *Ctx) ([]byte, bool) {
	f.err = nil
	if f.json {
		return f.appendJSON(dst, c)
	}
	start := len(dst)
	ok := true
	for i := range f.tokens {
		t := &f.tokens[i]
		if t.x == nil {
			if ok {
				dst = append(dst, t.text...)
			}
			continue
		}
		// Every field is extracted, as sysdig does, even after the
		// event is known not to print: some keep state across events.
		n := len(dst)
		var has bool
		dst, has = t.x.Format(dst, c)
		if t.x.bad != "" {
			f.err = &FormatError{Col: t.col, Msg: t.x.bad}
			return dst[:start], false
		}
		if !ok {
			dst = dst[:n]
			continue
		}
		if !has {
			if f.requireAll {
				ok = false
				dst = dst[:n]
				continue
			}
			dst = append(dst, "<NA>"...)
		}
		if t.width != 0 {
			dst = fitWidth(dst, n, t.width)
		}
	}
	if !ok {
		return dst[:start], false
	}
	return dst, true
}

// fitWidth pads with spaces or cuts dst[n:] to w bytes, as
// std::string::resize does.
func fitWidth(dst []byte, n, w int) []byte {
	if w < 0 {
		return dst
	}
	l := len(dst) - n
	if l > w {
		return dst[:n+w]
	}
	for ; l < w; l++ {
		dst = append(dst, ' ')
	}
	return dst
}

// appendJSON is sinsp_evt_formatter::tostring_withformat for OF_JSON:
// each field's value (twice, as sysdig extracts it twice), its tokens
// under their names, sorted, as jsoncpp's FastWriter writes an object.
func (f *Formatter) appendJSON(dst []byte, c *Ctx) ([]byte, bool) {
	ok := true
	for i := range f.tokens {
		t := &f.tokens[i]
		if t.x == nil {
			continue
		}
		v, has := t.x.appendJSON(f.jsonVals[i][:0], c)
		if t.x.bad != "" {
			f.err = &FormatError{Col: t.col, Msg: t.x.bad}
			return dst, false
		}
		if !ok {
			continue
		}
		if !has && f.requireAll {
			ok = false
			continue
		}
		v, has = t.x.appendJSON(v[:0], c)
		if t.x.bad != "" {
			f.err = &FormatError{Col: t.col, Msg: t.x.bad}
			return dst, false
		}
		if !has {
			v = append(v[:0], "null"...)
		}
		f.jsonVals[i] = v
	}
	if !ok {
		return dst, false
	}
	dst = append(dst, '{')
	for k, i := range f.keys {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = format.AppendJSONString(dst, []byte(f.tokens[i].name))
		dst = append(dst, ':')
		dst = append(dst, f.jsonVals[i]...)
	}
	return append(dst, '}'), true
}
