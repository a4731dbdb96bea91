package state

import (
	"testing"

	"github.com/syscope/syscope/event"
)

func TestNeeds(t *testing.T) {
	for _, c := range []event.Code{evOpenX, evOpenX - 1, evSchedSwitch6E, evSchedSwitch6E + 1, evContainerJS2E, evClone20X, evClone20X - 1, evSetuidX - 1} {
		if !Needs(c) {
			t.Errorf("Needs(%d) is false", c)
		}
	}
	// read and write: nothing of theirs goes into the state.
	for _, c := range []event.Code{6, 7, 8, 9} {
		if Needs(c) {
			t.Errorf("Needs(%d) is true", c)
		}
	}
}
