package scap

// ReadAhead makes rd hand its reading to the pipe's goroutine from its
// next event on, whatever the file's length, so that tests go through it.
func ReadAhead(rd *Reader) { rd.asyncAfter = 0 }

// MapAll makes readers map every regular file, however short, until the
// returned function is called.
func MapAll() (restore func()) {
	old := mapMin
	mapMin = 1
	return func() { mapMin = old }
}

// Released is how much of a mapped file rd has given back.
func Released(rd *Reader) int {
	if rd.mp == nil {
		return 0
	}
	return rd.mp.released
}
