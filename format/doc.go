// Package format prints events as sysdig 0.29.3 does with -r: the default
// line format, the container format (-pc), JSON lines (-j), the buffer
// formats (-A, -x, -X, -b), untruncated buffers (-v) and the time formats
// (-t h, a, r, d, D).
//
// A Printer writes whole events; its Renderer renders parameters, one at
// a time (what evt.arg and evt.rawarg-like fields need) or as evt.info.
// Both follow libsinsp e5c53d64 (event.cpp get_param_as_str,
// filterchecks.cpp, eventformatter.cpp) down to its quirks: numbers in
// the printf conversions it picks, flag names resolved in table order,
// buffers cut to 80 characters, values read past a short parameter, the
// stale value sinsp prints for an empty path, and its string buffers'
// sizes.
//
// The printer takes the state (threads, fds, users, containers) from a
// *state.State, after the state engine has applied the event printed.
package format
