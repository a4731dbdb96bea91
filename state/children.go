package state

// sinsp counts, in each main thread, the threads of its process made by
// clone with CLONE_THREAD (m_nchilds, printed as proc.nchilds, and
// proc.nthreads is the main thread's count plus one). The count also
// decides when an exited thread leaves the table: never while it is not
// 0. This file keeps that count the way sinsp_thread_manager does, with
// its quirks (a placeholder main thread counts the threads naming it as
// their process, and the thread being added on top).

// addChild is increment_mainthread_childcount: a thread made by clone
// with CLONE_THREAD counts in its main thread, which is made up as a
// placeholder when unknown. Call it before the thread joins the table.
func (s *State) addChild(t *Thread) {
	if t.Flags&clCloneThread == 0 {
		return
	}
	if m := s.lookupOrFake(t.PID); m != nil {
		m.NChilds++
	}
}

// countChildren is what sinsp counts for a placeholder thread made up for
// tid: the threads of the table whose process is tid.
func (s *State) countChildren(tid int64) uint64 {
	var n uint64
	for _, t := range s.threads {
		if t.PID == tid {
			n++
		}
	}
	return n
}

// createChildDeps is create_child_dependencies, run after the process
// list of a file is read, and after a forced removal.
func (s *State) createChildDeps() {
	for _, t := range s.threads {
		s.addChild(t)
	}
}

// removeThread is sinsp_thread_manager::remove_thread. An exited thread
// (force false) stays while other threads count in it. A removed thread
// made by CLONE_THREAD no longer counts in its main thread; removing one
// that others counted in makes sinsp count everything again.
func (s *State) removeThread(tid int64, force bool) {
	t := s.thread(tid)
	if t == nil {
		return
	}
	n := t.NChilds
	if n != 0 && !force {
		return
	}
	if t.Flags&clCloneThread != 0 {
		if m := s.thread(t.PID); m != nil && m.NChilds > 0 {
			m.NChilds--
		}
	}
	delete(s.threads, tid)
	s.tcache[uint64(tid)%threadCacheSize].t = nil
	s.gen++
	if n != 0 {
		for _, t := range s.threads {
			t.NChilds = 0
		}
		s.createChildDeps()
	}
}
