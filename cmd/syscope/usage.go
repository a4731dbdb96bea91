package main

// defaultFormat is sysdig's default output format when stdout is not a
// terminal, which -pp prints.
const defaultFormat = "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"

// usage follows the version line of -h.
const usage = `Usage: syscope -r <readfile> [options] [filter]

syscope reads sysdig capture files (.scap, plain or gzip-compressed) and
prints their events exactly as sysdig 0.29.3 does. Options are sysdig's;
those not listed here are recognized but rejected as not supported yet.

Options:
 -A, --print-ascii  Only print the text portion of data buffers, and echo
                    end-of-lines.
 -b, --print-base64 Print data buffers in base64.
 -c crashes, --chisel=crashes
                    Instead of the events, print a crash report: every
                    process that died from a signal, by container, with
                    the cause of its fault and its user stack. -cl lists
                    the chisels.
 -h, --help         Print this page.
 -j, --json         Emit output as json.
 -L, --list-events  List the events that the engine supports.
 -M <num_seconds>   Stop after <num_seconds> of capture time.
 -n <num>, --numevents=<num>
                    Stop after <num> events.
 -p <output_format>, --print=<output_format>
                    With -pc or -pcontainer use the container-friendly format,
                    with -pp print the default format.
 -q, --quiet        Don't print events on the screen.
 -r <readfile>, --read=<readfile>
                    Read the events from <readfile>.
 -S, --summary      Print the event summary (the list of the top events)
                    when the capture ends.
 -t <timetype>, --timetype=<timetype>
                    Change the way event time is displayed: h for
                    human-readable string, a for absolute timestamp from
                    epoch, r for relative time from the beginning of the
                    capture, d for delta between event enter and exit, and
                    D for delta from the previous event.
 --unbuffered       Flush the output after every event.
 -v, --verbose      Print data buffers in full instead of truncating them,
                    and print summary information at the end.
 --version          Print the version number.
 -x, --print-hex    Print data buffers in hex.
 -X, --print-hex-ascii
                    Print data buffers in hex and ASCII.

Not supported yet: chisels other than crashes, plugins, Kubernetes and
Mesos metadata.
`
