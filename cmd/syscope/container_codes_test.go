package main

import (
	"testing"

	"github.com/syscope/syscope/event"
)

// TestContainerCodes keeps isContainerEvent's codes in step with the
// event table: exactly the enter events named "container".
func TestContainerCodes(t *testing.T) {
	for c := 0; c < event.NumCodes(); c++ {
		code := event.Code(c)
		info := event.Lookup(code)
		want := info != nil && code.IsEnter() && info.Name == "container"
		if got := isContainerEvent(code); got != want {
			t.Errorf("code %d: isContainerEvent %v, table says %v", c, got, want)
		}
	}
}
