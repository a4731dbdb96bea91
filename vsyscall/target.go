package vsyscall

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// ScanOptions tunes Scan.
type ScanOptions struct {
	// Jobs is how many files are read and disassembled at once; 0 means
	// four per CPU.
	Jobs int
	// Podman is the podman (or docker) binary used to save a local
	// image; "" looks up podman, then docker, in $PATH.
	Podman string
	// MaxFileSize bounds the size of an ELF file read into memory from an
	// archive; 0 means 1 GiB. Larger files are reported in Warnings.
	MaxFileSize int64
}

// A Report is the result of Scan.
type Report struct {
	Target   string    `json:"target"`
	Findings []Finding `json:"findings"`
	// ELFFiles counts the x86-64 ELF files disassembled, Files all the
	// regular files looked at.
	ELFFiles int `json:"elf_files"`
	Files    int `json:"files"`
	// Warnings are files that could not be read or parsed; the rest of
	// the target was still scanned.
	Warnings []string `json:"warnings,omitempty"`
}

// FilesWithFindings counts the distinct files in r.Findings.
func (r *Report) FilesWithFindings() int {
	seen := map[string]bool{}
	for _, f := range r.Findings {
		seen[f.File] = true
	}
	return len(seen)
}

// Scan scans target for code that calls into the vsyscall page. target is
// an ELF file; a directory (a root filesystem, walked without following
// symbolic links, or an OCI image layout); a tar archive, plain or gzip
// (a root filesystem, a docker-archive from docker/podman save or an OCI
// archive, whose layers are scanned as they stream by); or, when no file of
// that name exists, the name of a local image, which is saved with podman
// (or docker) and scanned as an archive.
func Scan(ctx context.Context, target string, opts ScanOptions) (*Report, error) {
	s := newScanner(ctx, target, opts)
	err := s.scanTarget(target)
	s.wait()
	if err == nil {
		err = ctx.Err()
	}
	rep := s.report
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Addr < b.Addr
	})
	sort.Strings(rep.Warnings)
	return &rep, err
}

// A job is one file for a worker: on disk (path) or in memory (data).
type job struct {
	name string // name in findings
	path string
	data []byte
}

type scanner struct {
	ctx    context.Context
	opts   ScanOptions
	jobs   chan job
	wg     sync.WaitGroup
	mu     sync.Mutex
	report Report
}

func newScanner(ctx context.Context, target string, opts ScanOptions) *scanner {
	if opts.Jobs <= 0 {
		// Files are read more than disassembled: overlap the reads.
		opts.Jobs = 4 * runtime.GOMAXPROCS(0)
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = 1 << 30
	}
	s := &scanner{ctx: ctx, opts: opts, jobs: make(chan job, opts.Jobs), report: Report{Target: target}}
	for range opts.Jobs {
		s.wg.Add(1)
		go s.worker()
	}
	return s
}

func (s *scanner) wait() {
	close(s.jobs)
	s.wg.Wait()
}

func (s *scanner) submit(j job) error {
	select {
	case s.jobs <- j:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

func (s *scanner) warn(format string, args ...any) {
	s.mu.Lock()
	s.report.Warnings = append(s.report.Warnings, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *scanner) worker() {
	defer s.wg.Done()
	for j := range s.jobs {
		if s.ctx.Err() != nil {
			continue
		}
		elfFile, findings, err := s.scanJob(j)
		s.mu.Lock()
		s.report.Files++
		if elfFile {
			s.report.ELFFiles++
		}
		s.report.Findings = append(s.report.Findings, findings...)
		if err != nil {
			s.report.Warnings = append(s.report.Warnings, err.Error())
		}
		s.mu.Unlock()
	}
}

// scanJob scans one file, skipping anything that is not ELF after reading
// four bytes.
func (s *scanner) scanJob(j job) (isX8664 bool, findings []Finding, err error) {
	var r io.ReaderAt
	if j.data != nil {
		r = bytes.NewReader(j.data)
	} else {
		f, err := os.Open(j.path)
		if err != nil {
			return false, nil, err
		}
		defer f.Close()
		var magic [4]byte
		if n, _ := f.ReadAt(magic[:], 0); n < 4 || !isELF(magic[:]) {
			return false, nil, nil
		}
		r = f
	}
	findings, err = ScanELF(r, j.name)
	if errors.Is(err, ErrNotELF) {
		return false, nil, nil
	}
	if err != nil {
		return false, findings, err
	}
	return isX8664ELF(r), findings, nil
}

// isX8664ELF reads the class and machine of an ELF header.
func isX8664ELF(r io.ReaderAt) bool {
	var h [20]byte
	if n, _ := r.ReadAt(h[:], 0); n < 20 {
		return false
	}
	return h[4] == 2 && h[5] == 1 && h[18] == 62 && h[19] == 0
}

// scanTarget dispatches on what target is.
func (s *scanner) scanTarget(target string) error {
	fi, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) && looksLikeImageName(target) {
		return s.scanImage(target)
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(target, "oci-layout")); err == nil {
			return s.scanOCIDir(target)
		}
		return s.scanDir(target)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file or directory", target)
	}
	f, err := os.Open(target)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case isELF(head):
		findings, err := ScanELF(f, target)
		if err != nil {
			return err
		}
		s.report.Files, s.report.Findings = 1, findings
		if isX8664ELF(f) {
			s.report.ELFFiles = 1
		} else {
			s.warn("%s: not an x86-64 ELF file: nothing to scan", target)
		}
		return nil
	case isGzip(head), isTar(head):
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return s.scanArchive(bufio.NewReaderSize(f, 1<<20), target, "", 0)
	case isZstd(head):
		return fmt.Errorf("%s: zstd-compressed archives are not supported: decompress it first (zstd -d)", target)
	}
	return fmt.Errorf("%s: not an ELF file, a directory or an image archive (tar)", target)
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }
func isZstd(b []byte) bool { return len(b) >= 4 && string(b[:4]) == "\x28\xb5\x2f\xfd" }

// isTar recognizes a POSIX (ustar) or GNU tar header block.
func isTar(b []byte) bool {
	return len(b) >= 262 && string(b[257:262]) == "ustar"
}

// pseudoFS are the file systems whose files are not programs; a walk of
// "/" skips them (their regular files include /proc/kcore).
var pseudoFS = map[int64]bool{
	0x9fa0:     true, // proc
	0x62656572: true, // sysfs
	0x1cd1:     true, // devpts
	0x74726163: true, // tracefs
	0x64626720: true, // debugfs
	0x27e0eb:   true, // cgroup
	0x63677270: true, // cgroup2
	0xcafe4a11: true, // bpf
	0x73636673: true, // securityfs
}

// scanDir walks a root filesystem. filepath.WalkDir never follows symbolic
// links, so the walk stays inside root.
func (s *scanner) scanDir(root string) error {
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	var rootDev uint64
	if st, ok := statT(root); ok {
		rootDev = st.Dev
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			s.warn("%v", err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root {
				if st, ok := statT(p); ok && st.Dev != rootDev {
					var sfs syscall.Statfs_t
					if syscall.Statfs(p, &sfs) == nil && pseudoFS[int64(sfs.Type)] {
						return fs.SkipDir
					}
				}
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return s.submit(job{name: p, path: p})
	})
}

func statT(p string) (*syscall.Stat_t, bool) {
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		return nil, false
	}
	return &st, true
}

// scanOCIDir scans the blobs of an OCI image layout directory: every blob
// that is a layer (a tar, maybe gzip-compressed) is scanned; the JSON
// blobs are skipped.
func (s *scanner) scanOCIDir(dir string) error {
	blobs := filepath.Join(dir, "blobs")
	return filepath.WalkDir(blobs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			s.warn("%v", err)
			return nil
		}
		defer f.Close()
		br := bufio.NewReaderSize(f, 1<<20)
		head, _ := br.Peek(512)
		switch {
		case isGzip(head), isTar(head):
			return s.scanArchive(br, dir, layerLabel(p), 1)
		case isZstd(head):
			s.warn("%s: zstd-compressed layer skipped: not supported", p)
		}
		return nil
	})
}

var hex64 = regexp.MustCompile(`[0-9a-f]{64}`)

// layerLabel names a layer by the first 12 hex digits of its digest or id,
// or by its name in the archive.
func layerLabel(name string) string {
	if m := hex64.FindString(name); m != "" {
		return m[:12]
	}
	return strings.TrimSuffix(path.Base(name), ".tar")
}

// scanArchive streams a tar archive (maybe gzip-compressed). Entries that
// are ELF files are scanned; entries that are archives themselves (the
// layers of docker-archive and OCI archives) are scanned in turn, one
// level deep. label names the archive in findings, layer the layer.
func (s *scanner) scanArchive(r io.Reader, label, layer string, depth int) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	head, _ := br.Peek(512)
	if isGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", archiveName(label, layer), err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<20)
	}
	tr := tar.NewReader(br)
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", archiveName(label, layer), err)
		}
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeRegA {
			continue
		}
		eb := bufio.NewReaderSize(tr, 64<<10)
		head, _ := eb.Peek(512)
		name := "/" + strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		switch {
		case isELF(head):
			if hdr.Size > s.opts.MaxFileSize {
				s.warn("%s%s: %d bytes: too large to scan", archiveName(label, layer), name, hdr.Size)
				continue
			}
			data, err := io.ReadAll(eb)
			if err != nil {
				return fmt.Errorf("%s%s: %w", archiveName(label, layer), name, err)
			}
			if err := s.submit(job{name: archiveName(label, layer) + name, data: data}); err != nil {
				return err
			}
		case depth == 0 && (isTar(head) || (isGzip(head) && looksLikeLayer(hdr.Name))):
			if err := s.scanArchive(eb, label, layerLabel(hdr.Name), depth+1); err != nil {
				return err
			}
		case depth == 0 && isZstd(head) && looksLikeLayer(hdr.Name):
			s.warn("%s: zstd-compressed layer skipped: not supported", archiveName(label, layerLabel(hdr.Name)))
		default:
			s.mu.Lock()
			s.report.Files++
			s.mu.Unlock()
		}
	}
}

// looksLikeLayer tells a compressed layer blob of an image archive from a
// compressed file inside a root filesystem archive.
func looksLikeLayer(name string) bool {
	return strings.HasPrefix(name, "blobs/") || strings.HasSuffix(name, ".tar") ||
		strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".tgz") || hex64.MatchString(name)
}

// archiveName is the prefix of findings in an archive: "ARCHIVE:" or
// "ARCHIVE[LAYER]:".
func archiveName(label, layer string) string {
	if layer == "" {
		return label + ":"
	}
	return label + "[" + layer + "]:"
}

// imageRef matches what can name a local image: [host[:port]/]path[:tag][@digest].
var imageRef = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._\-/:]*(@sha256:[0-9a-f]{64})?$`)

func looksLikeImageName(s string) bool {
	return imageRef.MatchString(s) && !strings.HasPrefix(s, ".") && !strings.HasPrefix(s, "/")
}

// scanImage saves a local image to a temporary docker-archive and scans it.
func (s *scanner) scanImage(name string) error {
	tool := s.opts.Podman
	if tool == "" {
		for _, t := range []string{"podman", "docker"} {
			if p, err := exec.LookPath(t); err == nil {
				tool = p
				break
			}
		}
	}
	if tool == "" {
		return fmt.Errorf("%s: no such file, and neither podman nor docker is installed to save it as an image; pass an archive made by 'podman save' or 'docker save' instead", name)
	}
	dir, err := os.MkdirTemp("", "syscope-vsyscall-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "image.tar")
	args := []string{"image", "save", "-o", out, name}
	if strings.Contains(filepath.Base(tool), "podman") {
		args = []string{"image", "save", "--format", "docker-archive", "-o", out, name}
	}
	cmd := exec.CommandContext(s.ctx, tool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s: no such file, and %s could not save it as an image: %s", name, filepath.Base(tool), msg)
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	return s.scanArchive(bufio.NewReaderSize(f, 1<<20), name, "", 0)
}
