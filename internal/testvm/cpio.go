package testvm

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// An initramfs is the tree of an initramfs: directories, files, symbolic
// links and device nodes, keyed by absolute guest path.
type initramfs struct {
	entries map[string]entry
}

type entry struct {
	mode         uint32 // file type and permission bits, as in stat
	data         []byte // file contents, or the target of a symbolic link
	open         func() (io.ReadCloser, int64, error)
	major, minor uint32 // device numbers of a device node
}

const (
	sIFDIR = 0o040000
	sIFREG = 0o100000
	sIFLNK = 0o120000
	sIFCHR = 0o020000
)

func newInitramfs() *initramfs { return &initramfs{entries: map[string]entry{}} }

// mkdirAll adds p and its parents as directories.
func (fs *initramfs) mkdirAll(p string) {
	for p != "/" && p != "" {
		if _, ok := fs.entries[p]; !ok {
			fs.entries[p] = entry{mode: sIFDIR | 0o755}
		}
		p = p[:strings.LastIndex(p, "/")]
	}
}

func (fs *initramfs) parent(p string) {
	if i := strings.LastIndex(p, "/"); i > 0 {
		fs.mkdirAll(p[:i])
	}
}

func (fs *initramfs) addData(p string, perm uint32, data []byte) {
	fs.parent(p)
	fs.entries[p] = entry{mode: sIFREG | perm, data: data}
}

func (fs *initramfs) addFile(p string, perm uint32, open func() (io.ReadCloser, int64, error)) {
	fs.parent(p)
	fs.entries[p] = entry{mode: sIFREG | perm, open: open}
}

func (fs *initramfs) addSymlink(p, target string) {
	fs.parent(p)
	fs.entries[p] = entry{mode: sIFLNK | 0o777, data: []byte(target)}
}

func (fs *initramfs) addCharDev(p string, perm, major, minor uint32) {
	fs.parent(p)
	fs.entries[p] = entry{mode: sIFCHR | perm, major: major, minor: minor}
}

// write packs the tree as a cpio archive in the "newc" format the kernel
// unpacks (what "cpio -o -H newc" writes), parents before children.
func (fs *initramfs) write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	paths := make([]string, 0, len(fs.entries))
	for p := range fs.entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	ino := uint32(1)
	for _, p := range paths {
		e := fs.entries[p]
		var size int64
		var body io.Reader
		switch {
		case e.open != nil:
			rc, n, err := e.open()
			if err != nil {
				return err
			}
			defer rc.Close()
			size, body = n, io.LimitReader(rc, n)
		case e.data != nil:
			size, body = int64(len(e.data)), strings.NewReader(string(e.data))
		}
		nlink := uint32(1)
		if e.mode&0o170000 == sIFDIR {
			nlink = 2
		}
		if err := writeHeader(bw, strings.TrimPrefix(p, "/"), ino, e.mode, nlink, uint32(size), e.major, e.minor); err != nil {
			return err
		}
		ino++
		if body != nil {
			n, err := io.Copy(bw, body)
			if err != nil {
				return fmt.Errorf("packing %s: %w", p, err)
			}
			if n != size {
				return fmt.Errorf("packing %s: file changed size", p)
			}
			if err := pad(bw, size); err != nil {
				return err
			}
		}
	}
	if err := writeHeader(bw, "TRAILER!!!", 0, 0, 1, 0, 0, 0); err != nil {
		return err
	}
	return bw.Flush()
}

// writeHeader writes a newc header and the name, padded to 4 bytes.
func writeHeader(w *bufio.Writer, name string, ino, mode, nlink, size, rmajor, rminor uint32) error {
	_, err := fmt.Fprintf(w, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%s\x00",
		ino, mode, 0, 0, nlink, 0, size, 0, 0, rmajor, rminor, len(name)+1, 0, name)
	if err != nil {
		return err
	}
	return pad(w, int64(110+len(name)+1))
}

func pad(w *bufio.Writer, n int64) error {
	for ; n%4 != 0; n++ {
		if err := w.WriteByte(0); err != nil {
			return err
		}
	}
	return nil
}
