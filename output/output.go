// Package output is the one place simulate writes the files a user names
// (--trace, --diagram, --plot, --out, render -o). Whatever is at the path
// stays what it was: a regular file (or a missing path) is replaced
// atomically, so a reader never sees half an output and a failed run
// leaves the old file; a symlink is followed and its target written; a
// FIFO, a character device, /dev/stdout and their kin are written through,
// never replaced by a regular file. New files get 0666 minus the umask,
// as any Unix tool's, and a replaced file keeps its mode. Errors name the
// user's path, never a temporary file's.
package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Write writes path through fill: atomically when path is (or leads by
// symlinks to) a regular file or nothing, straight through otherwise.
func Write(path string, fill func(w io.Writer) error) error {
	t, err := Resolve(path)
	if err != nil {
		return err
	}
	if !t.Regular {
		return t.writeThrough(fill)
	}
	a, err := t.Create()
	if err != nil {
		return err
	}
	if err := fill(a.File); err != nil {
		a.Abort()
		return pathErr(path, "write", err)
	}
	return a.Commit()
}

// Target is where an output path leads.
type Target struct {
	// Path is what the user named; errors name it.
	Path string
	// Real is the file written: Path with its symlinks followed.
	Real string
	// Regular is true for a regular file or a path that does not exist
	// yet: those are replaced atomically. Anything else is written through.
	Regular bool
	// Exists reports whether Real exists; Mode is its permission bits then.
	Exists bool
	Mode   fs.FileMode
	// fd is set for the paths that name one of this process's open files
	// (/dev/stdout, /dev/fd/N, /proc/self/fd/N): those are written to the
	// open file itself, at its offset, as a shell's redirection expects.
	fd int
}

// Resolve looks at what path leads to.
func Resolve(path string) (Target, error) {
	t := Target{Path: path, Real: path, fd: -1}
	if path == "" {
		return t, errors.New("empty output path")
	}
	if fd, ok := ownFD(path); ok {
		t.fd = fd
		return t, nil
	}
	fi, err := os.Stat(path) // follows symlinks
	switch {
	case err == nil && fi.IsDir():
		return t, pathErr(path, "write", errors.New("is a directory"))
	case err == nil && !fi.Mode().IsRegular():
		return t, nil // FIFO, device, socket: written through
	case err == nil:
		real, err := filepath.EvalSymlinks(path)
		if err != nil || isMagic(real) {
			return t, nil // a /proc link to an open file: write through
		}
		t.Real, t.Regular, t.Exists, t.Mode = real, true, true, fi.Mode().Perm()
		return t, nil
	case errors.Is(err, fs.ErrNotExist):
		real, err := danglingTarget(path)
		if err != nil {
			return t, pathErr(path, "write", err)
		}
		t.Real, t.Regular = real, true
		return t, nil
	default:
		return t, pathErr(path, "write", err)
	}
}

// ownFD recognises the names of this process's open files.
func ownFD(path string) (int, bool) {
	switch path {
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	for _, prefix := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if n, ok := strings.CutPrefix(path, prefix); ok {
			if fd, err := strconv.Atoi(n); err == nil && fd >= 0 {
				return fd, true
			}
		}
	}
	return -1, false
}

func isMagic(p string) bool {
	return strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/dev/")
}

// danglingTarget follows the symlinks of a path that does not exist yet to
// the name a new file must get so that the links lead to it.
func danglingTarget(path string) (string, error) {
	p := path
	for hops := 0; ; hops++ {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 || hops > 40 {
			return "", errors.New("cannot follow the symlink")
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
}

// writeThrough writes to what is there without replacing it.
func (t Target) writeThrough(fill func(w io.Writer) error) error {
	var f *os.File
	if t.fd >= 0 {
		f = os.NewFile(uintptr(t.fd), t.Path)
		if f == nil {
			return pathErr(t.Path, "write", errors.New("bad file descriptor"))
		}
		// Not closed: the descriptor is the process's, not ours.
		if err := fill(f); err != nil {
			return pathErr(t.Path, "write", err)
		}
		return nil
	}
	f, err := os.OpenFile(t.Path, os.O_WRONLY, 0)
	if err != nil {
		return pathErr(t.Path, "open", err)
	}
	if err := fill(f); err != nil {
		f.Close()
		return pathErr(t.Path, "write", err)
	}
	if err := f.Close(); err != nil {
		return pathErr(t.Path, "write", err)
	}
	return nil
}

// Atomic is a new version of a regular file being written: a temporary
// file beside the target, renamed over it by Commit.
type Atomic struct {
	File *os.File
	t    Target
	tmp  string
}

var tmpSeq atomic.Uint64

// Create starts an atomic replacement of t, which must be Regular. The
// temporary file is created with mode 0666 (the umask applies, as to any
// new file) or, replacing a file, chmodded to that file's mode.
func (t Target) Create() (*Atomic, error) {
	if !t.Regular {
		return nil, pathErr(t.Path, "write", errors.New("not a regular file"))
	}
	dir, base := filepath.Split(t.Real)
	if dir == "" {
		dir = "."
	}
	for {
		name := filepath.Join(dir, fmt.Sprintf(".%s.%d.%d.tmp", base, os.Getpid(), tmpSeq.Add(1)))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, pathErr(t.Path, "create", err)
		}
		if t.Exists {
			if err := f.Chmod(t.Mode); err != nil {
				f.Close()
				os.Remove(name)
				return nil, pathErr(t.Path, "create", err)
			}
		}
		return &Atomic{File: f, t: t, tmp: name}, nil
	}
}

// Commit renames the finished file over the target. The file stays open
// (and, if the caller locked it, locked) when keepOpen is wanted: see
// CommitOpen.
func (a *Atomic) Commit() error {
	if err := a.File.Close(); err != nil {
		os.Remove(a.tmp)
		return pathErr(a.t.Path, "write", err)
	}
	if err := os.Rename(a.tmp, a.t.Real); err != nil {
		os.Remove(a.tmp)
		return pathErr(a.t.Path, "write", err)
	}
	return nil
}

// CommitOpen renames the file over the target and leaves it open, so a
// lock taken on it before the rename covers the new file from its first
// moment at the path.
func (a *Atomic) CommitOpen() (*os.File, error) {
	if err := os.Rename(a.tmp, a.t.Real); err != nil {
		a.Abort()
		return nil, pathErr(a.t.Path, "write", err)
	}
	return a.File, nil
}

// Abort discards the temporary file; the target is left as it was.
func (a *Atomic) Abort() {
	a.File.Close()
	os.Remove(a.tmp)
}

// pathErr names the user's path with the cause, dropping any temporary
// file's name that the cause carries.
func pathErr(path, op string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}

// SameFile reports whether paths a and b name the same existing file (by
// device and inode, through symlinks and hard links).
func SameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// CheckWritable fails, before any work is done, if an output at path could
// not be written: its folder is missing or not writable, or it is a
// directory. It writes nothing.
func CheckWritable(path string) error {
	t, err := Resolve(path)
	if err != nil || !t.Regular {
		return err
	}
	dir := filepath.Dir(t.Real)
	fi, err := os.Stat(dir)
	if err != nil {
		return pathErr(path, "write", fmt.Errorf("folder %s: %w", dir, unwrapPath(err)))
	}
	if !fi.IsDir() {
		return pathErr(path, "write", fmt.Errorf("%s is not a folder", dir))
	}
	a, err := t.Create()
	if err != nil {
		return err
	}
	a.Abort()
	return nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// OpenThrough opens a target that is not Regular for writing through it.
// The caller closes the file; for /dev/stdout and its kin that closes a
// duplicate of the descriptor, not the process's own.
func (t Target) OpenThrough() (*os.File, error) {
	if t.fd >= 0 {
		fd, err := syscall.Dup(t.fd)
		if err != nil {
			return nil, pathErr(t.Path, "open", err)
		}
		return os.NewFile(uintptr(fd), t.Path), nil
	}
	f, err := os.OpenFile(t.Path, os.O_WRONLY, 0)
	if err != nil {
		return nil, pathErr(t.Path, "open", err)
	}
	return f, nil
}
