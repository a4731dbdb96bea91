package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

const prog = "syscope"

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// The short options of sysdig 0.29.3, in its getopt string.
const shortOpts = "AbB::c:C:dDEe:FG:hH:I:i:jk:K:lLm:M:n:Pp:qRr:Ss:t:TU:uvW:w:xXz"

// The long options of sysdig 0.29.3, in its order (the order decides how
// glibc lists the possibilities of an ambiguous abbreviation). Options
// whose short is 0 have no short form.
var longOpts = []longOpt{
	{"print-ascii", noArg, 'A'},
	{"print-base64", noArg, 'b'},
	{"bpf", optionalArg, 'B'},
	{"chisel", requiredArg, 'c'},
	{"list-chisels", noArg, 0},
	{"cri", requiredArg, 0},
	{"cri-timeout", requiredArg, 0},
	{"displayflt", noArg, 'd'},
	{"debug", noArg, 'D'},
	{"exclude-users", noArg, 'E'},
	{"event-limit", requiredArg, 'e'},
	{"fatfile", noArg, 'F'},
	{"filter-proclist", noArg, 0},
	{"seconds", requiredArg, 'G'},
	{"help", noArg, 'h'},
	{"plugin", requiredArg, 'H'},
	{"input", requiredArg, 'I'},
	{"chisel-info", requiredArg, 'i'},
	{"file-size", requiredArg, 'C'},
	{"json", noArg, 'j'},
	{"k8s-api", requiredArg, 'k'},
	{"node-name", requiredArg, 'N'},
	{"k8s-api-cert", requiredArg, 'K'},
	{"large-environment", noArg, 0},
	{"list", noArg, 'l'},
	{"list-events", noArg, 'L'},
	{"list-markdown", noArg, 0},
	{"libs-version", noArg, 0},
	{"mesos-api", requiredArg, 'm'},
	{"numevents", requiredArg, 'n'},
	{"page-faults", noArg, 0},
	{"plugin-config-file", requiredArg, 0},
	{"progress", requiredArg, 'P'}, // sic: sysdig declares it with an argument
	{"print", requiredArg, 'p'},
	{"quiet", noArg, 'q'},
	{"resolve-ports", noArg, 'R'},
	{"readfile", requiredArg, 'r'},
	{"snaplen", requiredArg, 's'},
	{"summary", noArg, 'S'},
	{"suppress-comm", requiredArg, 'U'},
	{"udig", requiredArg, 'u'},
	{"timetype", requiredArg, 't'},
	{"force-tracers-capture", requiredArg, 'T'}, // sic
	{"unbuffered", noArg, 0},
	{"verbose", noArg, 'v'},
	{"version", noArg, 0},
	{"writefile", requiredArg, 'w'},
	{"limit", requiredArg, 'W'},
	{"print-hex", noArg, 'x'},
	{"print-hex-ascii", noArg, 'X'},
	{"compress", noArg, 'z'},
}

// bufFormat is how data buffers print (sysdig's -A, -b, -x, -X).
type bufFormat uint8

const (
	bufNormal bufFormat = iota
	bufASCII
	bufBase64
	bufHex
	bufHexASCII
)

// config is what the command line asks for.
type config struct {
	files      []string
	format     string // -p, as given; "" for the default
	json       bool
	buf        bufFormat
	verbose    bool
	count      uint64 // -n; 0 for no limit
	timeType   byte   // -t; 'h' by default
	summary    bool
	quiet      bool
	unbuffered bool
	duration   int64 // -M, in seconds; 0 for no limit
	filter     string
	display    bool // -d
	listFields bool // -l
	// listMarkdown: --list-markdown, -l as markdown.
	listMarkdown bool

	// Writing (-w): the file, gzip (-z), and rotation (-C MB, -G seconds,
	// -W files).
	write    string
	compress bool
	sizeMB   int
	seconds  int
	ring     int
	events   uint64 // -e: a new file every this many events

	snaplen    int    // -s
	pageFaults bool   // --page-faults
	chisel     string // -c, see chisel.go
	progress   bool   // -P
	portNames  bool   // -R
	// suppress are the comms of -U, whose processes' events are dropped.
	suppress []string

	containers containerOptions // --cri, --cri-timeout
}

// exitError ends the run with a message on stderr and an exit code.
type exitError struct {
	msg  string // without a trailing newline; "" for none
	code int
	// thrown marks the errors sysdig raises as exceptions while parsing
	// its arguments: it still prints the (empty) summary after them.
	thrown bool
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, a ...any) *exitError {
	return &exitError{msg: fmt.Sprintf(format, a...), code: code}
}

func unsupported(what string) *exitError {
	return fail(1, "%s: %s is not supported yet", prog, what)
}

// run is the whole program: it parses args, does the work, writes to
// stdout and stderr and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	cfg, done, err := parseArgs(args, out)
	if err == nil && !done {
		err = capture(cfg, out, stderr)
	}
	out.Flush()
	if err != nil {
		var xe *exitError
		if errors.As(err, &xe) {
			if xe.msg != "" {
				fmt.Fprintln(stderr, xe.msg)
			}
			if xe.thrown && cfg != nil && cfg.summary {
				newSummary().print(out)
			}
			return xe.code
		}
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}

// parseArgs reads the command line. done is true when an option such as
// -h or -L has already done all there was to do.
func parseArgs(args []string, out *bufio.Writer) (cfg *config, done bool, err error) {
	opts, words, err := getopt(prog, args, shortOpts, longOpts)
	if err != nil {
		return nil, false, &exitError{msg: err.Error(), code: 1}
	}
	cfg = &config{timeType: 'h'}
	thrown := func(format string, a ...any) (*config, bool, error) {
		e := fail(1, format, a...)
		e.thrown = true
		return cfg, false, e
	}
	setBuf := func(b bufFormat, code int) error {
		if cfg.buf != bufNormal {
			return &exitError{msg: "you cannot specify more than one output format", code: code}
		}
		cfg.buf = b
		return nil
	}
	for _, o := range opts {
		switch o.short {
		case 'A':
			// sysdig exits with success here, and with failure for -x/-X.
			if err := setBuf(bufASCII, 0); err != nil {
				return nil, false, err
			}
		case 'b':
			if err := setBuf(bufBase64, 0); err != nil {
				return nil, false, err
			}
		case 'x':
			if err := setBuf(bufHex, 1); err != nil {
				return nil, false, err
			}
		case 'X':
			if err := setBuf(bufHexASCII, 1); err != nil {
				return nil, false, err
			}
		case 'B':
			// The eBPF probe is the only way syscope captures.
		case 'u':
			return nil, false, unsupported("-u (udig)")
		case 'c':
			if done, err := parseChisel(cfg, o.arg, out); done || err != nil {
				return cfg, done, err
			}
		case 'i':
			return nil, false, unsupported("-i (chisels)")
		case 'w':
			cfg.write = o.arg
		case 'z':
			cfg.compress = true
		case 'C', 'G', 'W':
			n, err := strconv.Atoi(o.arg)
			if err != nil || n <= 0 {
				return thrown("invalid argument for -%c: %s", o.short, o.arg)
			}
			switch o.short {
			case 'C':
				cfg.sizeMB = n
			case 'G':
				cfg.seconds = n
			case 'W':
				cfg.ring = n
			}
		case 'e':
			// strtoul(optarg, NULL, 0), as sysdig: 0 when nothing
			// parses.
			if cfg.events = parseUlong(o.arg); cfg.events == 0 {
				return thrown("invalid parameter 'number of events' %s", o.arg)
			}
		case 'F':
			// sysdig's fatfile mode keeps, in a filtered -w, the
			// events that change state as state-only events: syscope
			// always does.
		case 'D':
			return nil, false, unsupported("-D (debug mode)")
		case 'E':
			// Only matters for live captures and -w: nothing to do.
		case 'd':
			cfg.display = true
		case 'H', 'I':
			return nil, false, unsupported("plugins")
		case 'k', 'K', 'N', 'm':
			return nil, false, unsupported("Kubernetes and Mesos metadata")
		case 'h':
			fmt.Fprintf(out, "%s version %s\n", prog, version)
			out.WriteString(usage)
			return cfg, true, nil
		case 'j':
			cfg.json = true
		case 'l':
			cfg.listFields = true
		case 'L':
			listEvents(out)
			return cfg, true, nil
		case 'M':
			n, _ := strconv.Atoi(o.arg) // atoi, as sysdig
			if n <= 0 {
				return thrown("invalid duration%s", o.arg)
			}
			cfg.duration = int64(n)
		case 'n':
			n, err := parseU64(o.arg)
			if err != nil {
				return thrown("can't parse the -n argument, make sure it's a number")
			}
			if n == 0 {
				return thrown("invalid event count %s", o.arg)
			}
			cfg.count = n
		case 'P':
			cfg.progress = true
		case 'p':
			if o.arg == "p" {
				// -pp prints the default format.
				out.WriteString(defaultFormat + "\n")
				return cfg, true, nil
			}
			cfg.format = o.arg
			switch o.arg {
			case "k", "kubernetes":
				cfg.format = k8sFormat
			case "m", "mesos":
				cfg.format = mesosFormat
			}
		case 'q':
			cfg.quiet = true
		case 'R':
			cfg.portNames = true
		case 'r':
			cfg.files = append(cfg.files, o.arg)
		case 'S':
			cfg.summary = true
		case 's':
			n, err := strconv.Atoi(o.arg)
			if err != nil || n < 0 {
				return thrown("invalid snaplen %s", o.arg)
			}
			cfg.snaplen = n
		case 't':
			switch o.arg {
			case "h", "a", "r", "d", "D":
				cfg.timeType = o.arg[0]
			default:
				return nil, false, fail(1, "invalid modifier for flag -t")
			}
		case 'T':
			return nil, false, unsupported("-T (tracers capture)")
		case 'U':
			cfg.suppress = append(cfg.suppress, o.arg)
		case 'v':
			cfg.verbose = true
		case 0:
			switch o.long {
			case "version":
				fmt.Fprintf(out, "%s version %s\n", prog, version)
				return cfg, true, nil
			case "unbuffered":
				cfg.unbuffered = true
			case "large-environment":
				// Only matters for live captures.
			case "libs-version":
				return nil, false, unsupported("--libs-version")
			case "list-chisels":
				listChisels(out)
				return cfg, true, nil
			case "list-markdown":
				cfg.listMarkdown = true
			case "filter-proclist":
				return nil, false, unsupported("--filter-proclist (writing capture files)")
			case "page-faults":
				cfg.pageFaults = true
			case "cri", "cri-timeout":
				if err := containerFlag(cfg, o.long, o.arg); err != nil {
					return cfg, false, err
				}
			case "plugin-config-file":
				return nil, false, unsupported("plugins")
			}
		}
	}
	cfg.filter = strings.Join(words, " ")
	if cfg.listMarkdown {
		if err := fields.DescribeMarkdown(out); err != nil {
			return nil, false, err
		}
		return cfg, true, nil
	}
	if cfg.listFields {
		// -l lists the fields, with their descriptions under -v.
		if err := fields.Describe(out, cfg.verbose); err != nil {
			return nil, false, err
		}
		return cfg, true, nil
	}
	return cfg, false, nil
}

// parseU64 parses like sinsp_numparser::parseu64, which is
// sscanf(s, "%lu%c") == 1: a decimal number as strtoul reads it, and
// nothing after it.
func parseU64(s string) (uint64, error) {
	v, rest, ok := strtoul(s, false)
	if !ok || rest != "" {
		return 0, errors.New("not a valid number")
	}
	return v, nil
}

// parseUlong parses like C's strtoul(s, NULL, 0): 0 when no number
// starts s.
func parseUlong(s string) uint64 {
	v, _, _ := strtoul(s, true)
	return v
}

// strtoul reads a number at the start of s as C's strtoul does: leading
// white space, an optional sign (a minus negates modulo 2^64), then, with
// anyBase, a hexadecimal number after 0x or 0X or an octal one after 0,
// else a decimal one, up to the first character that is not a digit of
// its base. The largest value on overflow. It returns what follows the
// number, and whether there was one.
func strtoul(s string, anyBase bool) (v uint64, rest string, ok bool) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if r := s[i:]; anyBase && len(r) > 2 && r[0] == '0' && (r[1] == 'x' || r[1] == 'X') && digit(r[2], 16) >= 0 {
		base, i = 16, i+2
	} else if anyBase && len(r) > 0 && r[0] == '0' {
		base = 8 // "0x" with no hexadecimal digit after it is a 0
	}
	over := false
	start := i
	for ; i < len(s); i++ {
		d := digit(s[i], base)
		if d < 0 {
			break
		}
		if v > (math.MaxUint64-uint64(d))/base {
			over = true
		}
		v = v*base + uint64(d)
	}
	switch {
	case i == start:
		return 0, s, false
	case over:
		v = math.MaxUint64
	case neg:
		v = -v
	}
	return v, s[i:], true
}

// digit is the value of c as a digit of base, or -1.
func digit(c byte, base uint64) int {
	var d int
	switch {
	case c >= '0' && c <= '9':
		d = int(c - '0')
	case c >= 'a' && c <= 'z':
		d = int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		d = int(c-'A') + 10
	default:
		return -1
	}
	if uint64(d) >= base {
		return -1
	}
	return d
}

// printerOptions maps the command line to the printer's options.
func printerOptions(cfg *config) (format.Options, error) {
	opt := format.Options{Time: cfg.timeType, Verbose: cfg.verbose, JSON: cfg.json}
	switch cfg.buf {
	case bufASCII:
		opt.Buffer = format.BufASCII
	case bufBase64:
		opt.Buffer = format.BufBase64
	case bufHex:
		opt.Buffer = format.BufHex
	case bufHexASCII:
		opt.Buffer = format.BufHexASCII
	}
	switch cfg.format {
	case "":
	case "c", "container":
		opt.Container = true
	}
	return opt, nil
}

// servicesFile is where -R finds the names of ports, as getservbyport
// does.
const servicesFile = "/etc/services"

// runBytes is how much of a mapped file a plain copy takes in one run.
const runBytes = 1 << 20

// isContainerEvent reports whether c is one of the container events that
// sinsp consumes while it opens a file, as long as they come first.
func isContainerEvent(c event.Code) bool {
	// The enter codes named "container" in the event table: the old
	// event and the two JSON ones. Checked on every event, so no lookup.
	switch c {
	case 228, 272, 324:
		return true
	}
	return false
}

// capture reads the trace file, or the live system when there is none,
// and prints its events.
func capture(cfg *config, out *bufio.Writer, stderr io.Writer) error {
	if len(cfg.files) > 1 {
		return unsupported("reading more than one file")
	}
	var sum *summary
	if cfg.summary {
		// sysdig prints the summary at its very end, after an error too.
		sum = newSummary()
		defer func() {
			out.Flush()
			sum.print(out)
		}()
	}
	opt, err := printerOptions(cfg)
	if err != nil {
		return err
	}
	if len(cfg.files) == 0 {
		return process(cfg, opt, "live capture", nil, out, stderr, sum)
	}
	name := cfg.files[0]
	f, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fail(1, "%s: %s: %v", prog, name, err)
	}
	defer f.Close()
	return process(cfg, opt, name, f, out, stderr, sum)
}

// process reads a trace file from r and prints its events (or writes
// them, with -w); name is what error messages call the file.
func process(cfg *config, opt format.Options, name string, r io.Reader, out *bufio.Writer, stderr io.Writer, sum *summary) (err error) {
	st := state.New()
	if cfg.portNames {
		// Before the file's fd lists, whose sockets are named as they
		// are read.
		st.SetPortNames(event.LoadPortNames(servicesFile))
	}
	pr := format.NewPrinter(out, st, opt)
	defer pr.Flush()
	start := cpuTime()

	// The filter is compiled before the file is opened, so a typo costs
	// nothing and prints nothing.
	var flt *filter.Filter
	if cfg.filter != "" {
		f, err := filter.Compile(cfg.filter)
		if err != nil {
			return fail(1, "%v", err)
		}
		flt = f
	}
	// After the filter, before the file, as sysdig adds them.
	sup, err := newSuppressor(cfg.suppress)
	if err != nil {
		return err
	}
	// A filter on the identity of the event's thread alone gives the
	// same verdict for all of its events until that identity changes.
	byThread := flt != nil && threadOnly(cfg.filter)
	var pf *fields.Formatter
	switch cfg.format {
	case "", "c", "container":
	default:
		f, err := fields.NewFormat(fields.Unescape(cfg.format), fields.FormatOptions{JSON: cfg.json})
		if err != nil {
			var fe *fields.FormatError
			if errors.As(err, &fe) {
				return fail(1, "%s", fe.Msg)
			}
			return fail(1, "%v", err)
		}
		pf = f
	}
	var w *captureWriter
	if cfg.write != "" {
		w = newCaptureWriter(cfg, st)
	}

	ck := newChisel(cfg, st, r == nil)
	cp := fields.NewCapture()
	var sink scap.Sink = cp.Sink(st.Sink())
	if w != nil {
		w.rec.Next = sink
		sink = w.rec
	}
	stop := stopOnSignal()
	defer stop.release()
	var rd eventSource
	var file *scap.Reader
	var live *liveSource
	// countReached: the loop stopped at -n's count, and wants nothing
	// more from the probe.
	countReached := false
	var stopTimer *time.Timer
	defer func() {
		if stopTimer != nil {
			stopTimer.Stop()
		}
	}()
	var meter *progress
	if r == nil {
		if cfg.progress {
			return fail(1, "the -P flag cannot be used with live captures.")
		}
		l, err := openLive(cfg, flt, sink, sup, stderr)
		if err != nil {
			return fail(1, "%s: %v", prog, err)
		}
		live, rd = l, l
		// After the loop, the file closed, and on any error too.
		defer func() {
			reportLive(stderr, live.close(), cfg.verbose, countReached)
			if sup != nil && cfg.verbose {
				fmt.Fprintf(stderr, "Suppressed by Comm:%d\n", sup.n)
			}
		}()
		// A live capture does not stop at the signal: the signal stops
		// the probe, and the loop goes on until it has read what the
		// probe built.
		stop.setOnStop(live.interrupt)
	} else {
		sr, oerr := scap.NewReader(r, sink)
		if oerr != nil {
			return fail(1, "%s: %s: %v", prog, name, oerr)
		}
		defer sr.Close()
		file = sr
		// sysdig shows how far it has read with -P, and always when it
		// writes what it reads.
		if f, ok := r.(*os.File); ok && (cfg.progress || cfg.write != "") {
			meter = newProgress(stderr, f, sr.InputOffset)
			// After an error too, so that its message starts a line.
			defer meter.end()
		}
		if sr.Mapped() {
			// A file cut short while it is read (a capture started
			// again under the same name) faults where its pages
			// were: that ends the reading with an error, after the
			// events before, rather than crashing.
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(interface{ Addr() uintptr }); !ok {
						panic(r)
					}
					err = fail(1, "%s: %s: offset %d: the file was cut short while it was read", prog, name, sr.Offset())
				}
			}()
		}
		if flt != nil && !cfg.display {
			if skim := skimSet(flt, cfg); skim != nil {
				sr.Skim(skim)
			}
		}
		if plainCopy(cfg) {
			// Nobody reads a parameter: events are copied as they are.
			sr.SkimAll()
		}
		rd = sr
	}
	if flt != nil && !cfg.display {
		st.SetCaptureFilter(true)
	}
	var ctx fields.Ctx
	ctx.R = pr.Renderer()
	printing := w == nil && !cfg.quiet && ck == nil
	// The fields' bookkeeping (latency, last fd, first event's time)
	// serves -p and filters on other fields than identities.
	needFields := pf != nil || flt != nil && !byThread
	// What sinsp keeps of each thread's last event (latency, last fd)
	// only matters to some fields; without them, the fields' bookkeeping
	// is the time of the first event.
	lastEvents := ck != nil || readsLastEvent(cfg, pf)
	// A plain copy (-w without a filter or rotation) copies events as
	// they are: nothing reads the state, so it is not kept.
	needState := ck != nil || !plainCopy(cfg)
	// An event that a thread-only filter rejects by its thread's verdict
	// needs no more than the rejection when nobody else looks at it: no
	// writer, chisel or field bookkeeping.
	quickReject := byThread && w == nil && ck == nil && !needFields
	var fp *formatPrinter
	if pf != nil {
		fp = &formatPrinter{pf: pf, pr: pr, cp: cp, st: st, ctx: &ctx}
	}
	// Printing every event of a file with -p, and nothing else, takes
	// a loop of its own too.
	var plain *formatLoop
	if fp != nil && flt == nil && file != nil && printing && needState && cfg.count == 0 && cfg.duration == 0 && sum == nil && !cfg.unbuffered && sup == nil {
		plain = &formatLoop{rd: file, fp: fp, lastEvents: lastEvents}
	}
	// noThread is the verdict of a thread-only filter for an event
	// without a thread, as Thread.Memo keeps one for a thread.
	noThread := uint64(1)
	// The events of a file that a thread-only filter rejects by their
	// thread's still valid verdict take a loop of their own, which does
	// nothing else.
	var quick *quickRejecter
	if quickReject && !cfg.display && needState && sup == nil {
		quick = &quickRejecter{rd: rd, file: file, st: st, pr: pr, note: printing, noThread: &noThread}
	}

	// n counts the events sysdig's loop sees: not the state-only ones,
	// nor the container events a file starts with, which sinsp consumes
	// while opening it, nor those the filter drops. -n and -S count these,
	// internal events included.
	var n uint64
	var firstTS uint64
	started := false
	section := rd.Sections()
	// restarted is set from the start of a section after the first until
	// its first event other than a container event; uncounted is the
	// number of events sinsp has not counted in the sections so far.
	restarted := false
	var uncounted uint64
	limit := uint64(cfg.duration) * uint64(time.Second)
	var readErr error
	// seen counts the events read, for the progress meter.
	var seen uint64
	// A plain copy with nothing to count takes the events' blocks as
	// they are, when the writer would write the same bytes.
	fast := file != nil && plainCopy(cfg) && cfg.count == 0 && cfg.duration == 0 && sum == nil && !cfg.verbose
	var runStop []bool
	if fast {
		// Container events go one by one: the writer keeps them for
		// the files a rotation opens.
		runStop = make([]bool, event.NumCodes())
		for c := range runStop {
			runStop[c] = isContainerEvent(event.Code(c))
		}
	}
	for fast && !stop.requested() {
		if w.running() {
			// Runs of event blocks as they are, straight from a mapped
			// file, once the file is open and its metadata written.
			if run, k := file.NextRun(runBytes, runStop); k > 0 {
				if err := w.eventRun(run, k); err != nil {
					return fail(1, "%s: %v", prog, err)
				}
				seen += uint64(k)
				meter.tick(seen)
				continue
			}
		}
		ev, blk, err := file.NextBlock()
		seen++
		meter.tick(seen)
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		if err := w.eventBlock(ev, true, blk); err != nil {
			return fail(1, "%s: %v", prog, err)
		}
	}
	for !fast && (live != nil || !stop.requested()) {
		if cfg.count != 0 && n == cfg.count {
			countReached = true
			break
		}
		var ev *event.Event
		var err error
		// parsed: the quick loop has resolved and parsed ev, and
		// given it to the printer, before it found it could not
		// reject it.
		parsed := false
		if quick != nil && !restarted {
			var took int
			ev, took, parsed, err = quick.run(uncounted, section)
			if took > 0 {
				started = true
			}
			seen += uint64(took)
			meter.tick(seen)
			if ev == nil && err == nil {
				continue // a pause, for the checks above
			}
		} else if plain != nil && !restarted {
			var took int
			ev, took, err = plain.run(uncounted, section)
			if took > 0 {
				started = true
				n += plain.counted
			}
			seen += uint64(took)
			meter.tick(seen)
			if plain.failed != nil {
				return plain.failed
			}
			if ev == nil && err == nil {
				continue // a pause, for the checks above
			}
		} else {
			ev, err = rd.Next()
			seen++
			meter.tick(seen)
		}
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		if sup != nil {
			// libscap drops these before sinsp sees or numbers them.
			drop, err := sup.suppressed(ev)
			if err != nil {
				readErr = err
				break
			}
			if drop {
				uncounted++
				continue
			}
		}
		if rd.Sections() != section {
			// A file made of several captures: sinsp restarts at each
			// new section, consuming the container events it begins
			// with again, but without counting them this time.
			section = rd.Sections()
			started = false
			restarted = true
			pr.Restart()
			cp.Restart()
		}
		if ev.Type == event.CodeUserStack {
			// syscope's own event, which sysdig's reader skips: kept
			// and given to the chisel, never counted nor printed.
			uncounted++
			if err := ownEvent(ev, w, ck); err != nil {
				return fail(1, "%s: %v", prog, err)
			}
			continue
		}
		isCtr := isContainerEvent(ev.Type)
		if !isCtr {
			restarted = false
		}
		if restarted {
			uncounted++
		}
		if !parsed {
			ev.Num -= uncounted
		}
		// sysdig runs the command's filter on an event that does not
		// modify state between resolving its thread and fd and parsing
		// it, and parses only what it lets through.
		early := needState && flt != nil && !cfg.display && state.FilteredBeforeParse(ev)
		if needState && !parsed {
			st.Resolve(ev)
			if !early {
				st.Parse(ev)
			}
		}
		// The printer and the fields keep their own account of every
		// event; a run that prints nothing, or reads no field, skips it.
		if printing && !parsed {
			if pf != nil {
				// -p prints through the fields, which keep their own
				// account: the printer only needs to know the event
				// was read.
				pr.Note(ev)
			} else {
				pr.Observe(ev)
			}
		}
		if needFields {
			if lastEvents {
				cp.Observe(ev, st)
			} else {
				cp.ObserveTime(ev)
			}
		}
		if !isCtr {
			started = true
		}
		matched := true
		if flt != nil {
			// A thread-only filter's verdict holds while the state's
			// generation does: kept in the thread (Thread.Memo), or
			// in noThread for the events without one, most events
			// skip the filter.
			th := pr.Thread(ev)
			var memo *uint64
			if byThread && !isCtr && th != nil {
				memo = &th.Memo
			}
			g := st.Gen() << 1
			if memo == nil || *memo&^1 != g {
				cp.Fill(&ctx, ev, st, th)
				if byThread && !isCtr && ctx.Th == nil {
					memo = &noThread
				}
			}
			if memo != nil && *memo&^1 == g {
				matched = *memo&1 != 0
			} else {
				matched = flt.Match(&ctx)
				if memo != nil {
					*memo = g
					if matched {
						*memo |= 1
					}
				}
			}
		}
		if early && matched {
			st.Parse(ev)
		}
		if !matched && flt != nil && !cfg.display {
			// sysdig filters before parsing: a rejected enter event
			// leaves its exit unpaired.
			st.Reject(ev)
			cp.Reject(ev)
		}
		if w != nil {
			if err := w.event(ev, matched); err != nil {
				return fail(1, "%s: %v", prog, err)
			}
		}
		if ev.Flags&event.FlagStateOnly != 0 || (isCtr && !started) {
			continue
		}
		if !matched && !cfg.display {
			continue
		}
		if firstTS == 0 {
			firstTS = ev.TS
			if live != nil && limit > 0 {
				// Live, -M stops the probe when the time is up and
				// the loop reads what it built until then, as on a
				// signal: nothing it built is lost.
				stopTimer = time.AfterFunc(time.Until(time.Unix(0, int64(firstTS+limit))), func() { live.p.Stop() })
			}
		} else if limit > 0 && live == nil && ev.TS-firstTS >= limit {
			break
		}
		if ck != nil {
			ck.Observe(ev)
		}
		n++
		if sum != nil {
			sum.count(ev)
		}
		if cfg.quiet || w != nil || !matched || ck != nil {
			continue
		}
		if pf != nil {
			if err := fp.print(ev); err != nil {
				return err
			}
		} else if err := pr.Print(ev); err != nil {
			return err
		}
		// sysdig flushes after each event with -j too (and, through
		// endl, after every line): that changes when bytes are written,
		// never which, so syscope only does it when asked to.
		if cfg.unbuffered {
			if err := pr.Flush(); err != nil {
				return err
			}
			if err := out.Flush(); err != nil {
				return err
			}
		}
	}
	if err := pr.Flush(); err != nil {
		return err
	}
	if meter != nil {
		// The events printed, then the progress's last word.
		if err := out.Flush(); err != nil {
			return err
		}
		meter.end()
	}
	if w != nil {
		if err := w.close(); err != nil {
			return fail(1, "%s: %v", prog, err)
		}
	}
	if ck != nil {
		if err := ck.Report(out); err != nil {
			return err
		}
	}
	if readErr != nil {
		return fail(1, "%s: %s: %v", prog, name, readErr)
	}
	if live != nil {
		return nil // reportLive says what the probe counted
	}
	if cfg.verbose {
		d := cpuTime() - start
		var suppressed uint64
		if sup != nil {
			suppressed = sup.n
		}
		fmt.Fprintf(stderr, "Driver Events:0\nDriver Drops:0\nSuppressed by Comm:%d\n", suppressed)
		fmt.Fprintf(stderr, "Elapsed time: %.3f, Captured Events: %d, %s eps\n", d, n, cFloat(float64(n)/d))
	}
	return nil
}

// cFloat formats v as printf's "%.2lf" does, infinities and NaN included.
func cFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "-nan" // 0.0/0.0 on x86-64 is a negative NaN
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// cpuTime is the processor time used so far, in seconds, as sysdig's
// clock() measures its elapsed time.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// identityFields are the fields whose values depend on the event's thread
// and on nothing else that changes while state.State.Gen stays the same:
// the thread's names, ids, command line, user and container.
var identityFields = map[string]bool{
	"proc.pid": true, "proc.sid": true, "proc.vpgid": true, "proc.tty": true,
	"proc.name": true, "proc.exe": true, "proc.exepath": true, "proc.args": true,
	"proc.cmdline": true, "proc.exeline": true,
	"user.uid": true, "user.name": true, "user.homedir": true, "user.shell": true,
	"container.id": true, "container.name": true, "container.image": true,
}

// threadOnly reports whether every field the filter expr checks is one
// of identityFields, so that its verdict for an event follows from the
// event's thread alone.
func threadOnly(expr string) bool {
	return everyField(expr, func(name string) bool { return identityFields[name] })
}

// everyField reports whether ok holds for every field the filter expr
// checks; false for a filter that does not parse.
func everyField(expr string, ok func(name string) bool) bool {
	x, err := filter.Parse(expr)
	if err != nil {
		return false
	}
	var walk func(x filter.Expr) bool
	walk = func(x filter.Expr) bool {
		switch x := x.(type) {
		case *filter.BinaryExpr:
			for _, y := range x.X {
				if !walk(y) {
					return false
				}
			}
			return true
		case *filter.NotExpr:
			return walk(x.X)
		case *filter.ParenExpr:
			return walk(x.X)
		case *filter.CheckExpr:
			return ok(x.Field.Name)
		}
		return false
	}
	return walk(x)
}

// readsLastEvent reports whether a field of the run's filter or -p format
// reads what sinsp keeps of each thread's last event.
func readsLastEvent(cfg *config, pf *fields.Formatter) bool {
	if cfg.filter != "" && !everyField(cfg.filter, func(name string) bool { return !fields.ReadsLastEvent(name) }) {
		return true
	}
	if pf != nil {
		for _, name := range pf.Fields() {
			if fields.ReadsLastEvent(name) {
				return true
			}
		}
	}
	return false
}

// skimSet is the set of event codes whose parameters nobody asks for in
// this run, for scap.Reader.Skim: the codes the filter can never match,
// with the other event of their enter/exit pair, that the state engine
// does not parse either. Such events are still read, counted and given
// to the state, the printer and the fields' bookkeeping, which need their
// times and threads, not their parameters, with one exception: fd.num
// of an event without fd is the thread's last fd, which an enter event
// with an fd sets from its first parameter; a run that asks for fd.num
// skims nothing. Nil: skim nothing.
func skimSet(flt *filter.Filter, cfg *config) []bool {
	set, all := flt.EventTypes()
	if all || strings.Contains(cfg.filter, "fd.num") || strings.Contains(cfg.format, "fd.num") {
		return nil
	}
	skim := make([]bool, len(set))
	any := false
	for c := range set {
		pair := c ^ 1
		if set[c] || pair >= len(set) || set[pair] || state.Needs(event.Code(c)) {
			continue
		}
		skim[c] = true
		any = true
	}
	if !any {
		return nil
	}
	return skim
}

// plainCopy reports whether the run copies events as they are: -w
// without a filter or rotation.
func plainCopy(cfg *config) bool {
	return cfg.write != "" && cfg.filter == "" && cfg.sizeMB == 0 && cfg.seconds == 0 && cfg.events == 0 && cfg.chisel == "" && len(cfg.suppress) == 0
}
