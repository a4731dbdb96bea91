// Package tracetest builds raw events and small scap trace files for tests:
// an Event with its header fields and parameter values (Raw, Decode), the
// parameter encoders (U32, Str, Addr4, Tuple6, FDList, ...), and a World of
// processes with their fds, users and groups that ScapFile writes, with the
// events, as a file sysdig reads.
//
// It is test support only: only _test.go files import it.
package tracetest
