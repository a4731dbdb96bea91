//go:build linux

package scap

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// mapMin is the smallest file worth mapping: below it, reading costs
// less than setting up and tearing down a mapping. Tests lower it.
var mapMin int64 = 1 << 20

// mapFile maps the rest of f, from its current offset, when f is a regular
// file of at least mapMin bytes that is not gzip-compressed; nil
// otherwise, for the caller to read f as a stream.
func mapFile(f *os.File) *mapped {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < mapMin || int64(int(fi.Size())) != fi.Size() {
		return nil
	}
	at, err := f.Seek(0, io.SeekCurrent)
	if err != nil || fi.Size()-at < mapMin {
		return nil
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	if at+2 <= fi.Size() && data[at] == 0x1f && data[at+1] == 0x8b {
		_ = unix.Munmap(data)
		return nil
	}
	// Read once, front to back: the kernel may read ahead generously and
	// drop pages behind.
	_ = unix.Madvise(data, unix.MADV_SEQUENTIAL)
	m := &mapped{data: data, pos: int(at), unmap: func() { _ = unix.Munmap(data) }}
	// Pages read stay mapped, and count in the process's resident
	// memory, until given back: a long file would otherwise cost its
	// whole size. Given back, a page is read again from the page cache
	// if it is touched again.
	m.release = func(n int) { _ = unix.Madvise(data[m.released:n], unix.MADV_DONTNEED) }
	return m
}

// releasePage is the unit of release: madvise works on whole pages.
var releasePage = os.Getpagesize()

func init() {
	if releasePage <= 0 || releasePage&(releasePage-1) != 0 {
		releasePage = 4096
	}
}
