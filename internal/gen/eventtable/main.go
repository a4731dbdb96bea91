// Command eventtable generates the event table of package event from a
// checkout (or bare mirror) of falcosecurity/libs.
//
// It reads, through `git show`, two revisions of libs:
//
//   - the current one (-head, default HEAD), which defines every event code
//     syscope knows;
//   - the one embedded in sysdig 0.29.3 (-old, default e5c53d64), whose
//     names, parameters and flag tables decide how old captures print.
//
// and writes table_gen.go, flags_gen.go, names_gen.go and COMPAT.md into
// -out (default: the current directory, i.e. package event when run by
// go generate).
//
// Usage:
//
//	go run ./internal/gen/eventtable -libs /path/to/libs -out event
//	LIBS=/path/to/libs go generate ./event
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	libs := flag.String("libs", os.Getenv("LIBS"), "path of a falcosecurity/libs git repository (default $LIBS)")
	head := flag.String("head", "HEAD", "libs revision that defines the current event table")
	old := flag.String("old", "e5c53d64", "libs revision embedded in sysdig 0.29.3")
	out := flag.String("out", ".", "directory to write the generated files to")
	flag.Parse()
	if *libs == "" {
		fatalf("no libs repository: set LIBS or pass -libs")
	}
	g := &gen{repo: *libs, head: *head}
	h, err := g.load(*head, false)
	if err != nil {
		fatalf("%s: %v", *head, err)
	}
	o, err := g.load(*old, true)
	if err != nil {
		fatalf("%s: %v", *old, err)
	}
	files, err := build(h, o)
	if err != nil {
		fatalf("%v", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(*out, n), files[n], 0o644); err != nil {
			fatalf("%v", err)
		}
	}
}

func fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "eventtable: "+f+"\n", a...)
	os.Exit(1)
}

type gen struct{ repo, head string }

func (g *gen) git(args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", g.repo}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(b), nil
}

func (g *gen) show(rev, path string) (string, error) { return g.git("show", rev+":"+path) }

// ---------------------------------------------------------------------
// What we read from one libs revision

type nameValue struct {
	name  string
	value uint32
	src   string // the C expression, for comments
}

type param struct {
	name  string
	typ   string // libs PT_ name
	fmt   string // libs PF_ name
	names string // libs name of the ppm_name_value array, if any
	dyn   string // libs name of the ppm_param_info array, if any
	dirfd int
	ninfo int64
}

type event struct {
	enum     string // PPME_ name (first in source order)
	name     string
	cat      int64
	flags    int64
	params   []param
	declared int64 // nparams as written
	listed   int   // params as written
}

type libsRev struct {
	rev, sha  string
	consts    map[string]enumVal
	order     []string
	hdr       *cpp
	events    []event
	flagOrder []string
	flagArrs  map[string][]nameValue
	dynOrder  []string
	dynArrs   map[string][]param

	// Only for the sysdig 0.29.3 revision:
	syscalls      []string // g_syscall_info_table names by PPM_SC code
	syscallEnums  []string // PPM_SC_ names by code
	nativeNames   map[int]string
	nativeRouting map[int]int
	errnos        map[int]string
	signals       map[int]string
}

func (r *libsRev) resolve(n string) (int64, error) {
	c, ok := r.consts[n]
	if !ok {
		return 0, fmt.Errorf("unresolved identifier %s", n)
	}
	return c.v, c.err
}

// eval macro-expands and evaluates ts in the context of the revision's
// ppm_events_public.h.
func (r *libsRev) eval(p *cpp, ts []token) (int64, error) {
	ex, err := p.expand(ts, nil)
	if err != nil {
		return 0, err
	}
	return evalExpr(ex, r.resolve)
}

func (r *libsRev) constNamed(n string) (int64, error) {
	return r.eval(r.hdr, []token{{tkIdent, n}})
}

func (g *gen) load(rev string, old bool) (*libsRev, error) {
	sha, err := g.git("rev-parse", "--verify", rev+"^{commit}")
	if err != nil {
		return nil, err
	}
	r := &libsRev{rev: rev, sha: strings.TrimSpace(sha), consts: map[string]enumVal{}}

	// Header: macros and enums.
	hsrc, err := g.show(rev, "driver/ppm_events_public.h")
	if err != nil {
		return nil, err
	}
	r.hdr = newCPP()
	htext, err := r.hdr.run("ppm_events_public.h", hsrc)
	if err != nil {
		return nil, err
	}
	hts, err := tokenize(htext)
	if err != nil {
		return nil, fmt.Errorf("ppm_events_public.h: %v", err)
	}
	scanEnums(r.hdr, hts, r.consts, &r.order)
	max, err := r.constNamed("PPM_EVENT_MAX")
	if err != nil {
		return nil, err
	}

	if err := r.loadFlags(g); err != nil {
		return nil, err
	}
	if err := r.loadDyn(g); err != nil {
		return nil, err
	}
	if err := r.loadEvents(g, int(max)); err != nil {
		return nil, err
	}
	if old {
		if err := r.loadSyscalls(g); err != nil {
			return nil, err
		}
		if err := r.loadSinspNames(g); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *libsRev) preprocess(g *gen, path string) ([]token, *cpp, error) {
	src, err := g.show(r.rev, path)
	if err != nil {
		return nil, nil, err
	}
	p := r.hdr.clone()
	text, err := p.run(path, src)
	if err != nil {
		return nil, nil, err
	}
	ts, err := tokenize(text)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	return ts, p, nil
}

func strOf(n *initNode) (string, bool) {
	if n.isList || len(n.expr) != 1 || n.expr[0].kind != tkStr {
		return "", false
	}
	return n.expr[0].s, true
}

func (r *libsRev) loadFlags(g *gen) error {
	const path = "driver/flags_table.c"
	ts, p, err := r.preprocess(g, path)
	if err != nil {
		return err
	}
	r.flagArrs = map[string][]nameValue{}
	for _, name := range structArrays(ts, "ppm_name_value") {
		init, err := findArrayInit(ts, name)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		var items []nameValue
		terminated := false
		for _, e := range init.list {
			if terminated {
				return fmt.Errorf("%s: %s: entries after the {0, 0} terminator", path, name)
			}
			if !e.isList || len(e.list) != 2 || e.desig != nil {
				return fmt.Errorf("%s: %s: bad entry", path, name)
			}
			s, ok := strOf(e.list[0])
			if !ok {
				if tokText(e.list[0].expr) == "0" && tokText(e.list[1].expr) == "0" {
					terminated = true
					continue
				}
				return fmt.Errorf("%s: %s: entry name is not a string", path, name)
			}
			v, err := r.eval(p, e.list[1].expr)
			if err != nil {
				return fmt.Errorf("%s: %s: %s: %v", path, name, s, err)
			}
			if v < 0 || v > 0xFFFFFFFF {
				return fmt.Errorf("%s: %s: %s: value %d does not fit uint32", path, name, s, v)
			}
			items = append(items, nameValue{s, uint32(v), tokText(e.list[1].expr)})
		}
		if !terminated {
			return fmt.Errorf("%s: %s: no {0, 0} terminator", path, name)
		}
		if _, dup := r.flagArrs[name]; dup {
			return fmt.Errorf("%s: %s defined twice", path, name)
		}
		r.flagArrs[name] = items
		r.flagOrder = append(r.flagOrder, name)
	}
	if len(r.flagOrder) == 0 {
		return fmt.Errorf("%s: no name/value arrays found", path)
	}
	return nil
}

func (r *libsRev) loadDyn(g *gen) error {
	const path = "driver/dynamic_params_table.c"
	ts, p, err := r.preprocess(g, path)
	if err != nil {
		return err
	}
	r.dynArrs = map[string][]param{}
	for _, name := range structArrays(ts, "ppm_param_info") {
		init, err := findArrayInit(ts, name)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		byIdx := map[int]param{}
		next := 0
		for _, e := range init.list {
			idx := next
			if e.desig != nil {
				v, err := r.eval(p, e.desig)
				if err != nil {
					return fmt.Errorf("%s: %s: %v", path, name, err)
				}
				idx = int(v)
			}
			next = idx + 1
			if !e.isList || len(e.list) < 3 {
				return fmt.Errorf("%s: %s[%d]: bad entry", path, name, idx)
			}
			pr, err := r.paramOf(p, e.list, nil, nil)
			if err != nil {
				return fmt.Errorf("%s: %s[%d]: %v", path, name, idx, err)
			}
			if _, dup := byIdx[idx]; dup {
				return fmt.Errorf("%s: %s[%d] given twice", path, name, idx)
			}
			byIdx[idx] = pr
		}
		ps := make([]param, len(byIdx))
		for i := range ps {
			pr, ok := byIdx[i]
			if !ok {
				return fmt.Errorf("%s: %s[%d] missing", path, name, i)
			}
			ps[i] = pr
		}
		r.dynArrs[name] = ps
		r.dynOrder = append(r.dynOrder, name)
	}
	return nil
}

// paramOf interprets one ppm_param_info initializer.
func (r *libsRev) paramOf(p *cpp, l []*initNode, flags map[string][]nameValue, dyn map[string][]param) (param, error) {
	var pr param
	pr.dirfd = -1
	if len(l) < 3 || len(l) > 5 {
		return pr, fmt.Errorf("param has %d fields", len(l))
	}
	if s, ok := strOf(l[0]); ok {
		pr.name = s
	} else if !(l[0].isList && len(l[0].list) == 1 && tokText(l[0].list[0].expr) == "0") {
		return pr, fmt.Errorf("param name is not a string")
	}
	for i, dst := range []*string{&pr.typ, &pr.fmt} {
		e := l[1+i]
		if e.isList || len(e.expr) != 1 || e.expr[0].kind != tkIdent {
			return pr, fmt.Errorf("param %q: field %d is not a name", pr.name, i+1)
		}
		*dst = e.expr[0].s
		if _, err := r.resolve(*dst); err != nil {
			return pr, err
		}
	}
	if len(l) >= 4 {
		e := l[3]
		x := e.expr
		switch {
		case e.isList:
			return pr, fmt.Errorf("param %q: bad info", pr.name)
		case len(x) == 1 && x[0].kind == tkIdent && flags[x[0].s] != nil:
			pr.names = x[0].s
		case len(x) == 1 && x[0].kind == tkIdent && dyn[x[0].s] != nil:
			pr.dyn = x[0].s
		case len(x) == 4 && x[0].s == "DIRFD_PARAM" && x[1].s == "(" && x[3].s == ")":
			v, err := evalExpr(x[2:3], r.resolve)
			if err != nil {
				return pr, err
			}
			pr.dirfd = int(v)
		case len(x) == 1 && (x[0].s == "0" || x[0].s == "NULL"):
		default:
			return pr, fmt.Errorf("param %q: cannot interpret info %q", pr.name, tokText(x))
		}
	}
	if len(l) == 5 {
		v, err := r.eval(p, l[4].expr)
		if err != nil {
			return pr, fmt.Errorf("param %q: ninfo: %v", pr.name, err)
		}
		pr.ninfo = v
	}
	if pr.dyn != "" && int(pr.ninfo) != len(dyn[pr.dyn]) {
		return pr, fmt.Errorf("param %q: ninfo %d but %s has %d entries", pr.name, pr.ninfo, pr.dyn, len(dyn[pr.dyn]))
	}
	if pr.dirfd >= 0 && pr.typ != "PT_FSRELPATH" {
		return pr, fmt.Errorf("param %q: DIRFD_PARAM on %s", pr.name, pr.typ)
	}
	return pr, nil
}

func (r *libsRev) loadEvents(g *gen, max int) error {
	const path = "driver/event_table.c"
	ts, p, err := r.preprocess(g, path)
	if err != nil {
		return err
	}
	init, err := findArrayInit(ts, "g_event_info")
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if init == nil {
		return fmt.Errorf("%s: g_event_info not found", path)
	}
	// Enum names of the event codes, first in source order.
	enumOf := map[int]string{}
	for _, n := range r.order {
		if strings.HasPrefix(n, "PPME_") {
			if c := r.consts[n]; c.err == nil && c.v >= 0 && c.v < int64(max) {
				if _, ok := enumOf[int(c.v)]; !ok {
					enumOf[int(c.v)] = n
				}
			}
		}
	}
	r.events = make([]event, max)
	seen := make([]bool, max)
	next := 0
	for _, e := range init.list {
		idx := next
		if e.desig != nil {
			v, err := r.eval(p, e.desig)
			if err != nil {
				return fmt.Errorf("%s: designator %q: %v", path, tokText(e.desig), err)
			}
			idx = int(v)
		}
		next = idx + 1
		if idx < 0 || idx >= max {
			return fmt.Errorf("%s: event index %d out of range", path, idx)
		}
		if seen[idx] {
			return fmt.Errorf("%s: event %d given twice", path, idx)
		}
		seen[idx] = true
		ev, err := r.eventOf(p, e)
		if err != nil {
			return fmt.Errorf("%s: event %d (%s): %v", path, idx, enumOf[idx], err)
		}
		ev.enum = enumOf[idx]
		r.events[idx] = ev
	}
	for i, ok := range seen {
		if !ok {
			return fmt.Errorf("%s: event %d (%s) missing", path, i, enumOf[i])
		}
	}
	return nil
}

func (r *libsRev) eventOf(p *cpp, e *initNode) (event, error) {
	var ev event
	if !e.isList || len(e.list) < 4 || len(e.list) > 5 {
		return ev, fmt.Errorf("bad event entry")
	}
	name, ok := strOf(e.list[0])
	if !ok {
		return ev, fmt.Errorf("event name is not a string")
	}
	ev.name = name
	var err error
	if ev.cat, err = r.eval(p, e.list[1].expr); err != nil {
		return ev, fmt.Errorf("category: %v", err)
	}
	if ev.flags, err = r.eval(p, e.list[2].expr); err != nil {
		return ev, fmt.Errorf("flags: %v", err)
	}
	if ev.declared, err = r.eval(p, e.list[3].expr); err != nil {
		return ev, fmt.Errorf("nparams: %v", err)
	}
	if len(e.list) == 5 {
		pl := e.list[4]
		if !pl.isList {
			return ev, fmt.Errorf("params are not a list")
		}
		for _, pe := range pl.list {
			if !pe.isList {
				return ev, fmt.Errorf("param is not a list")
			}
			pr, err := r.paramOf(p, pe.list, r.flagArrs, r.dynArrs)
			if err != nil {
				return ev, err
			}
			ev.params = append(ev.params, pr)
		}
	}
	ev.listed = len(ev.params)
	if int(ev.declared) > ev.listed {
		return ev, fmt.Errorf("nparams %d but only %d params listed", ev.declared, ev.listed)
	}
	// Like libs, only the first nparams entries count.
	ev.params = ev.params[:ev.declared]
	return ev, nil
}

// loadSyscalls reads, at the sysdig 0.29.3 revision, the PPM_SC names of
// the syscall info table and the x86_64 routing of native syscall numbers
// to PPM_SC codes. Native numbers come from libs' (current and past)
// driver/syscall_compat_x86_64.h, since 0.29.3 took them from the build
// host's <linux/unistd.h>.
func (r *libsRev) loadSyscalls(g *gen) error {
	max, err := r.constNamed("PPM_SC_MAX")
	if err != nil {
		return err
	}
	r.syscallEnums = make([]string, max)
	for _, n := range r.order {
		if strings.HasPrefix(n, "PPM_SC_") && n != "PPM_SC_MAX" {
			if c := r.consts[n]; c.err == nil && c.v >= 0 && c.v < max && r.syscallEnums[c.v] == "" {
				r.syscallEnums[c.v] = n
			}
		}
	}
	const path = "userspace/libscap/syscall_info_table.c"
	ts, _, err := r.preprocess(g, path)
	if err != nil {
		return err
	}
	init, err := findArrayInit(ts, "g_syscall_info_table")
	if err != nil || init == nil {
		return fmt.Errorf("%s: g_syscall_info_table: %v", path, err)
	}
	if len(init.list) != int(max) {
		return fmt.Errorf("%s: %d entries, PPM_SC_MAX is %d", path, len(init.list), max)
	}
	for i, e := range init.list {
		if e.desig != nil || !e.isList || len(e.list) != 3 {
			return fmt.Errorf("%s: entry %d: bad entry", path, i)
		}
		s, ok := strOf(e.list[2])
		if !ok {
			return fmt.Errorf("%s: entry %d: name is not a string", path, i)
		}
		r.syscalls = append(r.syscalls, s)
	}

	// x86_64 syscall numbers: the current header, completed with the
	// numbers older versions of it had (it lost legacy syscalls such as
	// uselib that 0.29.3's build headers still defined; x86_64 numbers are
	// never reused, which the merge checks).
	revs, err := g.git("log", "--format=%H", g.head, "--", "driver/syscall_compat_x86_64.h")
	if err != nil {
		return err
	}
	nr := newCPP()
	r.nativeNames = map[int]string{}
	byName := map[string]int{}
	for i, c := range strings.Fields(revs) {
		compat, err := g.show(c, "driver/syscall_compat_x86_64.h")
		if err != nil {
			return err
		}
		q := newCPP()
		if _, err := q.run("syscall_compat_x86_64.h", compat); err != nil {
			return err
		}
		for n, m := range q.macros {
			if !strings.HasPrefix(n, "__NR_") {
				continue
			}
			v, err := evalExpr(m.body, r.resolve)
			if err != nil {
				return fmt.Errorf("%s:syscall_compat_x86_64.h: %s: %v", c, n, err)
			}
			name := strings.TrimPrefix(n, "__NR_")
			if prev, ok := byName[name]; ok {
				if prev != int(v) {
					return fmt.Errorf("syscall_compat_x86_64.h: %s is %d at %s, %d later", n, v, c, prev)
				}
				continue
			}
			if prev, dup := r.nativeNames[int(v)]; dup {
				if i == 0 {
					return fmt.Errorf("syscall_compat_x86_64.h: %s and __NR_%s are both %d", n, prev, v)
				}
				continue // renamed since; keep the current name
			}
			byName[name] = int(v)
			r.nativeNames[int(v)] = name
			nr.macros[n] = m
		}
	}
	if len(r.nativeNames) == 0 {
		return fmt.Errorf("no x86_64 syscall numbers found")
	}

	// The 0.29.3 routing table, as compiled for x86_64 userspace.
	const tpath = "driver/syscall_table.c"
	src, err := g.show(r.rev, tpath)
	if err != nil {
		return err
	}
	p := r.hdr.clone()
	for n, m := range nr.macros {
		p.macros[n] = m
	}
	text, err := p.run(tpath, src)
	if err != nil {
		return err
	}
	tts, err := tokenize(text)
	if err != nil {
		return fmt.Errorf("%s: %v", tpath, err)
	}
	rt, err := findArrayInit(tts, "g_syscall_code_routing_table")
	if err != nil || rt == nil {
		return fmt.Errorf("%s: g_syscall_code_routing_table: %v", tpath, err)
	}
	r.nativeRouting = map[int]int{}
	for _, e := range rt.list {
		if e.desig == nil || e.isList {
			return fmt.Errorf("%s: routing table entry without designator", tpath)
		}
		k, err := r.eval(p, e.desig)
		if err != nil {
			return fmt.Errorf("%s: routing designator %q: %v", tpath, tokText(e.desig), err)
		}
		v, err := r.eval(p, e.expr)
		if err != nil {
			return fmt.Errorf("%s: routing value %q: %v", tpath, tokText(e.expr), err)
		}
		if v <= 0 || v >= max {
			return fmt.Errorf("%s: routing value %q out of range", tpath, tokText(e.expr))
		}
		r.nativeRouting[int(k)] = int(v) // later entries win, as in C
	}
	return nil
}

// loadSinspNames reads the errno and signal names sinsp 0.29.3 prints.
func (r *libsRev) loadSinspNames(g *gen) error {
	src, err := g.show(r.rev, "userspace/libsinsp/utils.cpp")
	if err != nil {
		return err
	}
	src = stripComments(src)
	for _, x := range []struct {
		fn, hdr string
		out     *map[int]string
	}{
		{"sinsp_utils::errno_to_str", "userspace/libsinsp/sinsp_errno.h", &r.errnos},
		{"sinsp_utils::signal_to_str", "userspace/libsinsp/sinsp_signal.h", &r.signals},
	} {
		hsrc, err := g.show(r.rev, x.hdr)
		if err != nil {
			return err
		}
		p := newCPP()
		if _, err := p.run(x.hdr, hsrc); err != nil {
			return err
		}
		cases, err := switchCases(src, x.fn)
		if err != nil {
			return err
		}
		m := map[int]string{}
		for _, c := range cases {
			ex, err := p.expand([]token{{tkIdent, c[0]}}, nil)
			if err != nil {
				return err
			}
			v, err := evalExpr(ex, func(n string) (int64, error) { return 0, fmt.Errorf("unresolved %s", n) })
			if err != nil {
				return fmt.Errorf("%s: case %s: %v", x.fn, c[0], err)
			}
			if _, dup := m[int(v)]; dup {
				return fmt.Errorf("%s: duplicate case %d", x.fn, v)
			}
			m[int(v)] = c[1]
		}
		if len(m) == 0 {
			return fmt.Errorf("%s: no cases found", x.fn)
		}
		*x.out = m
	}
	return nil
}

// switchCases returns the (label, string) pairs of the `case X: return
// "S";` arms in the body of function fn of the C++ source src.
func switchCases(src, fn string) ([][2]string, error) {
	i := strings.Index(src, fn+"(")
	if i < 0 {
		return nil, fmt.Errorf("%s not found", fn)
	}
	j := strings.IndexByte(src[i:], '{')
	if j < 0 {
		return nil, fmt.Errorf("%s: no body", fn)
	}
	depth := 0
	end := -1
	for k := i + j; k < len(src); k++ {
		if src[k] == '{' {
			depth++
		} else if src[k] == '}' {
			depth--
			if depth == 0 {
				end = k + 1
				break
			}
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("%s: unterminated body", fn)
	}
	ts, err := tokenize(src[i+j : end])
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn, err)
	}
	var out [][2]string
	for k := 0; k < len(ts); k++ {
		if ts[k].s != "case" {
			continue
		}
		if k+5 >= len(ts) || ts[k+1].kind != tkIdent || ts[k+2].s != ":" || ts[k+3].s != "return" || ts[k+4].kind != tkStr || ts[k+5].s != ";" {
			return nil, fmt.Errorf("%s: unexpected case arm near %q", fn, tokText(ts[k:min(k+6, len(ts))]))
		}
		out = append(out, [2]string{ts[k+1].s, ts[k+4].s})
	}
	return out, nil
}
