package main

import (
	"bufio"
	"strconv"

	"github.com/syscope/syscope/event"
)

// The -S summary: how many times each event type was seen, printed as a
// table sorted by count. sysdig keeps one counter per event code (0 to
// PPM_EVENT_MAX) followed by one per system call and direction for the
// generic syscall events, sorts them with std::sort (which is not stable:
// the order of equal counts is whatever libstdc++'s introsort leaves), and
// prints the first 100 non-zero ones. We reproduce that sort step by step
// so that ties come out in the same order.

const (
	ppmEventMax029 = 336 // PPM_EVENT_MAX of the libs sysdig 0.29.3 is built with
	ppmSCMax029    = 329 // PPM_SC_MAX of the same
	summaryRows    = 100
	genericEnter   = event.Code(0) // PPME_GENERIC_E
	genericExit    = event.Code(1) // PPME_GENERIC_X
)

type summaryEntry struct {
	calls   uint64
	id      uint16
	syscall bool // id is 2*syscall+direction rather than an event code
}

type summary struct {
	entries []summaryEntry
}

func newSummary() *summary {
	s := &summary{entries: make([]summaryEntry, 0, ppmEventMax029+2*ppmSCMax029)}
	for j := 0; j < ppmEventMax029; j++ {
		s.entries = append(s.entries, summaryEntry{id: uint16(j)})
	}
	for j := 0; j < 2*ppmSCMax029; j++ {
		s.entries = append(s.entries, summaryEntry{id: uint16(j), syscall: true})
	}
	return s
}

// count records one event.
func (s *summary) count(e *event.Event) {
	switch e.Type {
	case genericEnter, genericExit:
		id := int(int16(event.U16(e.Param(0))))
		if id < 0 || id >= ppmSCMax029 {
			// sysdig would index past its table; count nothing.
			return
		}
		s.entries[ppmEventMax029+2*id+int(e.Type)].calls++
	default:
		if int(e.Type) < ppmEventMax029 {
			s.entries[e.Type].calls++
		}
	}
}

// print writes the table as sysdig does.
func (s *summary) print(w *bufio.Writer) {
	w.WriteString("----------------------\n")
	w.WriteString("Event           #Calls\n")
	w.WriteString("----------------------\n")
	sortEntries(s.entries)
	for j := 0; j < summaryRows && j < len(s.entries); j++ {
		e := s.entries[j]
		if e.calls == 0 {
			break
		}
		var name string
		if e.syscall {
			name = event.SyscallName(e.id / 2)
		} else {
			name = eventName029(event.Code(e.id))
		}
		if e.id%2 == 0 {
			w.WriteString("> ")
		} else {
			w.WriteString("< ")
		}
		w.WriteString(padTo16(name))
		w.WriteString(strconv.FormatUint(e.calls, 10))
		w.WriteByte('\n')
	}
}

// padTo16 is std::string::resize(16, ' '): pad or cut to 16 bytes.
func padTo16(s string) string {
	if len(s) >= 16 {
		return s[:16]
	}
	return s + "                "[:16-len(s)]
}

// eventName029 is the name sysdig 0.29.3 gives an event code.
func eventName029(c event.Code) string {
	if info := event.Lookup(c); info != nil {
		return info.Name
	}
	return "NA"
}

// The comparator of sysdig's summary_table_entry_rsort_comparer.
func summaryLess(a, b *summaryEntry) bool { return a.calls > b.calls }

// sortEntries is libstdc++'s std::sort (GCC 12): introsort with a
// median-of-three pivot moved to the front, an unguarded partition, a
// depth limit of 2*floor(log2(n)) that falls back to heapsort, and a final
// insertion sort over runs of at most 16.
func sortEntries(a []summaryEntry) {
	n := len(a)
	if n == 0 {
		return
	}
	lg := 0
	for m := n; m > 1; m >>= 1 {
		lg++
	}
	introsortLoop(a, 0, n, 2*lg)
	finalInsertionSort(a, 0, n)
}

const sortThreshold = 16

func introsortLoop(a []summaryEntry, first, last, depth int) {
	for last-first > sortThreshold {
		if depth == 0 {
			heapSort(a[first:last])
			return
		}
		depth--
		cut := partitionPivot(a, first, last)
		introsortLoop(a, cut, last, depth)
		last = cut
	}
}

func partitionPivot(a []summaryEntry, first, last int) int {
	mid := first + (last-first)/2
	moveMedianToFirst(a, first, first+1, mid, last-1)
	return unguardedPartition(a, first+1, last, first)
}

func moveMedianToFirst(a []summaryEntry, result, x, y, z int) {
	less := func(i, j int) bool { return summaryLess(&a[i], &a[j]) }
	swap := func(i, j int) { a[i], a[j] = a[j], a[i] }
	if less(x, y) {
		switch {
		case less(y, z):
			swap(result, y)
		case less(x, z):
			swap(result, z)
		default:
			swap(result, x)
		}
	} else {
		switch {
		case less(x, z):
			swap(result, x)
		case less(y, z):
			swap(result, z)
		default:
			swap(result, y)
		}
	}
}

func unguardedPartition(a []summaryEntry, first, last, pivot int) int {
	for {
		for summaryLess(&a[first], &a[pivot]) {
			first++
		}
		last--
		for summaryLess(&a[pivot], &a[last]) {
			last--
		}
		if first >= last {
			return first
		}
		a[first], a[last] = a[last], a[first]
		first++
	}
}

func finalInsertionSort(a []summaryEntry, first, last int) {
	if last-first > sortThreshold {
		insertionSort(a, first, first+sortThreshold)
		for i := first + sortThreshold; i < last; i++ {
			unguardedLinearInsert(a, i)
		}
		return
	}
	insertionSort(a, first, last)
}

func insertionSort(a []summaryEntry, first, last int) {
	if first == last {
		return
	}
	for i := first + 1; i < last; i++ {
		if summaryLess(&a[i], &a[first]) {
			v := a[i]
			copy(a[first+1:i+1], a[first:i])
			a[first] = v
		} else {
			unguardedLinearInsert(a, i)
		}
	}
}

func unguardedLinearInsert(a []summaryEntry, last int) {
	v := a[last]
	next := last - 1
	for summaryLess(&v, &a[next]) {
		a[last] = a[next]
		last = next
		next--
	}
	a[last] = v
}

// heapSort is std::make_heap followed by std::sort_heap.
func heapSort(a []summaryEntry) {
	n := len(a)
	if n < 2 {
		return
	}
	for parent := (n - 2) / 2; ; parent-- {
		adjustHeap(a, parent, n, a[parent])
		if parent == 0 {
			break
		}
	}
	for last := n - 1; last > 0; last-- {
		v := a[last]
		a[last] = a[0]
		adjustHeap(a, 0, last, v)
	}
}

func adjustHeap(a []summaryEntry, hole, n int, v summaryEntry) {
	top := hole
	child := hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if summaryLess(&a[child], &a[child-1]) {
			child--
		}
		a[hole] = a[child]
		hole = child
	}
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		a[hole] = a[child-1]
		hole = child - 1
	}
	parent := (hole - 1) / 2
	for hole > top && summaryLess(&a[parent], &v) {
		a[hole] = a[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	a[hole] = v
}
