package main

import (
	"bufio"
	"encoding/binary"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/format"
)

// listEvents prints the event types as sysdig 0.29.3's -L does: every code
// below its PPM_EVENT_MAX that is neither unused, nor an old version, nor
// internal, as "> name(TYPE param, ...)".
func listEvents(w *bufio.Writer) {
	for c := event.Code(0); event.KnownTo029(c); c++ {
		if event.Flags029(c)&(event.FlagUnused|event.FlagOldVersion) != 0 ||
			event.Category029(c)&event.CatInternal != 0 {
			continue
		}
		info := event.Lookup(c)
		if info == nil {
			continue
		}
		w.WriteByte(c.DirChar())
		w.WriteByte(' ')
		w.WriteString(info.Name)
		w.WriteByte('(')
		for i, p := range params029(c, info) {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(paramTypeName(p.Type))
			w.WriteByte(' ')
			w.WriteString(p.Name)
		}
		w.WriteString(")\n")
	}
}

// params029 returns the parameters sysdig 0.29.3 gives code c: the table
// lists them first, followed by any that libs added since. How many were
// 0.29.3's, format.NumParams tells of an event: ask it about a made-up
// event of type c carrying every parameter, all empty.
func params029(c event.Code, info *event.Info) []event.Param {
	n := len(info.Params)
	lsize := 2
	if info.Flags&event.FlagLargePayload != 0 {
		lsize = 4
	}
	raw := make([]byte, event.HeaderLen+n*lsize)
	binary.LittleEndian.PutUint32(raw[16:], uint32(len(raw)))
	binary.LittleEndian.PutUint16(raw[20:], uint16(c))
	binary.LittleEndian.PutUint32(raw[22:], uint32(n))
	var e event.Event
	if err := e.Decode(raw); err != nil {
		return info.Params
	}
	return info.Params[:format.NumParams(&e)]
}

// paramTypeName is libsinsp's param_type_to_string of sysdig 0.29.3.
func paramTypeName(t event.ParamType) string {
	switch t {
	case event.PTNone:
		return "NONE"
	case event.PTInt8:
		return "INT8"
	case event.PTInt16:
		return "INT16"
	case event.PTInt32:
		return "INT32"
	case event.PTInt64:
		return "INT64"
	case event.PTUint8:
		return "UINT8"
	case event.PTUint16:
		return "UINT16"
	case event.PTUint32:
		return "UINT32"
	case event.PTUint64:
		return "UINT64"
	case event.PTCharBuf:
		return "CHARBUF"
	case event.PTByteBuf:
		return "BYTEBUF"
	case event.PTErrno:
		return "ERRNO"
	case event.PTSockAddr:
		return "SOCKADDR"
	case event.PTSockTuple:
		return "SOCKTUPLE"
	case event.PTFD:
		return "FD"
	case event.PTPID:
		return "PID"
	case event.PTFDList:
		return "FDLIST"
	case event.PTFSPath:
		return "FSPATH"
	case event.PTSyscallID:
		return "SYSCALLID"
	case event.PTSigType:
		return "SIGTYPE"
	case event.PTRelTime:
		return "RELTIME"
	case event.PTAbsTime:
		return "ABSTIME"
	case event.PTPort:
		return "PORT"
	case event.PTL4Proto:
		return "L4PROTO"
	case event.PTSockFamily:
		return "SOCKFAMILY"
	case event.PTBool:
		return "BOOL"
	case event.PTIPv4Addr:
		return "IPV4ADDR"
	case event.PTIPAddr:
		return "IPADDR"
	case event.PTIPNet:
		return "IPNET"
	case event.PTDyn:
		return "DYNAMIC"
	case event.PTFlags8:
		return "FLAGS8"
	case event.PTFlags16:
		return "FLAGS16"
	case event.PTFlags32:
		return "FLAGS32"
	case event.PTMode:
		return "MODE"
	case event.PTUID:
		return "UID"
	case event.PTGID:
		return "GID"
	case event.PTSigSet:
		return "SIGSET"
	case event.PTIPv4Net:
		return "IPV4NET"
	case event.PTDouble:
		return "DOUBLE"
	case event.PTCharBufArray:
		return "CHARBUFARRAY"
	case event.PTCharBufPairArray:
		return "CHARBUF_PAIR_ARRAY"
	case event.PTFSRelPath:
		return "FSRELPATH"
	}
	return "<NA>"
}
