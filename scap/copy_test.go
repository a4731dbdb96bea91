package scap_test

import (
	"bytes"
	"io"
	"sort"
	"testing"

	"github.com/syscope/syscope/scap"
)

// copyEvents copies data with a Writer, section by section, with
// NextBlock and WriteEventBlock (blocks as they are) or with Next and
// WriteEvent.
func copyEvents(t *testing.T, data []byte, blocks bool) ([]byte, int) {
	t.Helper()
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(bytes.NewReader(data), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var out bytes.Buffer
	w := scap.NewWriter(&out, scap.WriterOptions{})
	taken := 0
	for {
		var blk []byte
		var err error
		if blocks {
			evp, b, err2 := rd.NextBlock()
			if err2 == nil && rec.Fresh {
				if err := w.WriteMeta(&rec.Meta); err != nil {
					t.Fatal(err)
				}
				rec.Fresh = false
			}
			if err2 == nil {
				blk = b
				if blk != nil {
					taken++
				}
				err = w.WriteEventBlock(evp, blk)
			} else {
				err = err2
			}
		} else {
			evp, err2 := rd.Next()
			if err2 == nil && rec.Fresh {
				if err := w.WriteMeta(&rec.Meta); err != nil {
					t.Fatal(err)
				}
				rec.Fresh = false
			}
			if err2 == nil {
				err = w.WriteEvent(evp)
			} else {
				err = err2
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), taken
}

// TestCopyBlocks checks that copying event blocks as they are writes the
// bytes writing the decoded events does, for every trace (V1 blocks are
// rewritten) and for a copy written by the Writer (where every block is
// taken as it is).
func TestCopyBlocks(t *testing.T) {
	traces := loadTraces(t)
	var names []string
	for n := range traces {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		want, _ := copyEvents(t, traces[n], false)
		got, _ := copyEvents(t, traces[n], true)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: copying blocks writes %d bytes, writing events %d, not the same", n, len(got), len(want))
		}
		again, taken := copyEvents(t, want, true)
		if !bytes.Equal(again, want) {
			t.Errorf("%s: copying the copy changes it", n)
		}
		if taken == 0 {
			t.Errorf("%s: no block of the copy taken as it is", n)
		}
	}
}
