package fields

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/state"
)

// Event codes the evt fields look for (libs' PPME_* values, the same in
// 0.29.3 and later tables).
const (
	codeGenericE       = 0
	codeGenericX       = 1
	codeOpenE          = 2
	codeOpenX          = 3
	codeSocketE        = 18
	codeConnectX       = 23
	codeAcceptE        = 26
	codeAcceptX        = 27
	codeAccept4E       = 56
	codeAccept4X       = 57
	codeCreatE         = 58
	codeCreatX         = 59
	codePipeE          = 60
	codeEventfdE       = 62
	codePollE          = 80
	codePollX          = 81
	codeOpenatE        = 102
	codeOpenatX        = 103
	codeLinkatE        = 106
	codeUnlinkatE      = 110
	codeSignalfdE      = 126
	codeTimerfdE       = 136
	codeInotifyInitE   = 138
	codeSchedSwitch1E  = 146
	codeSchedSwitch6E  = 152
	codeRenameatX      = 177
	codeSymlinkatX     = 181
	codeProcInfoE      = 234
	codeAccept5E       = 246
	codeAccept5X       = 247
	codeAccept45E      = 248
	codeAccept45X      = 249
	codePPollE         = 254
	codePPollX         = 255
	codeContainerE     = 272
	codeInfraE         = 286
	codeUnlinkat2X     = 303
	codeMkdiratX       = 305
	codeOpenat_2E      = 306
	codeOpenat_2X      = 307
	codeLinkat2X       = 311
	codeFchmodatX      = 313
	codeRenameat2X     = 319
	codePluginE        = 322
	codeContainer2E    = 324
	codeOpenat2E       = 326
	codeOpenat2X       = 327
	codeCopyFileRangeX = 333
)

// ONE_SECOND_IN_NS.
const sec = 1000000000

func init() {
	g := getters
	g["evt.num"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = c.Ev.Num; return true }
	g["evt.time"] = getTime(false, true)
	g["evt.time.s"] = getTime(false, false)
	g["evt.datetime"] = getTime(true, true)
	g["evt.datetime.s"] = getTime(true, false)
	g["evt.time.iso8601"] = func(x *extractor, c *Ctx, v *Value) bool {
		t := time.Unix(int64(c.Ev.TS/sec), 0).UTC()
		b := t.AppendFormat(x.buf[:0], "2006-01-02T15:04:05")
		b = append(b, '.')
		b = format.AppendZeroPadded(b, c.Ev.TS%sec, 9)
		b = append(b, "+0000"...)
		x.buf, v.Str = b, b
		return true
	}
	g["evt.rawtime"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = c.Ev.TS; return true }
	g["evt.rawtime.s"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = c.Ev.TS / sec; return true }
	g["evt.rawtime.ns"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = c.Ev.TS % sec; return true }
	g["evt.reltime"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = c.Ev.TS - firstTS(c); return true }
	g["evt.reltime.s"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = (c.Ev.TS - firstTS(c)) / sec; return true }
	g["evt.reltime.ns"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = (c.Ev.TS - firstTS(c)) % sec; return true }

	// Events from plugins: syscope loads none, so these have no value.
	g["evt.pluginname"] = getNone
	g["evt.plugininfo"] = getNone
	g["evt.latency"] = getLatency(func(l uint64) uint64 { return l })
	g["evt.latency.s"] = getLatency(func(l uint64) uint64 { return l / sec })
	g["evt.latency.ns"] = getLatency(func(l uint64) uint64 { return l % sec })
	g["evt.latency.quantized"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th == nil || internal(c.Ev) || c.Latency == 0 {
			return false
		}
		l := math.Log10(float64(c.Latency))
		if l > 11 {
			l = 11
		}
		// sinsp scales by g_screen_w, -1 in sysdig.
		q := l * -1 / 11
		v.Uint = uint64(int64(q)) + 1
		return true
	}
	g["evt.latency.human"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th != nil {
			if internal(c.Ev) {
				return false
			}
			x.buf = appendNiceTime(x.buf[:0], c.Latency)
		}
		// Without a thread, sinsp returns its string unchanged.
		v.Str = x.buf
		return true
	}
	g["evt.deltatime"] = getDelta(func(d uint64) uint64 { return d })
	g["evt.deltatime.s"] = getDelta(func(d uint64) uint64 { return d / sec })
	g["evt.deltatime.ns"] = getDelta(func(d uint64) uint64 { return d % sec })
	g["evt.outputtime"] = getOutputTime
	g["evt.dir"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Ev.Type.IsEnter() {
			str(v, ">")
		} else {
			str(v, "<")
		}
		return true
	}
	g["evt.type"] = func(x *extractor, c *Ctx, v *Value) bool {
		str(v, typeName(c.Ev))
		return true
	}
	g["evt.type.is"] = func(x *extractor, c *Ctx, v *Value) bool {
		t := int64(c.Ev.Type)
		if t == x.arg.num || t == x.arg.num2 {
			v.Uint = 1
		}
		return true
	}
	g["syscall.type"] = func(x *extractor, c *Ctx, v *Value) bool {
		t := c.Ev.Type
		// sinsp tests the flags against EC_INTERNAL, the value of
		// EF_SKIPPARSERESET.
		if t == codeSchedSwitch6E || event.Flags029(t)&event.Flags(event.CatInternal) != 0 {
			return false
		}
		str(v, typeName(c.Ev))
		return true
	}
	g["evt.category"] = func(x *extractor, c *Ctx, v *Value) bool {
		str(v, categoryName(c))
		return true
	}
	g["evt.cpu"] = func(x *extractor, c *Ctx, v *Value) bool { v.Int = int64(int16(c.Ev.CPU)); return true }
	g["evt.args"] = func(x *extractor, c *Ctx, v *Value) bool {
		x.buf = x.renderer(c).AppendInfo(x.buf[:0], c.Ev, c.Th)
		v.Str = x.buf
		return true
	}
	g["evt.info"] = func(x *extractor, c *Ctx, v *Value) bool {
		if b, ok := syslogInfo(x.buf[:0], c); ok {
			x.buf, v.Str = b, b
			return true
		}
		x.buf = x.renderer(c).AppendInfo(x.buf[:0], c.Ev, c.Th)
		v.Str = x.buf
		return true
	}
	g["evt.arg"] = getArg
	g["evt.rawarg"] = getRawArg
	g["evt.buffer"] = func(x *extractor, c *Ctx, v *Value) bool {
		i := paramIndex(c.Ev, "data")
		if !x.formatting {
			// Filters compare the raw bytes.
			if i < 0 {
				return false
			}
			v.Str = c.Ev.Param(i)
			return true
		}
		if i < 0 {
			// sinsp renders a missing parameter as "(n.a.)" and gives
			// the length of the last buffer it rendered.
			return false
		}
		val, _ := x.renderer(c).Param(c.Ev, c.Th, i)
		x.buf = append(x.buf[:0], val...)
		v.Str = x.buf
		return true
	}
	g["evt.buflen"] = getBuflen(func(c *Ctx) bool { return c.FD != nil && category029(c)&event.CatIORead >= event.CatIORead })
	g["evt.buflen.in"] = getBuflen(func(c *Ctx) bool { return c.FD != nil && category029(c) == event.CatIORead })
	g["evt.buflen.out"] = getBuflen(func(c *Ctx) bool { return c.FD != nil && category029(c) == event.CatIOWrite })
	g["evt.buflen.file"] = getBuflen(func(c *Ctx) bool {
		return c.FD != nil && category029(c)&event.CatIORead >= event.CatIORead && isFile(c.FD)
	})
	g["evt.buflen.file.in"] = getBuflen(func(c *Ctx) bool {
		return c.FD != nil && category029(c) == event.CatIORead && isFile(c.FD)
	})
	g["evt.buflen.file.out"] = getBuflen(func(c *Ctx) bool {
		return c.FD != nil && category029(c) == event.CatIOWrite && isFile(c.FD)
	})
	g["evt.buflen.net"] = getBuflen(func(c *Ctx) bool {
		return c.FD != nil && category029(c)&event.CatIORead >= event.CatIORead && isNet(c.FD)
	})
	g["evt.buflen.net.in"] = getBuflen(func(c *Ctx) bool {
		return c.FD != nil && category029(c) == event.CatIORead && isNet(c.FD)
	})
	g["evt.buflen.net.out"] = getBuflen(func(c *Ctx) bool {
		return c.FD != nil && category029(c) == event.CatIOWrite && isNet(c.FD)
	})
	g["evt.res"] = func(x *extractor, c *Ctx, v *Value) bool {
		i, ok := resParam(c.Ev)
		if !ok {
			return false
		}
		if event.Int(c.Ev.Param(i)) >= 0 {
			str(v, "SUCCESS")
			return true
		}
		val, res := x.renderer(c).Param(c.Ev, c.Th, i)
		if len(res) > 0 {
			val = res
		}
		x.buf = append(x.buf[:0], val...)
		v.Str = x.buf
		return true
	}
	g["evt.rawres"] = func(x *extractor, c *Ctx, v *Value) bool {
		i, ok := resParam(c.Ev)
		if !ok {
			return false
		}
		v.Int = event.Int(c.Ev.Param(i))
		return true
	}
	g["evt.failed"] = func(x *extractor, c *Ctx, v *Value) bool {
		if i, ok := resParam(c.Ev); ok {
			v.Bool = event.Int(c.Ev.Param(i)) < 0
		}
		return true
	}
	g["evt.is_io"] = getFlag(event.FlagReadsFromFD | event.FlagWritesToFD)
	g["evt.is_io_read"] = getFlag(event.FlagReadsFromFD)
	g["evt.is_io_write"] = getFlag(event.FlagWritesToFD)
	g["evt.is_wait"] = getFlag(event.FlagWaits)
	g["evt.io_dir"] = func(x *extractor, c *Ctx, v *Value) bool {
		fl := event.Flags029(c.Ev.Type)
		switch {
		case fl&event.FlagWritesToFD != 0:
			str(v, "write")
		case fl&event.FlagReadsFromFD != 0:
			str(v, "read")
		default:
			return false
		}
		return true
	}
	g["evt.wait_latency"] = func(x *extractor, c *Ctx, v *Value) bool {
		if event.Flags029(c.Ev.Type)&event.FlagWaits == 0 || c.Ev.Type.IsEnter() {
			return false
		}
		if c.Th != nil {
			v.Uint = c.Latency
		}
		return true
	}
	g["evt.is_syslog"] = func(x *extractor, c *Ctx, v *Value) bool {
		v.Bool = event.Flags029(c.Ev.Type)&event.FlagWritesToFD != 0 && c.FD != nil && strings.Contains(c.FD.Name, "/dev/log")
		return true
	}
	g["evt.count"] = func(x *extractor, c *Ctx, v *Value) bool { v.Uint = 1; return true }
	g["evt.count.error"] = func(x *extractor, c *Ctx, v *Value) bool { return errorCount(c, v) }
	g["evt.count.error.file"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.FD != nil {
			if isFile(c.FD) || c.FD.Type == state.FDDirectory {
				return errorCount(c, v)
			}
			return false
		}
		if isOpenX(c.Ev.Type) {
			return errorCount(c, v)
		}
		return false
	}
	g["evt.count.error.net"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.FD != nil {
			if isNet(c.FD) || c.FD.Type == state.FDUnixSock {
				return errorCount(c, v)
			}
			return false
		}
		if isAcceptConnectX(c.Ev.Type) {
			return errorCount(c, v)
		}
		return false
	}
	g["evt.count.error.memory"] = func(x *extractor, c *Ctx, v *Value) bool {
		if category029(c) == event.CatMemory {
			return errorCount(c, v)
		}
		return false
	}
	g["evt.count.error.other"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.FD != nil {
			if !(isFile(c.FD) || c.FD.Type == state.FDDirectory || isNet(c.FD) || c.FD.Type == state.FDUnixSock) {
				return errorCount(c, v)
			}
			return false
		}
		if !(isOpenX(c.Ev.Type) || isAcceptConnectX(c.Ev.Type) || category029(c) == event.CatMemory) {
			return errorCount(c, v)
		}
		return false
	}
	g["evt.count.exit"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Ev.Type.IsEnter() {
			return false
		}
		v.Uint = 1
		return true
	}
	g["evt.count.procinfo"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Ev.Type == codeProcInfoE && c.Th != nil && isMain(c.Th) {
			v.Uint = 1
			return true
		}
		return false
	}
	g["evt.count.threadinfo"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Ev.Type == codeProcInfoE {
			v.Uint = 1
			return true
		}
		return false
	}
	g["evt.around"] = func(x *extractor, c *Ctx, v *Value) bool {
		// sysdig prints nothing for it; filters get the event's time
		// (evt.around[T]=D matches when T is within D ms of it).
		if x.formatting {
			return false
		}
		v.Uint = c.Ev.TS
		return true
	}
	g["util.cnt"] = func(x *extractor, c *Ctx, v *Value) bool {
		x.prevTS++
		v.Uint = x.prevTS
		return true
	}
	g["evt.abspath"] = getAbspath
	g["evt.is_open_read"] = getIsOpen(1)
	g["evt.is_open_write"] = getIsOpen(2)
	g["evt.is_open_exec"] = getIsOpen(3)
	g["evt.infra.docker.name"] = getInfra("Event")
	g["evt.infra.docker.container.id"] = getInfra("ID")
	g["evt.infra.docker.container.name"] = getInfra("name")
	g["evt.infra.docker.container.image"] = getInfra("Image")
}

// renderer returns the Ctx's parameter renderer, or the extractor's own.
func (x *extractor) renderer(c *Ctx) *format.Renderer {
	if c.R != nil {
		return c.R
	}
	if x.r == nil {
		x.r = format.NewRenderer(c.St, format.BufNormal, false, false)
	}
	return x.r
}

func firstTS(c *Ctx) uint64 {
	if c.Cap == nil {
		return 0
	}
	return c.Cap.FirstTS
}

var defaultTZ = func() int {
	_, off := time.Now().Zone()
	return off - off%60
}()

func tzOffset(c *Ctx) int {
	if c.Cap == nil {
		return defaultTZ
	}
	return c.Cap.TZOffset
}

// getTime is sinsp_utils::ts_to_string.
func getTime(date, ns bool) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		x.buf = appendTSString(x.buf[:0], c.Ev.TS, tzOffset(c), date, ns)
		v.Str = x.buf
		return true
	}
}

func appendTSString(b []byte, ts uint64, tz int, date, ns bool) []byte {
	s := (ts/sec + uint64(int64(tz))) % 86400
	if date {
		day := int64(ts/sec) + int64(tz) - int64(s)
		b = time.Unix(day, 0).UTC().AppendFormat(b, "2006-01-02 ")
	}
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s%3600/60)
	b = append(b, ':')
	b = append2(b, s%60)
	if ns {
		b = append(b, '.')
		b = format.AppendZeroPadded(b, ts%sec, 9)
	}
	return b
}

func append2(b []byte, v uint64) []byte {
	if v < 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, v, 10)
}

func internal(e *event.Event) bool { return event.Category029(e.Type)&event.CatInternal != 0 }

func getLatency(f func(uint64) uint64) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th != nil {
			if internal(c.Ev) {
				return false
			}
			v.Uint = f(c.Latency)
		}
		return true
	}
}

// getDelta keeps, like sinsp's filtercheck, the time of the last event it
// saw.
func getDelta(f func(uint64) uint64) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		ts := c.Ev.TS
		if x.prevTS == 0 {
			x.prevTS = ts
			return true
		}
		v.Uint = f(ts - x.prevTS)
		x.prevTS = ts
		return true
	}
}

func getOutputTime(x *extractor, c *Ctx, v *Value) bool {
	ts := c.Ev.TS
	mode := byte('h')
	if c.Cap != nil && c.Cap.Time != 0 {
		mode = c.Cap.Time
	}
	b := x.buf[:0]
	switch mode {
	case 'a':
		b = strconv.AppendUint(b, ts/sec, 10)
		b = append(b, '.')
		b = strconv.AppendUint(b, ts%sec, 10)
	case 'r':
		d := ts - firstTS(c)
		b = strconv.AppendUint(b, d/sec, 10)
		b = append(b, '.')
		b = format.AppendZeroPadded(b, d%sec, 9)
	case 'd':
		if c.Th != nil {
			b = strconv.AppendUint(b, c.Latency/sec, 10)
			b = append(b, '.')
			b = format.AppendZeroPadded(b, c.Latency%sec, 9)
		} else {
			b = append(b, "0.000000000"...)
		}
	case 'D':
		if x.prevTS == 0 {
			x.prevTS = ts
		}
		d := ts - x.prevTS
		b = strconv.AppendUint(b, d/sec, 10)
		b = append(b, '.')
		b = format.AppendZeroPadded(b, d%sec, 9)
		x.prevTS = ts
	default:
		b = appendTSString(b, ts, tzOffset(c), false, true)
	}
	x.buf, v.Str = b, b
	return true
}

// typeName is evt.type: the event's name, or the syscall's for the
// generic events.
func typeName(e *event.Event) string {
	if e.Type == codeGenericE || e.Type == codeGenericX {
		id := event.U16(paddedParam(e, 0, 2))
		if n := event.SyscallName(id); n != "" {
			return n
		}
		return ""
	}
	return e.Name()
}

// paddedParam returns parameter i of e, or, when shorter than n bytes,
// what sinsp reads: the bytes that follow in the event.
func paddedParam(e *event.Event, i, n int) []byte {
	p := e.Param(i)
	if len(p) >= n || p == nil {
		return p
	}
	off := cap(e.Raw) - cap(p)
	if off >= 0 && off+n <= len(e.Raw) {
		return e.Raw[off : off+n]
	}
	var b [8]byte
	copy(b[:], p)
	return b[:n]
}

// category029 is the event's 0.29.3 category, looked up for generic
// events in the syscall table.
func category029(c *Ctx) event.Category {
	e := c.Ev
	if e.Type == codeGenericE || e.Type == codeGenericX {
		id := event.U16(paddedParam(e, 0, 2))
		if int(id) < len(syscallCategories029) {
			return syscallCategories029[id]
		}
		return event.CatUnknown
	}
	return event.Category029(e.Type)
}

// categoryName is evt.category, after sinsp_evt::get_category.
func categoryName(c *Ctx) string {
	cat := category029(c)
	switch cat {
	case event.CatUnknown:
		return "unknown"
	case event.CatOther:
		return "other"
	case event.CatFile:
		return "file"
	case event.CatNet:
		return "net"
	case event.CatIPC:
		return "IPC"
	case event.CatMemory:
		return "memory"
	case event.CatProcess:
		return "process"
	case event.CatSleep:
		return "sleep"
	case event.CatSystem:
		return "system"
	case event.CatSignal:
		return "signal"
	case event.CatUser:
		return "user"
	case event.CatTime:
		return "time"
	case event.CatProcessing:
		return "processing"
	case event.CatIORead, event.CatIOWrite, event.CatIOOther:
		if c.Ev.Type == codeGenericE || c.Ev.Type == codeGenericX || c.FD == nil {
			return "unknown"
		}
		switch c.FD.Type {
		case state.FDFile, state.FDFileV2, state.FDDirectory:
			return "file"
		case state.FDIPv4Sock, state.FDIPv6Sock, state.FDIPv4Server, state.FDIPv6Server:
			return "net"
		case state.FDPipe, state.FDUnixSock, state.FDEvent, state.FDSignalfd, state.FDInotify:
			return "ipc"
		}
		return "unknown"
	case event.CatWait:
		return "wait"
	case event.CatScheduler:
		return "scheduler"
	}
	return "unknown"
}

// paramIndex is the index of e's parameter called name, among those
// sysdig 0.29.3 knows, or -1.
func paramIndex(e *event.Event, name string) int {
	n := format.NumParams(e)
	for i := 0; i < n; i++ {
		if e.Info.Params[i].Name == name {
			return i
		}
	}
	return -1
}

// resParam is the parameter evt.res and friends read: "res", or "fd" for
// the exits of events that create an fd.
func resParam(e *event.Event) (int, bool) {
	if i := paramIndex(e, "res"); i >= 0 {
		return i, true
	}
	if event.Flags029(e.Type)&event.FlagCreatesFD != 0 && !e.Type.IsEnter() {
		if i := paramIndex(e, "fd"); i >= 0 {
			return i, true
		}
	}
	return -1, false
}

func errorCount(c *Ctx, v *Value) bool {
	if i, ok := resParam(c.Ev); ok {
		if event.Int(c.Ev.Param(i)) < 0 {
			v.Uint = 1
			return true
		}
	}
	return false
}

func getFlag(f event.Flags) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		v.Bool = event.Flags029(c.Ev.Type)&f != 0
		return true
	}
}

func getBuflen(cond func(c *Ctx) bool) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		if !cond(c) || c.Ev.Type.IsEnter() {
			return false
		}
		p := c.Ev.Param(0)
		if event.Int(p) < 0 {
			return false
		}
		v.Uint = uint64(event.Int(p))
		return true
	}
}

func isFile(f *state.FD) bool { return f.Type == state.FDFile || f.Type == state.FDFileV2 }

func isNet(f *state.FD) bool { return f.Type >= state.FDIPv4Sock && f.Type <= state.FDIPv6Server }

func isOpenX(t event.Code) bool {
	switch t {
	case codeOpenX, codeCreatX, codeOpenatX, codeOpenat_2X, codeOpenat2X:
		return true
	}
	return false
}

func isAcceptConnectX(t event.Code) bool {
	switch t {
	case codeAcceptX, codeAccept5X, codeAccept4X, codeAccept45X, codeConnectX:
		return true
	}
	return false
}

// isMain is sinsp_threadinfo::is_main_thread.
func isMain(t *state.Thread) bool { return t.TID == t.PID || t.Flags&clIsMainThread != 0 }

// PPM_CL_* flags of a thread.
const (
	clCloneFiles   = 1 << 2
	clIsMainThread = 1 << 14
)

// getArg is evt.arg.NAME and evt.arg[N]: the resolved string of the
// parameter if it has one, else its value.
func getArg(x *extractor, c *Ctx, v *Value) bool {
	e := c.Ev
	var i int
	if x.arg.num >= 0 {
		i = int(x.arg.num)
		if i >= format.NumParams(e) {
			return false
		}
	} else {
		i = paramIndex(e, x.arg.str)
		if i < 0 {
			return false
		}
	}
	x.buf = x.renderer(c).AppendArg(x.buf[:0], e, c.Th, i)
	v.Str = x.buf
	return true
}

// getRawArg is evt.rawarg.NAME: the parameter's raw value.
func getRawArg(x *extractor, c *Ctx, v *Value) bool {
	i := paramIndex(c.Ev, x.arg.str)
	if i < 0 {
		return false
	}
	p := c.Ev.Param(i)
	switch x.kind {
	case KindInt:
		n := map[ptype]int{ptInt8: 1, ptInt16: 2, ptInt32: 4}[x.pt]
		if n == 0 {
			n = 8
		}
		v.Int = signExtend(event.Uint(paddedParam(c.Ev, i, n)), n)
	case KindUint, KindPort, KindRelTime, KindAbsTime:
		n := map[ptype]int{ptUint8: 1, ptUint16: 2, ptPort: 2, ptUint32: 4}[x.pt]
		if n == 0 {
			n = 8
		}
		v.Uint = event.Uint(paddedParam(c.Ev, i, n))
	case KindBool:
		v.Bool = event.Uint(paddedParam(c.Ev, i, 4)) != 0
	case KindDouble:
		v.Float = math.Float64frombits(event.U64(paddedParam(c.Ev, i, 8)))
	case KindIP:
		switch len(p) {
		case 4:
			v.IP = netip.AddrFrom4([4]byte(p))
		case 16:
			v.IP = netip.AddrFrom16([16]byte(p))
		default:
			return false
		}
	default:
		v.Str = p
	}
	return true
}

func signExtend(u uint64, n int) int64 {
	switch n {
	case 1:
		return int64(int8(u))
	case 2:
		return int64(int16(u))
	case 4:
		return int64(int32(u))
	}
	return int64(u)
}

// getIsOpen is evt.is_open_read (1), _write (2) and _exec (3).
func getIsOpen(which int) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		e := c.Ev
		const execMask = 0100 | 010 | 01 // PPM_S_IXUSR|IXGRP|IXOTH
		switch e.Type {
		case codeOpenX, codeOpenatE, codeOpenat_2X, codeOpenat2X:
			newer := e.Type == codeOpenat_2X || e.Type == codeOpenat2X
			fi, mi := 2, 3
			if newer {
				fi, mi = 3, 4
			}
			flags := event.U32(paddedParam(e, fi, 4))
			switch which {
			case 1:
				v.Bool = flags&1 != 0 // PPM_O_RDONLY
			case 2:
				v.Bool = flags&2 != 0 // PPM_O_WRONLY
			case 3:
				if flags&(1<<13|1<<2) != 0 { // PPM_O_TMPFILE, PPM_O_CREAT
					v.Bool = event.U32(paddedParam(e, mi, 4))&execMask != 0
				}
			}
		case codeCreatX:
			if which == 3 {
				v.Bool = event.U32(paddedParam(e, 2, 4))&execMask != 0
			}
		}
		return true
	}
}

// getAbspath is evt.abspath, .src and .dst.
func getAbspath(x *extractor, c *Ctx, v *Value) bool {
	e := c.Ev
	if c.Th == nil {
		return false
	}
	var dirArg, pathArg string
	argid := x.arg.num
	switch e.Type {
	case codeRenameatX, codeRenameat2X:
		if argid == 0 || argid == 1 {
			dirArg, pathArg = "olddirfd", "oldpath"
		} else if argid == 2 {
			dirArg, pathArg = "newdirfd", "newpath"
		}
	case codeSymlinkatX:
		dirArg, pathArg = "linkdirfd", "linkpath"
	case codeOpenatE, codeOpenat_2X, codeOpenat2X:
		dirArg, pathArg = "dirfd", "name"
	case codeLinkatE, codeLinkat2X:
		if argid == 0 || argid == 1 {
			dirArg, pathArg = "olddir", "oldpath"
		} else if argid == 2 {
			dirArg, pathArg = "newdir", "newpath"
		}
	case codeUnlinkatE, codeUnlinkat2X:
		dirArg, pathArg = "dirfd", "name"
	case codeMkdiratX:
		dirArg, pathArg = "dirfd", "path"
	case codeFchmodatX:
		dirArg, pathArg = "dirfd", "filename"
	}
	if dirArg == "" {
		return false
	}
	di, pi := paramIndex(e, dirArg), paramIndex(e, pathArg)
	if di < 0 || pi < 0 {
		return false
	}
	dirfd := event.Int(paddedParam(e, di, 8))
	path := e.Param(pi)
	var dir string
	switch {
	case len(path) > 0 && path[0] == '/':
		dir = "."
	case dirfd == -100: // PPM_AT_FDCWD
		dir = cwd(c, c.Th)
	default:
		f := c.St.FD(c.Th, dirfd)
		if f == nil {
			dir = "<UNKNOWN>/"
		} else {
			dir = f.Name + "/"
		}
	}
	x.buf = concatPaths(x.buf[:0], dir, cstr(path))
	v.Str = x.buf
	return true
}

// cwd is sinsp_threadinfo::get_cwd.
func cwd(c *Ctx, t *state.Thread) string {
	if c.St == nil {
		return t.Cwd
	}
	return c.St.Cwd(t)
}

// getInfra reads the docker infrastructure events' description.
func getInfra(key string) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		if c.Ev.Type != codeInfraE {
			return false
		}
		desc := string(event.CString(c.Ev.Param(2)))
		for _, el := range strings.Split(desc, ";") {
			el = strings.TrimSpace(el)
			if !strings.HasPrefix(el, key) {
				continue
			}
			parts := strings.Split(el, ":")
			if len(parts) < 2 {
				return false
			}
			val := strings.TrimSpace(parts[1])
			switch key {
			case "ID":
				if len(val) > 12 {
					val = val[:12]
				}
			case "Image":
				val = parts[1]
				if i := strings.IndexByte(val, '@'); i >= 0 {
					val = val[:i]
				} else if strings.Contains(val, "sha256") {
					val = el[strings.IndexByte(el, ':')+1:]
				}
				val = strings.TrimSpace(val)
			}
			x.buf = append(x.buf[:0], val...)
			v.Str = x.buf
			return true
		}
		return false
	}
}

// appendNiceTime is sinsp_filter_check_reference::format_time with no
// width: 1.10s, 10ms, 1.05ms, 12us, 1.20us, 800ns, 1:05, 01:02:03.
func appendNiceTime(b []byte, val uint64) []byte {
	u := func(v uint64) []byte { return strconv.AppendUint(b, uint64(uint32(v)), 10) }
	switch {
	case val >= 3600*sec:
		b = appendMin2(b, uint32(val/(3600*sec)))
		b = append(b, ':')
		b = appendMin2(b, uint32(val/(60*sec)%60))
		b = append(b, ':')
		return appendMin2(b, uint32(val/sec%60))
	case val >= 60*sec:
		b = u(val / (60 * sec))
		b = append(b, ':')
		return strconv.AppendUint(b, uint64(uint32(val/sec%60)), 10)
	case val >= sec:
		b = u(val / sec)
		b = append(b, '.')
		b = appendMin2(b, uint32(val%sec/10000000))
		return append(b, 's')
	case val >= sec/100:
		b = u(val / (sec / 1000))
		return append(b, "ms"...)
	case val >= sec/1000:
		b = u(val / (sec / 1000))
		b = append(b, '.')
		b = appendMin2(b, uint32(val%1000000/10000))
		return append(b, "ms"...)
	case val >= sec/100000:
		b = u(val / (sec / 1000000))
		return append(b, "us"...)
	case val >= sec/1000000:
		b = u(val / (sec / 1000000))
		b = append(b, '.')
		b = appendMin2(b, uint32(val%1000/10))
		return append(b, "us"...)
	}
	b = u(val)
	return append(b, "ns"...)
}

// appendMin2 is printf("%.2u") and "%02u": at least two digits.
func appendMin2(b []byte, v uint32) []byte {
	if v < 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, uint64(v), 10)
}

// syslogInfo is what sinsp's syslog decoder shows as evt.info for a
// successful write of a syslog message to /dev/log: "syslog
// sev=SEVERITY msg=MESSAGE"; false when it has nothing to say.
func syslogInfo(dst []byte, c *Ctx) ([]byte, bool) {
	m, ok := decodeSyslog(c)
	if !ok {
		return dst, false
	}
	dst = append(dst, "syslog sev="...)
	dst = append(dst, syslogSeverities[m.pri&7]...)
	dst = append(dst, " msg="...)
	return append(dst, m.msg...), true
}

var syslogSeverities = [8]string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

type syslogMsg struct {
	pri int32
	msg []byte
}

// decodeSyslog is sinsp's syslog decoder, as format.Printer implements
// it: the successful write-type exit of a thread whose fd (from the
// enter event) is named after /dev/log.
func decodeSyslog(c *Ctx) (syslogMsg, bool) {
	e := c.Ev
	if !isWriteExit(e.Type) || c.FD == nil || c.Th == nil || format.NumParams(e) < 2 {
		return syslogMsg{}, false
	}
	if event.Int(paddedParam(e, 0, 8)) < 0 {
		return syslogMsg{}, false
	}
	if !strings.Contains(c.FD.Name, "/dev/log") {
		return syslogMsg{}, false
	}
	data := e.Param(1)
	j := 0
	for 1+j < len(data) && data[1+j] != '>' && data[1+j] != 0 && j < 15 {
		j++
	}
	if len(data) < j+2 || j == 0 {
		return syslogMsg{}, false
	}
	var pri int32
	for _, ch := range data[1 : 1+j] {
		if ch < '0' || ch > '9' {
			return syslogMsg{}, false
		}
		pri = pri*10 + int32(ch-'0')
	}
	return syslogMsg{pri: pri, msg: event.CString(data[j+2:])}, true
}

// isWriteExit: the exits sinsp's parser hands to write decoders (write,
// send, sendto, sendmsg, pwrite, writev, pwritev, sendfile), when 0.29.3
// does not flag them as reads.
func isWriteExit(t event.Code) bool {
	switch t {
	case 9, 29, 31, 49, 115, 119, 123, 189:
		return event.Flags029(t)&event.FlagReadsFromFD == 0
	}
	return false
}

// concatPaths appends sinsp_utils::concatenate_paths(dir, path): path
// after dir unless it is absolute or empty, resolved and sanitized.
func concatPaths(b []byte, dir string, path []byte) []byte {
	base := len(b)
	if len(path) != 0 && path[0] != '/' {
		b = append(b, dir...)
	}
	return state.AppendPath(b, base, path)
}
