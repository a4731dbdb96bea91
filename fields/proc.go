package fields

import (
	"math"
	"strconv"
	"strings"

	"github.com/syscope/syscope/state"
)

// thread fields: sinsp_filter_check_thread. Every field but thread.tid,
// thread.exectime and thread.totexectime needs the event's thread.

func init() {
	g := getters
	th := func(f func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool) getter {
		return func(x *extractor, c *Ctx, v *Value) bool {
			if c.Th == nil {
				return false
			}
			return f(x, c, c.Th, v)
		}
	}
	g["thread.tid"] = func(x *extractor, c *Ctx, v *Value) bool { v.Int = c.Ev.TID; return true }
	g["proc.pid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Int = t.PID; return true })
	g["proc.sid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Int = t.SID; return true })
	g["proc.vpgid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Int = t.VPGID; return true })
	g["proc.tty"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Int = int64(int32(t.Tty)); return true })
	g["proc.name"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { str(v, t.Comm); return true })
	g["proc.exe"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { str(v, t.Exe); return true })
	g["proc.exepath"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { str(v, t.ExePath); return true })
	g["proc.args"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		x.buf = appendJoined(x.buf[:0], t.Args)
		v.Str = x.buf
		return true
	})
	g["proc.env"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		// sinsp_threadinfo::get_env: a thread's environment is its
		// main thread's (its own when that is unknown).
		env := t.Env
		if m := mainThread(c, t); m != nil {
			env = m.Env
		}
		// sinsp's set_env stops where the rest of the buffer is NULs.
		for len(env) > 0 && env[len(env)-1] == "" {
			env = env[:len(env)-1]
		}
		x.buf = appendJoined(x.buf[:0], env)
		v.Str = x.buf
		return true
	})
	g["proc.cmdline"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		x.buf = appendCmdline(x.buf[:0], t)
		v.Str = x.buf
		return true
	})
	g["proc.exeline"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		b := append(x.buf[:0], t.Exe...)
		b = append(b, ' ')
		x.buf = appendJoined(b, t.Args)
		v.Str = x.buf
		return true
	})
	g["proc.cwd"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { str(v, cwd(c, t)); return true })
	g["proc.nthreads"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		m := mainThread(c, t)
		if m == nil {
			return false
		}
		v.Uint = m.NChilds + 1
		return true
	})
	g["proc.nchilds"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		v.Uint = t.NChilds
		return true
	})
	g["thread.ismain"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Bool = isMain(t); return true })
	g["thread.exectime"] = func(x *extractor, c *Ctx, v *Value) bool {
		if c.Ev.Type == codeSchedSwitch1E || c.Ev.Type == codeSchedSwitch6E {
			v.Uint = x.exectime(c)
		}
		return true
	}
	g["thread.totexectime"] = func(x *extractor, c *Ctx, v *Value) bool {
		var d uint64
		if c.Ev.Type == codeSchedSwitch1E || c.Ev.Type == codeSchedSwitch6E {
			d = x.exectime(c)
		}
		if c.Th == nil {
			return false
		}
		if c.Ev.Type == codeContainerE || c.Ev.Type == codeContainer2E {
			// The made-up thread of a container event has no room for
			// the total: sinsp throws.
			x.bad = "invalid thread state ID" + strconv.Itoa(x.stateID)
			return false
		}
		if x.perThread == nil {
			x.perThread = make(map[*state.Thread]uint64)
		}
		x.perThread[c.Th] += d
		v.Uint = x.perThread[c.Th]
		return true
	}
	g["proc.ppid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		m := mainThread(c, t)
		if m == nil {
			return false
		}
		v.Int = m.PTID
		return true
	})
	g["proc.pname"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		p := lookup(c, t.PTID)
		if p == nil {
			return false
		}
		str(v, p.Comm)
		return true
	})
	g["proc.pcmdline"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		p := lookup(c, t.PTID)
		if p == nil {
			return false
		}
		x.buf = appendCmdline(x.buf[:0], p)
		v.Str = x.buf
		return true
	})
	g["proc.apid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		a := ancestor(c, t, x.arg.num)
		if a == nil {
			return false
		}
		v.Int = a.PID
		return true
	})
	g["proc.aname"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		a := ancestor(c, t, x.arg.num)
		if a == nil {
			return false
		}
		str(v, a.Comm)
		return true
	})
	g["proc.loginshellid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		m := mainThread(c, t)
		if m == nil {
			return false
		}
		var res *state.Thread
		check := func(p *state.Thread) bool {
			if n := len(p.Comm); n >= 2 && p.Comm[n-2] == 's' && p.Comm[n-1] == 'h' {
				res = p
			}
			return true
		}
		check(m)
		traverseParents(c, m, check)
		if res == nil {
			return false
		}
		v.Int = res.PID
		return true
	})
	g["proc.duration"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		if t.ClonTS == 0 {
			return false
		}
		v.Uint = c.Ev.TS - t.ClonTS
		return true
	})
	g["proc.fdopencount"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		m := mainThread(c, t)
		if m == nil {
			return false
		}
		v.Uint = fdCount(m)
		return true
	})
	g["proc.fdlimit"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		m := mainThread(c, t)
		if m == nil {
			return false
		}
		v.Int = m.FDLimit
		return true
	})
	g["proc.fdusage"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		m := mainThread(c, t)
		if m == nil {
			return false
		}
		if m.FDLimit > 0 {
			n := fdCount(m)
			if n <= uint64(m.FDLimit) {
				v.Float = float64(n) * 100 / float64(m.FDLimit)
			} else {
				v.Float = 100
			}
		}
		return true
	})
	g["proc.vmsize"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Uint = uint64(t.VMSize); return true })
	g["proc.vmrss"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Uint = uint64(t.VMRSS); return true })
	g["proc.vmswap"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Uint = uint64(t.VMSwap); return true })
	mainOnly := func(f func(t *state.Thread) uint64) getter {
		return th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
			if isMain(t) {
				v.Uint = f(t)
			}
			return true
		})
	}
	g["thread.vmsize"] = mainOnly(func(t *state.Thread) uint64 { return uint64(t.VMSize) })
	g["thread.vmrss"] = mainOnly(func(t *state.Thread) uint64 { return uint64(t.VMRSS) })
	g["thread.vmsize.b"] = mainOnly(func(t *state.Thread) uint64 { return uint64(t.VMSize) * 1024 })
	g["thread.vmrss.b"] = mainOnly(func(t *state.Thread) uint64 { return uint64(t.VMRSS) * 1024 })
	g["thread.pfmajor"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Uint = t.PgftMaj; return true })
	g["thread.pfminor"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool { v.Uint = t.PgftMin; return true })
	g["thread.cgroups"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		if len(t.Cgroups) == 0 {
			return false
		}
		b := x.buf[:0]
		for i, cg := range t.Cgroups {
			if i > 0 {
				b = append(b, ' ')
			}
			sub, path := splitCgroup(cg)
			b = append(b, sub...)
			b = append(b, '=')
			b = append(b, path...)
		}
		x.buf, v.Str = b, b
		return true
	})
	g["thread.cgroup"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		for _, cg := range t.Cgroups {
			if sub, path := splitCgroup(cg); sub == x.arg.str {
				str(v, path)
				return true
			}
		}
		return false
	})
	g["thread.vtid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		if t.VTID == -1 {
			return false
		}
		v.Int = t.VTID
		return true
	})
	g["proc.vpid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		if t.VPID == -1 {
			return false
		}
		v.Int = t.VPID
		return true
	})
	cpu := func(user, system bool) getter {
		return th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
			if c.Ev.Type != codeProcInfoE {
				return false
			}
			var tot uint64
			if user {
				tot += uint64(paramU64(c, 0))
			}
			if system {
				tot += uint64(paramU64(c, 1))
			}
			if x.perThread == nil {
				x.perThread = make(map[*state.Thread]uint64)
			}
			last := x.perThread[t]
			if last != 0 {
				v.Float = math.Min(float64(tot-last), 100)
			}
			x.perThread[t] = tot
			return true
		})
	}
	g["thread.cpu"] = cpu(true, true)
	g["thread.cpu.user"] = cpu(true, false)
	g["thread.cpu.system"] = cpu(false, true)
	g["proc.sname"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		if s := lookup(c, t.SID); s != nil {
			str(v, s.Comm)
			return true
		}
		m := mainThread(c, t)
		if m == nil {
			return false
		}
		sid := m.SID
		traverseParents(c, m, func(p *state.Thread) bool {
			if p.SID != sid {
				return false
			}
			m = p
			return true
		})
		str(v, m.Comm)
		return true
	})
	g["thread.nametid"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		b := append(x.buf[:0], t.Comm...)
		x.buf = strconv.AppendInt(b, c.Ev.TID, 10)
		v.Str = x.buf
		return true
	})
	category := func(cat int) getter {
		return th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
			if s, ok := any(t).(interface{ Category() int }); ok {
				v.Bool = s.Category() == cat
			}
			return true
		})
	}
	// sinsp_threadinfo's CAT_HEALTHCHECK, CAT_LIVENESS_PROBE and
	// CAT_READINESS_PROBE, when the state keeps a thread's category.
	g["proc.is_container_healthcheck"] = category(2)
	g["proc.is_container_liveness_probe"] = category(3)
	g["proc.is_container_readiness_probe"] = category(4)
	g["proc.is_exe_writable"] = th(func(x *extractor, c *Ctx, t *state.Thread, v *Value) bool {
		v.Bool = t.ExeWritable
		return true
	})
}

func paramU64(c *Ctx, i int) uint64 {
	p := paddedParam(c.Ev, i, 8)
	if len(p) < 8 {
		return 0
	}
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}

// exectime is sinsp's extract_exectime: the time since the last switch
// on the event's CPU, kept by the extractor.
func (x *extractor) exectime(c *Ctx) uint64 {
	cpu := int(c.Ev.CPU)
	for len(x.cpuSwitch) <= cpu {
		x.cpuSwitch = append(x.cpuSwitch, 0)
	}
	var d uint64
	if last := x.cpuSwitch[cpu]; last != 0 {
		d = c.Ev.TS - last
	}
	x.cpuSwitch[cpu] = c.Ev.TS
	return d
}

func appendJoined(b []byte, list []string) []byte {
	for i, s := range list {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	return b
}

// appendCmdline is sinsp_threadinfo::populate_cmdline.
func appendCmdline(b []byte, t *state.Thread) []byte {
	b = append(b, t.Comm...)
	for _, a := range t.Args {
		b = append(b, ' ')
		b = append(b, a...)
	}
	return b
}

func lookup(c *Ctx, tid int64) *state.Thread {
	if c.St == nil {
		return nil
	}
	return c.St.Thread(tid)
}

// mainThread is sinsp_threadinfo::get_main_thread.
func mainThread(c *Ctx, t *state.Thread) *state.Thread {
	if isMain(t) {
		return t
	}
	return lookup(c, t.PID)
}

// ancestor is the n-th ancestor of the thread's process (0 for the
// process itself), or nil.
func ancestor(c *Ctx, t *state.Thread, n int64) *state.Thread {
	m := mainThread(c, t)
	for j := int64(0); m != nil && j < n; j++ {
		m = lookup(c, m.PTID)
	}
	return m
}

// traverseParents is sinsp_threadinfo::traverse_parent_state: visit the
// parents of t, oldest last, until visit returns false, stopping at a
// loop.
func traverseParents(c *Ctx, t *state.Thread, visit func(*state.Thread) bool) {
	slow := lookup(c, t.PTID)
	fast := slow
	if fast != nil {
		fast = lookup(c, fast.PTID)
	}
	for slow != nil && slow.TID != -1 {
		if !visit(slow) {
			break
		}
		slow = lookup(c, slow.PTID)
		for i := 0; i < 2 && fast != nil; i++ {
			fast = lookup(c, fast.PTID)
		}
		if slow != nil && slow == fast {
			break
		}
	}
}

// extractAncestors gives, for proc.aname and proc.apid without an
// argument in a filter, every ancestor of the thread's process (not the
// process itself), as sinsp's compare_full_aname and _apid match them.
func (x *extractor) extractAncestors(c *Ctx, vals []Value) []Value {
	if c.Th == nil {
		return vals
	}
	m := mainThread(c, c.Th)
	if m == nil {
		return vals
	}
	traverseParents(c, m, func(p *state.Thread) bool {
		v := Value{Kind: x.kind}
		if x.f.Name == "proc.aname" {
			str(&v, p.Comm)
		} else {
			v.Int = p.PID
		}
		vals = append(vals, v)
		return true
	})
	return vals
}

func fdCount(t *state.Thread) uint64 {
	if t.FDs == nil {
		return 0
	}
	return uint64(t.FDs.Len())
}

// splitCgroup splits a "subsystem=path" entry as sinsp's set_cgroups
// does: at the last '=', with "_cgroup" dropped from the subsystem and
// perf, mem and io renamed perf_event, memory and blkio.
func splitCgroup(cg string) (sub, path string) {
	i := strings.LastIndexByte(cg, '=')
	if i < 0 {
		return cg, ""
	}
	sub, path = cg[:i], cg[i+1:]
	if j := strings.Index(sub, "_cgroup"); j >= 0 {
		sub = sub[:j] + sub[j+len("_cgroup"):]
	}
	switch sub {
	case "perf":
		sub = "perf_event"
	case "mem":
		sub = "memory"
	case "io":
		sub = "blkio"
	}
	return sub, path
}
