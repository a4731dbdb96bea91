package filter

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// Benchmarks of Match with the fake catalog, whose extraction costs next
// to nothing, so that they measure the filter itself.
func BenchmarkMatchFake(b *testing.B) {
	old := fakeVals
	fakeVals = map[string][]fields.Value{
		"proc.name":  {str("curl")},
		"proc.aname": {str("bash"), str("sshd"), str("systemd")},
		"fd.name":    {str("/usr/lib/x86_64-linux-gnu/libcurl.so.4")},
		"fd.net":     {ip("192.168.0.5"), ip("10.1.2.3")},
		"evt.failed": {{Kind: fields.KindBool, Bool: false}},
	}
	defer func() { fakeVals = old }()
	for _, bm := range []struct{ name, expr string }{
		{"eq", `proc.name=curl`},
		{"and3", `evt.type=open and fd.name contains /etc and evt.failed=true`},
		{"in", `proc.name in (wget, curl, nc, ncat, socat, python)`},
		{"in-map", `proc.name in (a, b, c, d, e, f, g, h, i, j, k, curl)`},
		{"glob", `fd.name glob '/usr/lib/*/libcurl*'`},
		{"icontains", `fd.name icontains LIBCURL`},
		{"pmatch", `fd.name pmatch (/etc, /usr/lib, /var/run)`},
		{"regex", `fd.name regex '.*/lib[a-z]+\.so\.[0-9]+'`},
		{"net", `fd.net=10.0.0.0/8`},
		{"aname", `proc.aname=systemd`},
		{"not-or", `not (proc.name=wget or proc.name=nc) and evt.num>100`},
	} {
		f := mustCompile(b, bm.expr)
		ctx := fakeEvent(1000, code(b, "open")+1)
		want := f.Match(ctx)
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if f.Match(ctx) != want {
					b.Fatal("changed")
				}
			}
		})
	}
}

// BenchmarkSkipByType measures an event rejected by its type alone.
func BenchmarkSkipByType(b *testing.B) {
	f := mustCompile(b, `evt.type=open and fd.name contains /etc`)
	ctx := fakeEvent(1, code(b, "read"))
	b.ReportAllocs()
	for b.Loop() {
		if f.Match(ctx) {
			b.Fatal("match")
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		mustCompile(b, `evt.type in (open, openat, close) and (fd.name pmatch (/etc, /usr) or proc.name glob 'c*') and not evt.failed=true`)
	}
}

// BenchmarkMatchTrace runs filters over the events of a real trace, with
// the real field catalog: ns/op is per event.
func BenchmarkMatchTrace(b *testing.B) {
	path := filepath.Join(tracesDir(b), "curl_google.scap")
	fh, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	st := state.New()
	rd, err := scap.NewReader(fh, st.Sink())
	if err != nil {
		b.Fatal(err)
	}
	// Each event with what the state engine resolved for it then. The
	// state goes on changing after, which matters little here.
	var ctxs []fields.Ctx
	for {
		ev, err := rd.Next()
		if err != nil {
			break
		}
		st.Apply(ev)
		if ev.Flags&event.FlagStateOnly != 0 || event.Category029(ev.Type)&event.CatInternal != 0 {
			continue
		}
		l := st.Last()
		ctxs = append(ctxs, fields.Ctx{Ev: ev.Clone(), St: st, Th: l.Thread, FD: l.FD, FDNum: l.FDNum, Latency: l.Latency})
	}
	for _, bm := range []struct{ name, expr string }{
		{"proc.name", `proc.name=curl`},
		{"evt.type", `evt.type=open`},
		{"and3", `evt.type=open and fd.name contains /etc and evt.failed=true`},
		{"in", `evt.type in (open, close, read, write)`},
		{"fd.name-glob", `fd.name glob '/usr/lib/*'`},
		{"fd.name-pmatch", `fd.name pmatch (/etc, /usr/lib)`},
		{"not-or", `not (proc.name=bash or proc.name=sshd) and evt.dir=<`},
		{"fd.sip", `fd.sip=127.0.0.1`},
	} {
		f, err := Compile(bm.expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				f.Match(&ctxs[i])
				if i++; i == len(ctxs) {
					i = 0
				}
			}
		})
	}
}
