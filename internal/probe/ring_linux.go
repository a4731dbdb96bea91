//go:build linux

package probe

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A ring reads one BPF ring buffer in place, through the two mappings the
// kernel offers: the consumer page (read-write: where user space says how
// far it has read) and the producer page followed by the data area
// (read-only), which the kernel maps twice in a row so that a record that
// wraps around the end is still contiguous in memory. Reading in place
// rather than with ringbuf.Reader lets the merge look at the head record of
// every CPU without copying it, and consume it only once it was returned.
//
// The layout is the kernel's (kernel/bpf/ringbuf.c): each record starts
// with an 8-byte header, a u32 length whose top bits are BUSY (still being
// written) and DISCARD, and a u32 page offset; records are 8-byte aligned.
type ring struct {
	cpu      int
	fd       int
	cons     []byte // consumer page
	data     []byte // producer page + 2 * size of data
	mask     uint64
	consPos  *uint64 // in cons
	prodPos  *uint64 // in data
	pos      uint64  // our consumer position, published to consPos
	pageSize int

	// prod is the producer position last read: records up to it can be
	// read without looking at the producer page again. published is the
	// position last stored in consPos, and publishEvery how far pos may
	// run ahead of it. Both caches are about one cache line each: the
	// kernel writes the producer position and reads the consumer position
	// at every record it adds, from the CPU that runs the traced program,
	// so a reader that loaded and stored them at every record would pull
	// those lines back and forth between CPUs at every event, a cost the
	// traced program pays.
	prod         uint64
	published    uint64
	publishEvery uint64
}

const (
	ringbufBusyBit    = 1 << 31
	ringbufDiscardBit = 1 << 30
	ringbufHdrSize    = 8
)

func newRing(cpu, fd, size int) (*ring, error) {
	ps := os.Getpagesize()
	cons, err := unix.Mmap(fd, 0, ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map the consumer page of CPU %d's ring buffer: %w", cpu, err)
	}
	data, err := unix.Mmap(fd, int64(ps), ps+2*size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		_ = unix.Munmap(cons)
		return nil, fmt.Errorf("map CPU %d's ring buffer: %w", cpu, err)
	}
	r := &ring{
		cpu:      cpu,
		fd:       fd,
		cons:     cons,
		data:     data,
		mask:     uint64(size - 1),
		consPos:  (*uint64)(unsafe.Pointer(&cons[0])),
		prodPos:  (*uint64)(unsafe.Pointer(&data[0])),
		pageSize: ps,
		// A sixteenth of the ring at most stays unreusable for lack of
		// publishing: the rest is room enough.
		publishEvery: uint64(size / 16),
	}
	r.pos = atomic.LoadUint64(r.consPos)
	r.published = r.pos
	r.prod = r.pos
	return r, nil
}

// peek returns the next record without consuming it, and its size in the
// ring (header and padding included). ok is false if there is none yet,
// either because the ring is empty or because the next record is still
// being written.
func (r *ring) peek() (rec []byte, size uint64, ok bool) {
	if r.pos >= r.prod {
		r.prod = atomic.LoadUint64(r.prodPos)
	}
	for r.pos < r.prod {
		off := r.pageSize + int(r.pos&r.mask)
		hdr := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[off])))
		if hdr&ringbufBusyBit != 0 {
			return nil, 0, false
		}
		n := uint64(hdr &^ (ringbufBusyBit | ringbufDiscardBit))
		size = (n + ringbufHdrSize + 7) &^ 7
		if hdr&ringbufDiscardBit != 0 {
			r.advance(size)
			continue
		}
		start := off + ringbufHdrSize
		return r.data[start : start+int(n) : start+int(n)], size, true
	}
	return nil, 0, false
}

// pending says whether the kernel has added a record the reader has not
// seen, possibly still being written.
func (r *ring) pending() bool {
	return atomic.LoadUint64(r.prodPos) > r.pos
}

// advance consumes size bytes. The kernel, which may then reuse them, is
// told once publishEvery bytes were consumed, or by publish.
func (r *ring) advance(size uint64) {
	r.pos += size
	if r.pos-r.published >= r.publishEvery {
		r.publish()
	}
}

// publish tells the kernel how far the reader is. It must be called before
// waiting for a wakeup: the kernel wakes the reader when it adds a record at
// the published position (the reader had caught up), so a reader that had
// caught up without saying so would not be woken.
func (r *ring) publish() {
	if r.published != r.pos {
		r.published = r.pos
		atomic.StoreUint64(r.consPos, r.pos)
	}
}

func (r *ring) close() {
	if r.data != nil {
		_ = unix.Munmap(r.data)
		r.data = nil
	}
	if r.cons != nil {
		_ = unix.Munmap(r.cons)
		r.cons = nil
	}
}
