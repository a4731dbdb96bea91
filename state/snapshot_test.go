package state_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

func traces(t *testing.T) []string {
	dir := os.Getenv("SYSCOPE_TRACES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "traces")
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.scap"))
	if len(names) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no trace files in %s", dir)
		}
		t.Skipf("no trace files in %s", dir)
	}
	return names
}

func sysdig(t *testing.T, file string) []byte {
	cmd := exec.Command("sysdig", "-r", file)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sysdig -r %s: %v", file, err)
	}
	return out
}

// TestSnapshotRebuildsState writes each trace again with its metadata
// taken from the state engine instead of the file, and checks that the
// real sysdig prints the copy exactly as the original: the snapshot
// carries every name the printed events need.
func TestSnapshotRebuildsState(t *testing.T) {
	if _, err := exec.LookPath("sysdig"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sysdig is not installed: .ci/run installs it")
		}
		t.Skip("sysdig is not installed")
	}
	dir := t.TempDir()
	for _, name := range traces(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			raw, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			st := state.New()
			rd, err := scap.NewReader(bytes.NewReader(data), st.Sink())
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			w := scap.NewWriter(&out, scap.WriterOptions{})
			first := true
			for {
				ev, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if first {
					// The metadata has been read; the state holds it.
					if err := w.WriteMeta(st.Snapshot()); err != nil {
						t.Fatal(err)
					}
					first = false
				}
				st.Apply(ev)
				if err := w.WriteEvent(ev); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			orig := filepath.Join(dir, "orig.scap")
			cp := filepath.Join(dir, "copy.scap")
			os.WriteFile(orig, data, 0o600)
			os.WriteFile(cp, out.Bytes(), 0o600)
			want, got := sysdig(t, orig), sysdig(t, cp)
			if !bytes.Equal(want, got) {
				wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
				for i := 0; i < len(wl) && i < len(gl); i++ {
					if !bytes.Equal(wl[i], gl[i]) {
						t.Fatalf("line %d:\n orig %s\n copy %s", i+1, wl[i], gl[i])
					}
				}
				t.Fatalf("%d lines, want %d", len(gl), len(wl))
			}
		})
	}
}
