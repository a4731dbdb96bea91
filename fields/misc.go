package fields

import (
	"encoding/json"
	"net/netip"
	"path"
	"strconv"
	"sync"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// user, group, container, fdlist and syslog fields.

func init() {
	g := getters
	g["user.uid"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th == nil {
			return false
		}
		v.Uint = uint64(c.Th.UID)
		return true
	}
	user := func(f func(u *state.User) string) getter {
		return func(x *extractor, c *Ctx, v *Value) bool {
			if c.Th == nil || c.St == nil {
				return false
			}
			u := c.St.User(c.Th.UID)
			if u == nil {
				return false
			}
			str(v, f(u))
			return true
		}
	}
	g["user.name"] = user(func(u *state.User) string { return u.Name })
	g["user.homedir"] = user(func(u *state.User) string { return u.Home })
	g["user.shell"] = user(func(u *state.User) string { return u.Shell })
	g["user.loginuid"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th == nil {
			return false
		}
		v.Int = int64(int32(c.Th.LoginUID))
		return true
	}
	g["user.loginname"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th == nil || c.St == nil {
			return false
		}
		u := c.St.User(c.Th.LoginUID)
		if u == nil {
			return false
		}
		str(v, u.Name)
		return true
	}
	g["group.gid"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th == nil {
			return false
		}
		// sinsp reads 8 bytes at the 4-byte gid: the next 4 are the low
		// half of the thread's child count.
		v.Uint = uint64(c.Th.GID) | c.Th.NChilds<<32
		return true
	}
	g["group.name"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th == nil || c.St == nil {
			return false
		}
		gr := c.St.Group(c.Th.GID)
		if gr == nil {
			return false
		}
		str(v, gr.Name)
		return true
	}

	// container fields.
	hostOr := func(f func(x *extractor, ci *state.Container, v *Value) bool, host string) getter {
		return func(x *extractor, c *Ctx, v *Value) bool {
			if c.Th == nil {
				return false
			}
			if c.Th.ContainerID == "" {
				if host == "" {
					return false
				}
				str(v, host)
				return true
			}
			var ci *state.Container
			if c.St != nil {
				ci = c.St.Container(c.Th.ContainerID)
			}
			if ci == nil {
				return false
			}
			return f(x, ci, v)
		}
	}
	nonEmpty := func(get func(ci *state.Container) string) func(x *extractor, ci *state.Container, v *Value) bool {
		return func(x *extractor, ci *state.Container, v *Value) bool {
			s := get(ci)
			if s == "" {
				return false
			}
			str(v, s)
			return true
		}
	}
	g["container.id"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Th == nil {
			return false
		}
		if c.Th.ContainerID == "" {
			str(v, "host")
		} else {
			str(v, c.Th.ContainerID)
		}
		return true
	}
	g["container.name"] = hostOr(nonEmpty(func(ci *state.Container) string { return ci.Name }), "host")
	g["container.image"] = hostOr(nonEmpty(func(ci *state.Container) string { return ci.Image }), "")
	g["container.image.id"] = hostOr(nonEmpty(func(ci *state.Container) string { return ci.ImageID }), "")
	g["container.image.repository"] = hostOr(nonEmpty(func(ci *state.Container) string { return ci.ImageRepo }), "")
	g["container.image.tag"] = hostOr(nonEmpty(func(ci *state.Container) string { return ci.ImageTag }), "")
	g["container.image.digest"] = hostOr(nonEmpty(func(ci *state.Container) string { return ci.ImageDigest }), "")
	g["container.type"] = hostOr(func(x *extractor, ci *state.Container, v *Value) bool {
		if ci.Type >= 0 && ci.Type < len(containerTypes) && containerTypes[ci.Type] != "" {
			str(v, containerTypes[ci.Type])
		} else {
			// sinsp leaves its string as it was.
			v.Str = x.buf
		}
		return true
	}, "host")
	g["container.privileged"] = hostOr(func(x *extractor, ci *state.Container, v *Value) bool {
		// Only the docker-compatible types (docker, cri, containerd,
		// cri-o) know it.
		switch ci.Type {
		case 0, 4, 5, 6:
		default:
			return false
		}
		v.Bool = ci.Privileged
		return true
	}, "")
	g["container.mounts"] = hostOr(func(x *extractor, ci *state.Container, v *Value) bool {
		b := x.buf[:0]
		for i, m := range metaOf(ci).mounts {
			if i > 0 {
				b = append(b, ',')
			}
			b = m.append(b)
		}
		x.buf, v.Str = b, b
		return true
	}, "")
	g["container.mount"] = hostOr(func(x *extractor, ci *state.Container, v *Value) bool {
		m := x.mount(ci, false)
		if m == nil {
			return false
		}
		x.buf = m.append(x.buf[:0])
		v.Str = x.buf
		return true
	}, "")
	mountPart := func(part func(m *mount) string, byDest bool) getter {
		return hostOr(func(x *extractor, ci *state.Container, v *Value) bool {
			m := x.mount(ci, byDest)
			if m == nil {
				return false
			}
			str(v, part(m))
			return true
		}, "")
	}
	g["container.mount.source"] = mountPart(func(m *mount) string { return m.source }, true)
	g["container.mount.dest"] = mountPart(func(m *mount) string { return m.dest }, false)
	g["container.mount.mode"] = mountPart(func(m *mount) string { return m.mode }, false)
	g["container.mount.rdwr"] = mountPart(func(m *mount) string {
		if m.rw {
			return "true"
		}
		return "false"
	}, false)
	g["container.mount.propagation"] = mountPart(func(m *mount) string { return m.propagation }, false)
	probe := func(key string) getter {
		return hostOr(func(x *extractor, ci *state.Container, v *Value) bool {
			for _, p := range metaOf(ci).probes {
				if p.kind == key {
					x.buf = append(x.buf[:0], p.exe...)
					for _, a := range p.args {
						x.buf = append(x.buf, ' ')
						x.buf = append(x.buf, a...)
					}
					v.Str = x.buf
					return true
				}
			}
			str(v, "NONE")
			return true
		}, "")
	}
	g["container.healthcheck"] = probe("Healthcheck")
	g["container.liveness_probe"] = probe("LivenessProbe")
	g["container.readiness_probe"] = probe("ReadinessProbe")

	for _, n := range []string{"fdlist.nums", "fdlist.names", "fdlist.cips", "fdlist.sips", "fdlist.cports", "fdlist.sports"} {
		g[n] = getFDList
	}

	g["syslog.facility.str"] = withSyslog(func(x *extractor, m syslogMsg, v *Value) {
		fac := m.pri >> 3
		if fac >= 0 && int(fac) < len(syslogFacilities) {
			str(v, syslogFacilities[fac])
		} else {
			str(v, "<NA>")
		}
	})
	g["syslog.facility"] = withSyslog(func(x *extractor, m syslogMsg, v *Value) { v.Uint = uint64(uint32(m.pri >> 3)) })
	g["syslog.severity.str"] = withSyslog(func(x *extractor, m syslogMsg, v *Value) { str(v, syslogSeverities[m.pri&7]) })
	g["syslog.severity"] = withSyslog(func(x *extractor, m syslogMsg, v *Value) { v.Uint = uint64(m.pri & 7) })
	g["syslog.message"] = withSyslog(func(x *extractor, m syslogMsg, v *Value) {
		x.buf = append(x.buf[:0], m.msg...)
		v.Str = x.buf
	})
}

// containerTypes are container.type's names by libsinsp's type number;
// sysdig has none for custom (5), static (10) and podman (11).
var containerTypes = []string{"docker", "lxc", "libvirt-lxc", "mesos", "rkt", "", "cri", "containerd", "cri-o", "bpm"}

var syslogFacilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "clock",
	"authpriv", "ftp", "ntp", "logaudit", "logalert", "cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7"}

func withSyslog(f func(x *extractor, m syslogMsg, v *Value)) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		m, ok := decodeSyslog(c)
		if !ok {
			return false
		}
		f(x, m, v)
		return true
	}
}

// mount is one of a container's mounts.
type mount struct {
	source, dest, mode, propagation string
	rw                              bool
}

// append is container_mount_info::to_string.
func (m *mount) append(b []byte) []byte {
	b = append(b, m.source...)
	b = append(b, ':')
	b = append(b, m.dest...)
	b = append(b, ':')
	b = append(b, m.mode...)
	b = append(b, ':')
	b = strconv.AppendBool(b, m.rw)
	b = append(b, ':')
	return append(b, m.propagation...)
}

type healthProbe struct {
	kind string
	exe  string
	args []string
}

// containerMeta is what the container fields read from a container's
// metadata JSON, beyond what the state keeps.
type containerMeta struct {
	mounts []mount
	probes []healthProbe
}

var metaCache sync.Map // *state.Container -> *containerMeta (for its JSON)

type metaEntry struct {
	json []byte
	meta *containerMeta
}

// metaOf parses (once per JSON) a container's mounts and health probes.
func metaOf(ci *state.Container) *containerMeta {
	if e, ok := metaCache.Load(ci); ok {
		me := e.(*metaEntry)
		if len(me.json) == len(ci.JSON) && (len(me.json) == 0 || &me.json[0] == &ci.JSON[0]) {
			return me.meta
		}
	}
	m := &containerMeta{}
	var doc struct {
		Container map[string]json.RawMessage `json:"container"`
	}
	if json.Unmarshal(ci.JSON, &doc) == nil {
		var mounts []struct {
			Source, Destination, Mode, Propagation any
			RW                                     any
		}
		if raw, ok := doc.Container["Mounts"]; ok && json.Unmarshal(raw, &mounts) == nil {
			for _, mt := range mounts {
				s := func(a any) string { v, _ := a.(string); return v }
				rw, _ := mt.RW.(bool)
				m.mounts = append(m.mounts, mount{source: s(mt.Source), dest: s(mt.Destination), mode: s(mt.Mode),
					propagation: s(mt.Propagation), rw: rw})
			}
		}
		for _, key := range []string{"Healthcheck", "LivenessProbe", "ReadinessProbe"} {
			raw, ok := doc.Container[key]
			if !ok {
				continue
			}
			var p struct {
				Exe  any   `json:"exe"`
				Args []any `json:"args"`
			}
			if json.Unmarshal(raw, &p) != nil {
				continue
			}
			exe, ok := jsonString(p.Exe)
			if !ok {
				continue
			}
			hp := healthProbe{kind: key, exe: exe}
			for _, a := range p.Args {
				if s, ok := jsonString(a); ok {
					hp.args = append(hp.args, s)
				}
			}
			m.probes = append(m.probes, hp)
		}
	}
	metaCache.Store(ci, &metaEntry{json: ci.JSON, meta: m})
	return m
}

// jsonString is jsoncpp's isConvertibleTo(stringValue) then asString.
func jsonString(a any) (string, bool) {
	switch v := a.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'g', 17, 64), true
	case nil:
		return "", true
	}
	return "", false
}

// mount finds the mount the argument names: by index, or by a glob on
// the source (or, for container.mount.source, the destination).
func (x *extractor) mount(ci *state.Container, byDest bool) *mount {
	ms := metaOf(ci).mounts
	if x.arg.num >= 0 {
		if x.arg.num < int64(len(ms)) {
			return &ms[x.arg.num]
		}
		return nil
	}
	for i := range ms {
		target := ms[i].source
		if byDest {
			target = ms[i].dest
		}
		if ok, _ := path.Match(x.arg.str, target); ok {
			return &ms[i]
		}
	}
	return nil
}

// getFDList is the fdlist fields, for poll and ppoll events.
func getFDList(x *extractor, c *Ctx, v *Value) bool {
	e := c.Ev
	var p []byte
	switch e.Type {
	case codePollE, codePPollE:
		p = e.Param(0)
	case codePollX, codePPollX:
		p = e.Param(1)
	default:
		return false
	}
	if len(p) < 2 || c.Th == nil {
		return false
	}
	n := int(event.U16(p))
	b := x.buf[:0]
	pos := 2
	name := x.f.Name
	for j := 0; j < n; j++ {
		if pos+8 > len(p) {
			break
		}
		fd := event.Int(p[pos : pos+8])
		var f *state.FD
		if c.St != nil {
			f = c.St.FD(c.Th, fd)
		}
		comma := true
		switch name {
		case "fdlist.nums":
			b = strconv.AppendInt(b, fd, 10)
		case "fdlist.names":
			if f != nil && f.Name != "" {
				b = append(b, f.Name...)
			} else {
				b = append(b, "<NA>"...)
			}
		case "fdlist.cips":
			switch {
			case f != nil && f.Type == state.FDIPv4Sock:
				b = netip.AddrFrom4([4]byte(f.SIP[:4])).AppendTo(b)
			case f != nil && f.Type == state.FDIPv6Sock:
				b = appendInet6(b, f.SIP)
			default:
				comma = false
			}
		case "fdlist.sips":
			switch {
			case f != nil && f.Type == state.FDIPv4Sock:
				b = netip.AddrFrom4([4]byte(f.DIP[:4])).AppendTo(b)
			case f != nil && f.Type == state.FDIPv6Sock:
				b = appendInet6(b, f.DIP)
			case f != nil && f.Type == state.FDIPv4Server:
				b = netip.AddrFrom4([4]byte(f.SIP[:4])).AppendTo(b)
			case f != nil && f.Type == state.FDIPv6Server:
				// sinsp prints the first four bytes as IPv4.
				b = netip.AddrFrom4([4]byte(f.SIP[:4])).AppendTo(b)
			default:
				comma = false
			}
		case "fdlist.cports":
			switch {
			case f != nil && (f.Type == state.FDIPv4Sock || f.Type == state.FDIPv6Sock):
				b = strconv.AppendUint(b, uint64(f.SPort), 10)
			default:
				comma = false
			}
		case "fdlist.sports":
			switch {
			case f != nil && (f.Type == state.FDIPv4Sock || f.Type == state.FDIPv6Sock):
				b = strconv.AppendUint(b, uint64(f.DPort), 10)
			default:
				comma = false
			}
		}
		if comma {
			b = append(b, ',')
		}
		pos += 10
	}
	x.buf = b
	if len(b) == 0 {
		return false
	}
	if b[len(b)-1] == ',' {
		b = b[:len(b)-1]
	}
	v.Str = b
	return true
}
