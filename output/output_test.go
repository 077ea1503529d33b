package output

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func fill(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// New regular outputs honour the umask like any Unix tool (0644 under
// 022), and a replaced file keeps its own mode.
func TestRegularFileModeFollowsUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	require.NoError(t, Write(p, fill("one")))
	fi, err := os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o644), fi.Mode().Perm())

	require.NoError(t, os.Chmod(p, 0o640))
	require.NoError(t, Write(p, fill("two")))
	fi, err = os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o640), fi.Mode().Perm())
	b, _ := os.ReadFile(p)
	require.Equal(t, "two", string(b))
	requireNoTemp(t, dir)
}

// A symlink stays a symlink: its target gets the new content.
func TestSymlinkIsFollowed(t *testing.T) {
	for _, dangling := range []bool{false, true} {
		dir := t.TempDir()
		target := filepath.Join(dir, "real.txt")
		if !dangling {
			require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
		}
		link := filepath.Join(dir, "link.txt")
		require.NoError(t, os.Symlink("real.txt", link))
		require.NoError(t, Write(link, fill("new")))
		fi, err := os.Lstat(link)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&fs.ModeSymlink, "the link was replaced")
		b, err := os.ReadFile(target)
		require.NoError(t, err)
		require.Equal(t, "new", string(b))
		requireNoTemp(t, dir)
	}
}

// A FIFO is written through, and is still a FIFO afterwards.
func TestFIFOIsWrittenThrough(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipe")
	require.NoError(t, syscall.Mkfifo(p, 0o600))
	got := make(chan string)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	require.NoError(t, Write(p, fill("through the pipe")))
	require.Equal(t, "through the pipe", <-got)
	fi, err := os.Lstat(p)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&fs.ModeNamedPipe)
	requireNoTemp(t, dir)
}

// A character device is written through and stays a device. As root the
// test makes a null device of its own (a broken writer must not replace
// the system's /dev/null); otherwise /dev/null, which it could not replace.
func TestDeviceIsWrittenThrough(t *testing.T) {
	dev := "/dev/null"
	if os.Geteuid() == 0 {
		dev = filepath.Join(t.TempDir(), "null")
		require.NoError(t, syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3))
	}
	require.NoError(t, Write(dev, fill("nothing")))
	fi, err := os.Lstat(dev)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&fs.ModeCharDevice)
}

// Errors name the user's path, never a temporary file.
func TestErrorsNameTheUsersPath(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		filepath.Join(dir, "missing", "out.txt"),
		dir,
	} {
		err := Write(p, fill("x"))
		require.Error(t, err)
		require.Contains(t, err.Error(), p)
		require.NotContains(t, err.Error(), ".tmp")
	}
	p := filepath.Join(dir, "out.txt")
	err := Write(p, func(io.Writer) error {
		return &fs.PathError{Op: "write", Path: "/x/.out.txt.tmp1", Err: syscall.ENOSPC}
	})
	require.ErrorContains(t, err, p)
	require.NotContains(t, err.Error(), ".tmp")
	requireNoTemp(t, dir)
	_, err = os.Stat(p)
	require.ErrorIs(t, err, fs.ErrNotExist, "a failed write leaves nothing")
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, CheckWritable(filepath.Join(dir, "a.svg")))
	err := CheckWritable(filepath.Join(dir, "no", "a.svg"))
	require.ErrorContains(t, err, "no such file")
	require.Error(t, CheckWritable(dir))
	requireNoTemp(t, dir)
}

func TestLockRefusesASecondHolder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	a, err := os.Create(p)
	require.NoError(t, err)
	defer a.Close()
	b, err := os.Open(p)
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, Lock(a))
	require.ErrorIs(t, Lock(b), ErrLocked)
	a.Close()
	require.NoError(t, Lock(b))
}

func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a")
	require.NoError(t, os.WriteFile(p, nil, 0o644))
	require.NoError(t, os.Symlink("a", filepath.Join(dir, "b")))
	require.True(t, SameFile(p, filepath.Join(dir, "b")))
	require.False(t, SameFile(p, filepath.Join(dir, "c")))
}

func requireNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		require.False(t, strings.Contains(e.Name(), ".tmp"), "left behind: %s", e.Name())
	}
}
