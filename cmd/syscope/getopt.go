package main

import (
	"fmt"
	"strings"
)

// A small reimplementation of glibc's getopt_long, enough to accept every
// command line that sysdig accepts, with the same meaning and the same
// error messages: short options cluster (-qv), a short option's argument
// may be attached (-pc, -n10) or the next word (-n 10), long options take
// "=value" or the next word and may be abbreviated to any unique prefix,
// options and positional words mix freely (the words are moved to the end,
// as GNU getopt permutes them), and "--" ends the options.

type argKind uint8

const (
	noArg argKind = iota
	requiredArg
	optionalArg // attached only: -B/path, --bpf=/path
)

// longOpt is one entry of the long option table. A short of 0 marks an
// option that exists only in its long form.
type longOpt struct {
	name  string
	kind  argKind
	short byte
}

// parsedOpt is one option found on the command line.
type parsedOpt struct {
	short  byte   // the short option, or 0 for a long-only option
	long   string // the long option's full name when it was given long
	arg    string
	hasArg bool
}

// getoptError is a usage error, worded as glibc words it.
type getoptError struct{ msg string }

func (e *getoptError) Error() string { return e.msg }

// getopt parses args (without the program name) against shortSpec, in
// getopt's syntax ("ab:c::"), and longs. It returns the options in order
// and the remaining positional words. prog prefixes error messages.
func getopt(prog string, args []string, shortSpec string, longs []longOpt) ([]parsedOpt, []string, error) {
	shorts := map[byte]argKind{}
	for i := 0; i < len(shortSpec); i++ {
		c := shortSpec[i]
		k := noArg
		if i+1 < len(shortSpec) && shortSpec[i+1] == ':' {
			k = requiredArg
			i++
			if i+1 < len(shortSpec) && shortSpec[i+1] == ':' {
				k = optionalArg
				i++
			}
		}
		shorts[c] = k
	}
	var opts []parsedOpt
	var words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			words = append(words, args[i+1:]...)
			return opts, words, nil
		case strings.HasPrefix(a, "--"):
			o, used, err := parseLong(prog, a[2:], args[i+1:], longs)
			if err != nil {
				return nil, nil, err
			}
			i += used
			opts = append(opts, o)
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				c := a[j]
				k, ok := shorts[c]
				if !ok || c == ':' {
					return nil, nil, &getoptError{fmt.Sprintf("%s: invalid option -- '%c'", prog, c)}
				}
				o := parsedOpt{short: c}
				switch k {
				case requiredArg:
					if j+1 < len(a) {
						o.arg, o.hasArg = a[j+1:], true
					} else if i+1 < len(args) {
						i++
						o.arg, o.hasArg = args[i], true
					} else {
						return nil, nil, &getoptError{fmt.Sprintf("%s: option requires an argument -- '%c'", prog, c)}
					}
					j = len(a)
				case optionalArg:
					if j+1 < len(a) {
						o.arg, o.hasArg = a[j+1:], true
					}
					j = len(a)
				}
				opts = append(opts, o)
			}
		default:
			words = append(words, a)
		}
	}
	return opts, words, nil
}

// parseLong parses one long option, s being the text after "--"; rest are
// the words after it, of which it may take one as the argument. It returns
// how many of them it used.
func parseLong(prog, s string, rest []string, longs []longOpt) (parsedOpt, int, error) {
	name, val, hasVal := strings.Cut(s, "=")
	var match *longOpt
	var candidates []*longOpt
	for i := range longs {
		l := &longs[i]
		if l.name == name {
			match = l
			candidates = nil
			break
		}
		if strings.HasPrefix(l.name, name) {
			candidates = append(candidates, l)
		}
	}
	if match == nil {
		switch {
		case len(candidates) == 0:
			return parsedOpt{}, 0, &getoptError{fmt.Sprintf("%s: unrecognized option '--%s'", prog, s)}
		case len(candidates) > 1 && !sameOption(candidates):
			var b strings.Builder
			fmt.Fprintf(&b, "%s: option '--%s' is ambiguous; possibilities:", prog, s)
			for _, c := range candidates {
				fmt.Fprintf(&b, " '--%s'", c.name)
			}
			return parsedOpt{}, 0, &getoptError{b.String()}
		}
		match = candidates[0]
	}
	o := parsedOpt{short: match.short, long: match.name}
	used := 0
	switch match.kind {
	case noArg:
		if hasVal {
			return parsedOpt{}, 0, &getoptError{fmt.Sprintf("%s: option '--%s' doesn't allow an argument", prog, match.name)}
		}
	case requiredArg:
		if hasVal {
			o.arg, o.hasArg = val, true
		} else if len(rest) > 0 {
			o.arg, o.hasArg = rest[0], true
			used = 1
		} else {
			return parsedOpt{}, 0, &getoptError{fmt.Sprintf("%s: option '--%s' requires an argument", prog, match.name)}
		}
	case optionalArg:
		if hasVal {
			o.arg, o.hasArg = val, true
		}
	}
	return o, used, nil
}

// sameOption reports whether every candidate of an abbreviation means the
// same thing, which glibc does not count as ambiguous.
func sameOption(c []*longOpt) bool {
	for _, l := range c[1:] {
		if l.kind != c[0].kind || l.short != c[0].short || l.short == 0 {
			return false
		}
	}
	return true
}
