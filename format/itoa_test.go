package format

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendUint checks AppendUint and AppendInt against strconv at the
// edges of every number of digits and on random values, appended to a
// slice with and without room.
func TestAppendUint(t *testing.T) {
	var us []uint64
	for p := uint64(1); ; p *= 10 {
		us = append(us, p-1, p, p+1, 2*p-1)
		if p > math.MaxUint64/10 {
			break
		}
	}
	us = append(us, math.MaxUint64, math.MaxUint64-1, 1<<63, 1<<63-1)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		us = append(us, r.Uint64()>>r.IntN(64))
	}
	roomy := make([]byte, 1, 64)
	roomy[0] = 'x'
	for _, u := range us {
		want := "x" + strconv.FormatUint(u, 10)
		if got := string(AppendUint([]byte("x"), u)); got != want {
			t.Fatalf("AppendUint(%d) = %q, want %q", u, got, want)
		}
		if got := string(AppendUint(roomy, u)); got != want {
			t.Fatalf("AppendUint(%d), with room = %q, want %q", u, got, want)
		}
		for _, v := range []int64{int64(u), -int64(u)} {
			if got, want := string(AppendInt(nil, v)), strconv.FormatInt(v, 10); got != want {
				t.Fatalf("AppendInt(%d) = %q, want %q", v, got, want)
			}
		}
	}
	for _, v := range []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, 0, -1} {
		if got, want := string(AppendInt(nil, v)), strconv.FormatInt(v, 10); got != want {
			t.Fatalf("AppendInt(%d) = %q, want %q", v, got, want)
		}
	}
}
