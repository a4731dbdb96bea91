// Package scap reads sysdig's scap trace files: a pcapng-style sequence of
// blocks (section header, machine info, process, fd, interface and user
// lists, then events), plain or gzip-compressed.
//
// The reader hands metadata blocks to a Sink as it meets them and returns
// events one at a time, reusing one buffer, so reading costs no allocation
// per event. Lengths in the file never make it allocate more than the bytes
// that are really there. Damage is reported as an *Error with the byte
// offset of the block, after every event before it.
package scap
