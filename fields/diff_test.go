package fields

import (
	"fmt"
	"strings"
)

// diff describes the first differences between sysdig's result and ours.
func diff(want, got result) string {
	var b strings.Builder
	if want.Err != got.Err {
		fmt.Fprintf(&b, "error: sysdig %q, syscope %q\n", want.Err, got.Err)
	}
	wl := strings.Split(want.Out, "\n")
	gl := strings.Split(got.Out, "\n")
	n := 0
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w == g {
			continue
		}
		fmt.Fprintf(&b, "line %d:\n  sysdig:  %q\n  syscope: %q\n", i+1, w, g)
		if n++; n == 5 {
			break
		}
	}
	fmt.Fprintf(&b, "(%d lines from sysdig, %d from syscope)", len(wl), len(gl))
	return b.String()
}
