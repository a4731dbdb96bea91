// Package fields is the field catalog of sysdig 0.29.3 (falcosecurity/libs
// e5c53d64): the fields filters test, -p formats print and -j writes, such
// as evt.type, proc.name, fd.name, evt.arg.fd or proc.aname[2]. One
// registry serves the filter language (package filter), the -p and -j
// output and later analyses.
//
// # The catalog
//
// List, Classes and Lookup describe every field of the classes sysdig
// 0.29.3 knows, in its order, with their sysdig types, flags and
// argument syntax; Describe prints them as sysdig -l and -lv do. The
// evt, process, user, group, container, fd, fdlist and syslog classes
// have values; the k8s, mesos, span and evtin classes, and the plugin
// fields, parse but never have a value, as when sysdig reads a file
// without that metadata.
//
// Parse reads a field reference (a field, and its argument) at the start
// of a string and returns an Extractor for it. Extract gives the values
// filters compare (typed: numbers, addresses, raw bytes); Format appends
// the value as sysdig's -p prints it.
//
// # Formats
//
// NewFormat parses a -p format (after Unescape) and Formatter.Append
// prints one event in it, as text or, with FormatOptions.JSON, as sysdig
// -j -p writes it. As in sysdig, a format that does not start with '*'
// prints only the events whose fields all have a value.
//
// # The pipeline
//
// Fields read one event at a time through a Ctx: the event, the state
// after the state engine applied it, the event's thread and fd, and what
// is known of the capture as a whole (a Capture). A reader loop is
//
//	st := state.New()
//	cp := fields.NewCapture()            // cp.Time = 'r' for -t r...
//	rd, _ := scap.NewReader(f, cp.Sink(st.Sink()))
//	pr := format.NewPrinter(w, st, opts) // for Skipped and Thread
//	for {
//		ev, err := rd.Next()
//		...
//		st.Apply(ev)
//		cp.Observe(ev, st)
//		pr.Observe(ev)
//		if pr.Skipped(ev) {
//			continue
//		}
//		c := fields.Ctx{R: pr.Renderer()}
//		cp.Fill(&c, ev, st, pr.Thread(ev))
//		line, ok = fm.Append(line[:0], &c)
//		...
//	}
//
// With a command's filter (not -d), sysdig filters an event that does not
// modify state before parsing it: call st.SetCaptureFilter(true) first,
// and st.Reject(ev) and cp.Reject(ev) for each event the filter rejects,
// so that the exit after a rejected enter event is unpaired as in sysdig.
//
// Sharing the printer's Renderer matters: like sinsp's, its buffers carry
// over from one parameter to the next, and it renders buffers in the -A,
// -x, -X, -b and -j formats.
//
// Extractors and Formatters are not safe for concurrent use, and keep
// state across events where sysdig does (evt.deltatime, -t D, the
// thread.totexectime totals): make one per goroutine. Values returned
// point into buffers reused by the next event.
package fields
