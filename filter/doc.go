// Package filter implements sysdig's filter language: it parses a filter
// such as
//
//	evt.type=open and fd.name contains /etc and not proc.name in (cat, ls)
//
// and compiles it into a predicate over events that gives the answers
// Debian's sysdig 0.29.3 gives, with the operators later versions of
// falcosecurity/libs added.
//
// # Use
//
//	f, err := filter.Compile(expr)   // err is an *Error: "filter: column 18: ..."
//	...
//	if f.Match(&ctx) { ... }         // ctx is a fields.Ctx
//
// Compile looks the fields up in package fields and parses every value
// once, by the kind of its field. Match allocates nothing in the common
// cases; a Filter is not safe for use by several goroutines at once (Clone
// it). EventTypes tells which event codes can match at all, so that a
// reader can skip the others; Match itself rejects an event by its code
// before extracting anything, when sysdig would have extracted no field
// that keeps state (an extractor tells it is stateless with a method Pure()
// bool; evt.type is). Parse gives the syntax tree alone.
//
// # Syntax
//
// A filter is checks joined by "and", "or" and "not", with parentheses;
// "not" binds tightest, then "and", then "or". Blanks (space, tab, line
// feed, carriage return) separate tokens and are needed only between
// words. Keywords are lower case.
//
// A check is a field, an operator and a value, a list of values, or
// nothing:
//
//	proc.name = curl
//	fd.name contains /etc
//	evt.type in (open, openat, close)
//	evt.arg.fd exists
//
// A field runs up to a blank or one of ( ) ! = < > and may carry an
// argument: proc.aname[2], evt.arg[0], evt.arg.fd.
//
// Operators, by the kinds of field they apply to:
//
//	= == != in intersects exists   every kind
//	< <= > >=                      numbers, ports, durations, times, strings
//	contains startswith endswith   strings and buffers
//	bcontains bstartswith          strings and buffers; the value is hex: 474554
//	icontains glob iglob regex     strings
//	pmatch                         strings (paths)
//
// sysdig 0.29.3 has all but ==, iglob, bcontains, bstartswith and regex,
// which come from later libs; it cannot parse intersects, which later
// libs have.
//
// # Values
//
// A bare value runs up to a blank or a parenthesis, and inside a list up
// to a comma too; anything else is part of it, = and quotes included
// (a=b,c is one value). A value in single or double quotes runs to the
// matching quote and may hold blanks, parentheses and commas. In both, as
// in sysdig, \\ stands for a backslash, \" for a double quote and \xHH for
// the byte HH; a backslash before anything else stands for itself, and
// the byte after it never ends the value.
//
// Values are parsed by the kind of the field:
//
//   - strings compare bytewise: = exact, < as strcmp, contains, icontains
//     (ASCII case ignored), startswith, endswith; glob and iglob are
//     fnmatch(3) patterns without flags (* also matches /); regex is an RE2
//     expression that must match the whole value; pmatch (a, b) matches a
//     path at or under a or b, component by component (/etc holds
//     /etc/passwd, not /etcetera); in (a, b) is a set.
//   - numbers are decimal integers with an optional sign, as sscanf reads
//     them (-1 of an unsigned field is its largest value); floating-point
//     fields take any Go float.
//   - booleans are true or false.
//   - IP addresses are IPv4 or IPv6 addresses; IP networks (fd.net and the
//     like) are 10.0.0.0/8 or 2001:db8::/32, and a bare IPv6 address
//     stands for its /64, as in sysdig. As in sysdig 0.29.3, an IPv6
//     network is matched against an IPv4 address through its first 8
//     bytes read as an IPv4 address and mask (fd.net=2001:4860:: matches
//     every IPv4 socket), and an IPv4 network against an IPv6 address by
//     comparing its address and mask bytes with the first 64 bits.
//   - ports are numbers or service names (http), looked up in
//     /etc/services.
//   - durations are nanoseconds, or a number with a unit: 10ms, 1.5s, 200us.
//   - times are nanoseconds since the epoch.
//   - evt.type values must name an event or a system call.
//
// # Several values
//
// A field with several values matches when one of them does: proc.aname
// (every ancestor), proc.apid, and the filter-only fields that stand for
// both ends of a connection, fd.ip, fd.port, fd.proto and fd.net. For
// those four, != means that neither end is equal; for the others, as in
// sysdig, that one value differs. A field with no value (fd.name of an
// event without a file) fails every check, != included, and passes "not".
//
// # Event types
//
// EventTypes derives from the evt.type checks the codes that can match:
// evt.type=open matches only the codes named open (entry and exit), not
// evt.type=open every other code, proc.name=x every code. Generic events
// (code "syscall") take the name of their system call, so evt.type=madvise
// keeps them; a system call with an event of its own never comes as a
// generic event.
//
// # Differences from sysdig 0.29.3
//
// Where sysdig 0.29.3 accepts a filter, syscope gives the same answer,
// except for these cases, where it follows later libs or reports an error
// instead of a surprising answer:
//
//   - "a and b or c" is (a and b) or c; sysdig rejects it as ambiguous.
//   - "not not a" is a; sysdig takes it as "not a".
//   - == is =; sysdig reads proc.name==x as comparing with "=x".
//   - intersects works (as in); sysdig cannot parse it.
//   - A quoted value must end with the quote it starts with; sysdig ends
//     it at either quote.
//   - A missing value (proc.name=) is an error; sysdig compares with "".
//     In a list, a trailing comma is an error; sysdig adds "".
//   - "in ()" matches nothing; sysdig reads it as in ("").
//   - evt.type values are checked only with =, ==, !=, in and intersects;
//     sysdig checks them with every operator (evt.type contains op fails).
//   - A port above 65535 is an error; sysdig truncates it.
//   - Durations may have units; IP networks may be IPv6 prefixes;
//     floating-point fields may be compared. sysdig rejects all three.
//   - Comparisons that sysdig rejects when it first evaluates them
//     (evt.num contains 3) are rejected by Compile.
//
// The conformance test runs sysdig 0.29.3 and this package on the real
// traces and compares the events they select.
package filter
