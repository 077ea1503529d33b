package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"simulate/output"
	"simulate/sim"
)

// TestMain lets a test run this very binary as the simulate CLI (with
// SIMULATE_AS_CLI=1), for what only a separate process shows: signals and
// exit statuses.
func TestMain(m *testing.M) {
	if os.Getenv("SIMULATE_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// byzTrace writes a small trace to dir and returns its path and what it
// holds.
func byzTrace(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	p := filepath.Join(dir, "run.trace")
	requireRun(t, "byzantine", "--trace", p)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return p, b
}

// Every case of issue 17: one line, exit 2, no goroutine stack.
func TestBadInputBatteryOfIssue17(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tr, b := byzTrace(t, dir)
	v99 := filepath.Join(dir, "v99.trace")
	require.NoError(t, os.WriteFile(v99, bytes.Replace(b, []byte(`"version":"0.1.0"`), []byte(`"version":"99.0"`), 1), 0o644))
	existing := filepath.Join(dir, "existing.jsonl")
	require.NoError(t, os.WriteFile(existing, []byte("someone's results\n"), 0o644))
	a, c := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "c.jsonl")
	requireRun(t, "nines", "--runs", "2", "--horizon", "10d", "--out", a)
	forged := replaceResult(t, a, c, 1, `{"forged":true}`)

	cases := [][]string{
		{"check"},
		{"experiment"},
		{"check", "byzantin"},
		{"check", "no-such-protocol"},
		{"experiment", "byzantine-bnd"},
		{"nakamoto", "--hash-scale", "0"},
		{"poet", "--cheat-factor", "0"},
		{"nakamoto", "--schedule", "1=1,1=2"},
		{"pbft", "--schedule", "1=1,1=2"},
		{"paxos", "--schedule", "1=1,1=2"},
		{"nines", "--runs", "1000000000"},
		{"nakamoto", "doublespend", "--runs", "1000000000"},
		{"experiment", "byzantine-bound", "--runs", "1000000000"},
		// A million year-long runs would take hours: the folder is checked first.
		{"nines", "--runs", "1000000", "--plot", filepath.Join(dir, "missing", "p.svg")},
		{"byzantine", "--generals", "40", "--traitors", "13"},
		{"check", "pbft", "--replicas", "64", "--requests", "100000"},
		{"flp", "--events", "100000000"},
		{"paxos", "--mode", "multi", "--nodes", "500", "--clients", "100", "--ops", "10000"},
		{"replay", v99},
		{"render", v99},
		{"render", tr, "-o", tr},
		{"render", tr, "-o", filepath.Join(dir, ".", "run.trace")},
		{"nines", "--runs", "2", "--out", existing},
		{"nines", "--runs", "2", "--out", a, "--resume", "--force"},
		{"merge", a, c},
		{"byzantine", "--trace", dir},
		{"byzantine", "--trace", filepath.Join(dir, "missing", "t.trace")},
	}
	requireBadInput(t, cases)
	for _, args := range cases {
		_, errOut, _ := cli(args...)
		require.NotContains(t, errOut, "goroutine", "%v", args)
		require.NotContains(t, errOut, ".tmp", "%v: names a temporary file", args)
	}

	// What the lines say.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "byzantin"}, `did you mean byzantine?`},
		{[]string{"check"}, "needs a subcommand"},
		{[]string{"byzantine", "--generals", "40", "--traitors", "13"}, "sends 1367562396504656143779 messages"},
		{[]string{"replay", v99}, `version "99.0"`},
		{[]string{"render", tr, "-o", tr}, "that is the trace being rendered"},
		{[]string{"nines", "--runs", "2", "--out", existing}, "--force"},
		{[]string{"merge", a, c}, fmt.Sprintf("run %d: %s and %s hold different results", forged, a, c)},
		{[]string{"flp", "--events", "100000000"}, "the limit is --events 10000000"},
	} {
		_, errOut, _ := cli(c.args...)
		require.Contains(t, errOut, c.want, "%v", c.args)
	}

	// The input of render -o is left as it was; an identical shard given
	// twice merges.
	after, err := os.ReadFile(tr)
	require.NoError(t, err)
	require.Equal(t, b, after)
	requireRun(t, "merge", a, a)
	got, err := os.ReadFile(existing)
	require.NoError(t, err)
	require.Equal(t, "someone's results\n", string(got), "refused, and left as it was")
	requireRun(t, "nines", "--runs", "2", "--horizon", "10d", "--out", existing, "--force")
}

// readFIFO reads everything written to the FIFO at p, in the background.
func readFIFO(p string) <-chan []byte {
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- []byte(err.Error())
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	return got
}

// byzantine --trace P and render -o P write through a FIFO, a symlink and
// a character device at P and leave them what they were (they used to be
// replaced by a regular file).
func TestOutputsWriteThroughWhatIsThere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tr, want := byzTrace(t, dir)
	for _, c := range []struct {
		name string
		args func(p string) []string
		want []byte
	}{
		{"byzantine --trace", func(p string) []string { return []string{"byzantine", "--trace", p} }, want},
		{"render -o", func(p string) []string { return []string{"render", tr, "--as", "text", "-o", p} }, nil},
	} {
		// Symlink: the link stays, its target gets the output.
		target := filepath.Join(dir, "target")
		require.NoError(t, os.WriteFile(target, []byte("old"), 0o644))
		link := filepath.Join(dir, "link")
		require.NoError(t, os.Symlink("target", link))
		_, errOut, code := cli(c.args(link)...)
		require.Equal(t, 0, code, "%s: %s", c.name, errOut)
		fi, err := os.Lstat(link)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&fs.ModeSymlink, "%s replaced the symlink", c.name)
		viaLink, err := os.ReadFile(target)
		require.NoError(t, err)
		require.NotEqual(t, "old", string(viaLink), c.name)
		if c.want != nil {
			require.Equal(t, string(c.want), string(viaLink), c.name)
		}
		require.NoError(t, os.Remove(link))
		require.NoError(t, os.Remove(target))

		// FIFO: written through, still a FIFO.
		fifo := filepath.Join(dir, "fifo")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		got := readFIFO(fifo)
		_, errOut, code = cli(c.args(fifo)...)
		require.Equal(t, 0, code, "%s: %s", c.name, errOut)
		require.Equal(t, string(viaLink), string(<-got), c.name)
		fi, err = os.Lstat(fifo)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&fs.ModeNamedPipe, "%s replaced the FIFO", c.name)
		require.NoError(t, os.Remove(fifo))

		// Character device: a null device of our own where we may make
		// one (as root), /dev/null otherwise (which we could not replace).
		dev := "/dev/null"
		if os.Geteuid() == 0 {
			dev = filepath.Join(dir, "null")
			require.NoError(t, syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3))
		}
		_, errOut, code = cli(c.args(dev)...)
		require.Equal(t, 0, code, "%s: %s", c.name, errOut)
		fi, err = os.Lstat(dev)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&fs.ModeCharDevice, "%s replaced the device", c.name)
		if dev != "/dev/null" {
			require.NoError(t, os.Remove(dev))
		}
	}
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		require.NotContains(t, e.Name(), ".tmp", "left behind")
	}
}

// Regular outputs get 0666 minus the umask, as any tool's: 0644 under
// 022 (they were all 0600).
func TestRegularOutputsHonourTheUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, args := range [][]string{
		{"byzantine", "--trace", p("t.trace"), "--diagram", p("d.svg")},
		{"render", p("t.trace"), "-o", p("r.mmd")},
		{"nines", "--runs", "2", "--horizon", "10d", "--out", p("n.jsonl"), "--plot", p("n.svg")},
	} {
		_, errOut, code := cli(args...)
		require.Equal(t, 0, code, "%v: %s", args, errOut)
	}
	for _, name := range []string{"t.trace", "d.svg", "r.mmd", "n.jsonl", "n.svg"} {
		fi, err := os.Stat(p(name))
		require.NoError(t, err)
		require.Equal(t, fs.FileMode(0o644), fi.Mode().Perm(), name)
	}
}

// While one sweep writes --out, a second one given the same file is
// refused in one line (both used to write it, and one's runs were lost).
func TestSecondSweepOnOneOutIsRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "n.jsonl")
	_, errOut, code := cli("nines", "--runs", "2", "--horizon", "10d", "--shard", "1/2", "--out", path)
	require.Equal(t, 0, code, errOut)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, output.Lock(f)) // as the first sweep holds it
	for _, args := range [][]string{
		{"nines", "--runs", "2", "--horizon", "10d", "--shard", "2/2", "--out", path, "--force"},
		{"nines", "--runs", "2", "--horizon", "10d", "--shard", "1/2", "--out", path, "--resume"},
	} {
		_, errOut, code := cli(args...)
		require.Equal(t, 2, code, errOut)
		require.Contains(t, errOut, "another sweep is writing it")
		require.Equal(t, 1, strings.Count(errOut, "\n"))
	}
}

// A sweep stopped by Ctrl-C keeps what finished and exits 130 (not 2,
// which means bad input); a second Ctrl-C stops it at once.
func TestInterruptedSweepExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the CLI as a process")
	}
	self, err := os.Executable()
	require.NoError(t, err)
	for _, twice := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "n.jsonl")
		cmd := exec.Command(self, "nines", "--runs", "1000000", "--horizon", "300d", "--workers", "1", "--out", path)
		cmd.Env = append(os.Environ(), "SIMULATE_AS_CLI=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		// Wait for two finished runs (the header and a record).
		deadline := time.Now().Add(2 * time.Minute)
		for countLines(path) < 2 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		require.NoError(t, cmd.Process.Signal(os.Interrupt))
		if twice {
			time.Sleep(50 * time.Millisecond)
			require.NoError(t, cmd.Process.Signal(os.Interrupt))
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, stderr.String())
		require.Equal(t, 130, ee.ExitCode(), stderr.String())
		if !twice {
			require.Contains(t, stderr.String(), "continue with --resume")
		}
		require.GreaterOrEqual(t, countLines(path), 2, "finished runs are kept")
	}
}

func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n
}

// --diagram holds at most maxDiagramEvents events and refuses a longer run
// in one line, where it used to hold the whole run and could run out of
// memory; --trace of the same run streams and is written in full.
func TestDiagramOfAHugeRunIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	g := &globals{seed: 1, trace: filepath.Join(dir, "t.trace"), diagram: filepath.Join(dir, "d.svg")}
	n := maxDiagramEvents + 1
	_, err := execute(g, "demo", nil, func(tr sim.Tracer) sim.Result {
		for i := 1; i <= n; i++ {
			tr.Record(sim.TraceEvent{Index: i, Kind: sim.TraceTimer})
		}
		return sim.Result{}
	})
	var ue usageError
	require.ErrorAs(t, err, &ue)
	require.Contains(t, err.Error(), "--diagram: the run has more than 200000 events")
	_, err = os.Stat(g.diagram)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.Equal(t, n+2, countLines(g.trace), "the trace is whole")
}

// replay reads the recording as the rerun goes (it held both runs whole):
// a changed event, a missing one and an extra one are each a difference
// (exit 1) at the right event; a line that is not an event is bad input.
func TestReplayStreamsAndFindsEveryDifference(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tr, b := byzTrace(t, dir)
	lines := strings.SplitAfter(string(b), "\n")
	n := len(lines) - 3 // header, events, footer, ""
	out := requireRun(t, "replay", "--show", tr)
	require.Equal(t, n+1, strings.Count(out, "\n"), "every recorded event, then the verdict")
	require.Contains(t, out, fmt.Sprintf("replayed %d events", n))

	write := func(ls []string) string {
		p := filepath.Join(dir, "edited.trace")
		require.NoError(t, os.WriteFile(p, []byte(strings.Join(ls, "")), 0o644))
		return p
	}
	edit := func(f func([]string) []string) []string { return f(append([]string{}, lines...)) }
	for _, c := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"changed", edit(func(ls []string) []string { ls[3] = strings.Replace(ls[3], `"t":`, `"t":9`, 1); return ls }), "at event 3:"},
		{"missing", edit(func(ls []string) []string { return append(ls[:2], ls[3:]...) }), "at event 2:"},
		{"extra", edit(func(ls []string) []string {
			return append(ls[:n+1], append([]string{ls[n]}, ls[n+1:]...)...)
		}), fmt.Sprintf("at event %d:", n+1)},
	} {
		_, errOut, code := cli("replay", write(c.lines))
		require.Equal(t, 1, code, "%s: %s", c.name, errOut)
		require.Contains(t, errOut, "replay differs from the recording "+c.want, c.name)
	}
	bad := edit(func(ls []string) []string { ls[4] = "{\"type\":\"event\",\"bogus\":1}\n"; return ls })
	requireBadInput(t, [][]string{{"replay", write(bad)}})
}

// TestLargestSeedDoesNotWrap: run seeds come from sim.RunSeed, so the
// largest --seed is as good as any other (it used to wrap to seed 0 for
// run 1 and repeat the sweep of --seed 0).
func TestLargestSeedDoesNotWrap(t *testing.T) {
	t.Parallel()
	a, errOut, code := cli("nines", "--seed", "18446744073709551615", "--runs", "2", "--horizon", "10d", "--format", "json")
	require.Equal(t, 0, code, errOut)
	b, errOut, code := cli("nines", "--seed", "0", "--runs", "2", "--horizon", "10d", "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.NotEqual(t, a, b)
}
