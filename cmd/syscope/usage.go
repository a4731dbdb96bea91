package main

// defaultFormat is sysdig's default output format when stdout is not a
// terminal, which -pp prints.
const defaultFormat = "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"

// usage follows the version line of -h.
const usage = `Usage: syscope [options] [-r <readfile>] [filter]

syscope captures the system calls and other kernel events of this host
with its embedded eBPF probe (as root), or reads sysdig capture files
(.scap, plain or gzip-compressed), and prints or writes their events as
sysdig 0.29.3 does. Options are sysdig's; those not listed here are
recognized but rejected as not supported yet.

Options:
 -A, --print-ascii  Only print the text portion of data buffers, and echo
                    end-of-lines.
 -b, --print-base64 Print data buffers in base64.
 -c crashes, --chisel=crashes
                    Instead of the events, print a crash report: every
                    process that died from a signal, by container, with
                    the cause of its fault and its user stack. -cl lists
                    the chisels.
 -C <file_size>     With -w, start a new file every <file_size> MB.
 --cri <path>       Path to a CRI socket for container metadata (can be
                    given more than once; replaces the default paths).
 --cri-timeout <timeout_ms>
                    Wait at most this long for container metadata.
 -d, --displayflt   Make the filter a display filter: state is kept from
                    every event, only matching events are printed.
 -e <num>, --event-limit=<num>
                    With -w, start a new file every <num> events (the
                    first file holds one fewer, as sysdig's).
 -F, --fatfile      Accepted: with -w and a filter, syscope always keeps the
                    events that change state (sysdig's fatfile mode).
 -G <num_seconds>   With -w, start a new file every <num_seconds>.
 -h, --help         Print this page.
 -j, --json         Emit output as json.
 -l, --list         List the fields filters and -p can use (with -v,
                    their descriptions too).
 -L, --list-events  List the events that the engine supports.
 --list-markdown    Like -l, but as markdown.
 -M <num_seconds>   Stop after <num_seconds> of capture time.
 -n <num>, --numevents=<num>
                    Stop after <num> events.
 --page-faults      Capture user page faults too (live capture).
 -p <output_format>, --print=<output_format>
                    Print events with this format of %field names. With
                    -pc or -pcontainer use the container-friendly format,
                    with -pk or -pkubernetes the Kubernetes one, with -pm
                    or -pmesos the Mesos one, with -pp print the default
                    format.
 -P                 Print on stderr how much of the file has been read, in
                    percent, as it is read (also when -r goes with -w,
                    as with sysdig).
 -q, --quiet        Don't print events on the screen.
 -R, --resolve-ports
                    Resolve port numbers to names (from /etc/services).
 -r <readfile>, --read=<readfile>
                    Read the events from <readfile>.
 -s <len>, --snaplen=<len>
                    Capture the first <len> bytes of each I/O buffer
                    (default 80).
 -S, --summary      Print the event summary (the list of the top events)
                    when the capture ends.
 -t <timetype>, --timetype=<timetype>
                    Change the way event time is displayed: h for
                    human-readable string, a for absolute timestamp from
                    epoch, r for relative time from the beginning of the
                    capture, d for delta between event enter and exit, and
                    D for delta from the previous event.
 -U <comm>, --suppress-comm=<comm>
                    Ignore the events of processes named <comm>, and of
                    their children (up to 32 names).
 --unbuffered       Flush the output after every event.
 -v, --verbose      Print data buffers in full instead of truncating them,
                    and print summary information at the end.
 --version          Print the version number.
 -w <writefile>, --write=<writefile>
                    Write the captured (or read) events to <writefile>;
                    with a filter, only matching events and the state they
                    need.
 -W <num>           With -C or -G, keep at most <num> files, as a ring.
 -x, --print-hex    Print data buffers in hex.
 -X, --print-hex-ascii
                    Print data buffers in hex and ASCII.
 -z, --compress     Write a gzip-compressed capture file.

Other commands:
 syscope vsyscall               The host's vsyscall mode and what it means.
 syscope vsyscall scan TARGET   Find code calling the legacy vsyscall page in
                                an ELF file, a directory, an image archive or
                                a local image.
 syscope bench time             time() through the vDSO, the syscall
                                instruction and the vsyscall page.

Not supported yet: plugins, Mesos and Kubernetes API server metadata
(-k), chisels other than crashes, -T.
`
