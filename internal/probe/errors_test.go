package probe

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrors(t *testing.T) {
	err := fmt.Errorf("open: %w", &TracepointError{Name: "exceptions:page_fault_user", Needed: "page fault capture"})
	if !errors.Is(err, ErrTracepointMissing) {
		t.Error("a TracepointError is not ErrTracepointMissing")
	}
	if errors.Is(err, ErrNoBTF) {
		t.Error("a TracepointError is ErrNoBTF")
	}
	want := "open: this kernel has no tracepoint exceptions:page_fault_user, which page fault capture needs"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	var te *TracepointError
	if !errors.As(err, &te) || te.Name != "exceptions:page_fault_user" {
		t.Error("errors.As does not find the TracepointError")
	}
}

func TestStateSyscall(t *testing.T) {
	// x86_64 numbers: execve 59, clone 56, openat 257, close 3 are state;
	// getppid 110 and read 0 are not.
	for nr, want := range map[int]bool{59: true, 56: true, 257: true, 3: true, 435: true, 110: false, 0: false} {
		if got := StateSyscall(nr); got != want {
			t.Errorf("StateSyscall(%d) = %v, want %v", nr, got, want)
		}
	}
}
