// Package state follows what a stream of events says about the machine:
// threads and processes, their file descriptors, users, groups and
// containers. Every event goes through State.Apply before it is filtered
// or printed, as in sysdig, so a printed event sees the state it produced
// (an open's fd is already named) and the state before what it removes
// (a close still names its fd).
package state
