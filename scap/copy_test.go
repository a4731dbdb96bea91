package scap_test

import (
	"bytes"
	"io"
	"sort"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// copyEvents copies data with a Writer, section by section, with
// NextBlock and WriteEventBlock (blocks as they are) or with Next and
// WriteEvent.
func copyEvents(t *testing.T, data []byte, blocks bool) ([]byte, int) {
	t.Helper()
	out, taken, err := copyEventsErr(data, blocks)
	if err != nil {
		t.Fatal(err)
	}
	return out, taken
}

// copyEventsErr is copyEvents, with blocks, returning what went wrong.
func copyEventsErr(data []byte, blocks ...bool) ([]byte, int, error) {
	byBlock := len(blocks) == 0 || blocks[0]
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(bytes.NewReader(data), rec)
	if err != nil {
		return nil, 0, err
	}
	defer rd.Close()
	var out bytes.Buffer
	w := scap.NewWriter(&out, scap.WriterOptions{})
	taken := 0
	for {
		var evp *event.Event
		var blk []byte
		var err error
		if byBlock {
			evp, blk, err = rd.NextBlock()
		} else {
			evp, err = rd.Next()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, taken, err
		}
		if rec.Fresh {
			if err := w.WriteMeta(&rec.Meta); err != nil {
				return nil, taken, err
			}
			rec.Fresh = false
		}
		if blk != nil {
			taken++
		}
		if byBlock {
			err = w.WriteEventBlock(evp, blk)
		} else {
			err = w.WriteEvent(evp)
		}
		if err != nil {
			return nil, taken, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, taken, err
	}
	return out.Bytes(), taken, nil
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
