// Package scap reads sysdig's scap trace files: a pcapng-style sequence of
// blocks (section header, machine info, process, fd, interface and user
// lists, then events), plain or gzip-compressed.
//
// The reader hands metadata blocks to a Sink as it meets them and returns
// events one at a time, reusing its buffers, so reading costs no allocation
// per event. A long plain file is mapped into memory and its events are
// decoded in place, with no copy, and the pages behind the reading are
// given back so that the file's size never counts as memory (mapped_linux.go).
// A long stream (a pipe, a gzip file) is read, split and decoded ahead by
// a goroutine of the reader's own in a few batches (pipe.go), so that on
// two cores reading overlaps with what the caller does with the events;
// the Sink is still called from Next, in the file's order. Skim spares the parameters
// of events nobody reads, and NextBlock hands out event blocks a Writer can
// copy as they are. Lengths in the file never make it allocate more than
// the bytes that are really there. Damage is reported as an *Error with the
// byte offset of the block, after every event before it.
package scap
