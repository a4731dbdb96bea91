// Package event describes the event types of sysdig captures. Its table is
// the only place event codes live: other packages use Lookup.
//
// The table is generated from falcosecurity/libs (HEAD for the codes, e5c53d64
// = sysdig 0.29.3 for how they print; see COMPAT.md). To regenerate:
// LIBS=/path/to/libs-checkout go generate ./event
package event

//go:generate go run ../internal/gen/eventtable -libs=$LIBS -out=.
