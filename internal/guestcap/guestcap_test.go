package guestcap

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/syscope/syscope/internal/probe"
)

// The boot itself is tested where the capture is read: cmd/syscope's
// TestLiveGuestVsyscall. These tests need no VM.

func TestDecode(t *testing.T) {
	// Bytes gzip cannot shrink much, so that the text has several lines.
	want := make([]byte, 1000)
	x := uint32(1)
	for i := range want {
		x = x*1664525 + 1013904223
		want[i] = byte(x >> 24)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(want)
	zw.Close()
	b64 := base64.StdEncoding.EncodeToString(gz.Bytes())
	var lines []string
	for len(b64) > 76 {
		lines = append(lines, b64[:76])
		b64 = b64[76:]
	}
	lines = append(lines, b64)
	console := "probe attached\noldtime exit=139\n" + beginCapture + "\n" + strings.Join(lines, "\n") + "\n" + endCapture + "\n"
	got, err := decode(console)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("decode: %v, %d bytes", err, len(got))
	}

	// A damaged transfer is an error, never a wrong file.
	bad := strings.Replace(console, lines[1][:8], "AAAAAAAA", 1)
	if _, err := decode(bad); err == nil {
		t.Error("decode of a damaged capture: no error")
	}
	if _, err := decode("oldtime exit=139\n"); err == nil || !strings.Contains(err.Error(), "no capture") {
		t.Errorf("decode without a capture: %v", err)
	}
	if _, err := decode(beginCapture + "\nAAAA\n"); err == nil || !strings.Contains(err.Error(), "end marker") {
		t.Errorf("decode without the end marker: %v", err)
	}
}

func TestScript(t *testing.T) {
	s := script()
	n := len(probe.Tracepoints(probe.Options{PageFaults: true}))
	for _, want := range []string{
		"/syscope -w /tmp/cap.scap --page-faults",
		fmt.Sprintf(`[ "$links" -ge %d ]`, n),
		"/oldtime\necho \"oldtime exit=$?\"",
		"kill -INT $pid",
		"gzip -c /tmp/cap.scap | base64",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
}
