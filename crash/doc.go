// Package crash turns a stream of events into a crash report: every
// process that died from a signal, grouped by container and image, with
// how often the same program died there, its exit statuses, the last
// events of the thread before each death and, where the signal follows a
// page fault, the fault explained in one sentence (a call into the legacy
// vsyscall page, a NULL pointer dereference, a stack overflow, a write to
// a read-only mapping, executing a non-executable page).
//
// An Analyzer sees each event after the state engine has applied it (so a
// dying thread still has its name and container) and writes the report
// at the end. It is what "syscope -c crashes" runs.
package crash
