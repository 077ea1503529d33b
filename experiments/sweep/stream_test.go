package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

type outcome struct {
	Seed  uint64 `json:"seed"`
	Value uint64 `json:"value"`
}

func work(_ int, seed uint64) any { return outcome{Seed: seed, Value: seed * seed % 97} }

func spec(shard string) Spec {
	return Spec{Experiment: "demo", Params: json.RawMessage(`{"x":1}`), Runs: 40, Seed: 100, Shard: shard}
}

func asJSON(t *testing.T, recs []Record) string {
	b, err := json.Marshal(recs)
	require.NoError(t, err)
	return string(b)
}

func TestStreamIdenticalForWorkersAndShards(t *testing.T) {
	one, err := Stream(context.Background(), spec(""), 1, nil, nil, work, nil)
	require.NoError(t, err)
	two, err := Stream(context.Background(), spec(""), 2, nil, nil, work, nil)
	require.NoError(t, err)
	require.Equal(t, asJSON(t, one), asJSON(t, two))

	// Two shards written to files, read back and merged.
	dir := t.TempDir()
	var specs []Spec
	var parts [][]Record
	for _, sh := range []string{"1/2", "2/2"} {
		path := filepath.Join(dir, "part"+sh[:1]+".jsonl")
		fh, done, err := OpenResults(path, spec(sh), false, false)
		require.NoError(t, err)
		_, err = Stream(context.Background(), spec(sh), 2, fh, done, work, nil)
		require.NoError(t, err)
		require.NoError(t, fh.Close())
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		s, recs, err := ReadResults(bytes.NewReader(b))
		require.NoError(t, err)
		require.Len(t, recs, 20)
		specs, parts = append(specs, s), append(parts, recs)
	}
	names := []string{"part1.jsonl", "part2.jsonl"}
	_, merged, err := Merge(names, specs, parts)
	require.NoError(t, err)
	require.Equal(t, asJSON(t, one), asJSON(t, merged))

	_, _, err = Merge(names[:1], specs[:1], parts[:1])
	require.ErrorContains(t, err, "20 of 40 runs missing")
}

// TestInterruptKeepsFinishedRunsAndResumeCompletes kills a sweep part-way
// (cancels it, as Ctrl-C does), tears its last line as a crash mid-write
// would, and checks that --resume keeps what finished and completes the rest.
func TestInterruptKeepsFinishedRunsAndResumeCompletes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sweep.jsonl")
	fh, _, err := OpenResults(path, spec(""), false, false)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = Stream(ctx, spec(""), 1, fh, nil, func(i int, seed uint64) any {
		n++
		if n == 15 {
			cancel()
		}
		return work(i, seed)
	}, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, fh.Close())

	_, kept, err := readFile(path)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(kept), 15)
	require.Less(t, len(kept), 40)

	// A torn last line.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"run":39,"seed":1`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	fh, done, err := OpenResults(path, spec(""), true, false)
	require.NoError(t, err)
	require.Equal(t, kept, done)
	var ran atomic.Int64 // two workers call the function at once
	all, err := Stream(context.Background(), spec(""), 2, fh, done, func(i int, seed uint64) any { ran.Add(1); return work(i, seed) }, nil)
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	require.Equal(t, int64(40-len(kept)), ran.Load(), "resume runs only what is missing")

	full, err := Stream(context.Background(), spec(""), 1, nil, nil, work, nil)
	require.NoError(t, err)
	require.Equal(t, asJSON(t, full), asJSON(t, all))
	_, onDisk, err := readFile(path)
	require.NoError(t, err)
	require.Equal(t, asJSON(t, full), asJSON(t, onDisk))

	_, _, err = OpenResults(path, Spec{Experiment: "other", Runs: 40, Seed: 100}, true, false)
	require.ErrorContains(t, err, "different sweep")
}

// A shard of a huge sweep walks its own runs without listing all of them,
// and a sweep too big to hold in one process is refused before it starts
// (it used to list a billion indices first and die out of memory).
func TestHugeSweepsAreWalkedOrRefused(t *testing.T) {
	huge := Spec{Experiment: "demo", Runs: 1_000_000_000, Seed: 1, Shard: "7/1000000"}
	recs, err := Stream(context.Background(), huge, 2, nil, nil, work, nil)
	require.NoError(t, err)
	require.Len(t, recs, 1000)
	for j, r := range recs {
		require.Equal(t, 6+j*1_000_000, r.Run)
	}

	huge.Shard = ""
	_, err = Stream(context.Background(), huge, 2, nil, nil, work, nil)
	require.ErrorContains(t, err, "the limit is 10000000 runs per process")
	_, _, err = Merge([]string{"a"}, []Spec{huge}, [][]Record{nil})
	require.ErrorContains(t, err, "the limit is 10000000 runs per process")
	_, _, err = ReadResults(strings.NewReader(`{"type":"sweep","experiment":"x","params":null,"runs":1000000000,"seed":1}` + "\n"))
	require.ErrorContains(t, err, "the limit is 10000000 runs per process")

	// The last run of the largest sweep, alone in its shard: no wrap.
	last := Spec{Experiment: "demo", Runs: math.MaxInt, Seed: 1, Shard: fmt.Sprintf("%d/%d", math.MaxInt, math.MaxInt)}
	recs, err = Stream(context.Background(), last, 1, nil, nil, work, nil)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, math.MaxInt-1, recs[0].Run)

	for _, c := range []struct {
		runs  int
		shard string
		want  int
	}{{5, "5/8", 1}, {3, "5/8", 0}, {16, "8/8", 2}, {17, "1/8", 3}, {7, "", 7}} {
		n, err := Spec{Runs: c.runs, Shard: c.shard}.ShardSize()
		require.NoError(t, err)
		require.Equal(t, c.want, n, "%d runs, shard %s", c.runs, c.shard)
	}
}

// A second sweep given the same --out file is refused while the first
// holds it, instead of both writing and one losing its runs.
func TestOutFileIsLockedForTheSweepsLifetime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sweep.jsonl")
	fh, _, err := OpenResults(path, spec("1/2"), false, false)
	require.NoError(t, err)
	_, _, err = OpenResults(path, spec("2/2"), false, true)
	require.ErrorContains(t, err, "another sweep is writing it")
	_, _, err = OpenResults(path, spec("1/2"), true, false)
	require.ErrorContains(t, err, "another sweep is writing it")
	_, err = Stream(context.Background(), spec("1/2"), 2, fh, nil, work, nil)
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	_, recs, err := readFile(path)
	require.NoError(t, err)
	require.Len(t, recs, 20)

	// Closed, the file can be resumed (or forced) again.
	fh, done, err := OpenResults(path, spec("1/2"), true, false)
	require.NoError(t, err)
	require.Len(t, done, 20)
	require.NoError(t, fh.Close())
}

// An existing results file is not replaced unless the caller forces it.
func TestOutRefusesAnExistingFileWithoutForce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sweep.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("precious\n"), 0o644))
	_, _, err := OpenResults(path, spec(""), false, false)
	require.ErrorIs(t, err, ErrExists)
	require.ErrorContains(t, err, "--resume")
	b, _ := os.ReadFile(path)
	require.Equal(t, "precious\n", string(b), "left as it was")

	fh, _, err := OpenResults(path, spec(""), false, true)
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	s, _, err := readFile(path)
	require.NoError(t, err)
	require.Equal(t, "demo", s.Experiment)

	// An empty file (or none) is fine, and a failed open leaves no file.
	empty := filepath.Join(dir, "empty.jsonl")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	fh, _, err = OpenResults(empty, spec(""), false, false)
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	_, _, err = OpenResults(filepath.Join(dir, "none.jsonl"), spec(""), true, false)
	require.Error(t, err)
	_, err = os.Stat(filepath.Join(dir, "none.jsonl"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// Merge keeps one of two identical records of a run and refuses two that
// differ, naming the run and both files (it used to keep the first).
func TestMergeRefusesConflictingRecords(t *testing.T) {
	rec := func(run int, v string) Record {
		return Record{Run: run, Seed: 100 + uint64(run), Result: json.RawMessage(v)}
	}
	s := Spec{Experiment: "demo", Params: json.RawMessage(`{}`), Runs: 2, Seed: 100}
	a := []Record{rec(0, `{"v":1}`), rec(1, `{"v":2}`)}
	_, recs, err := Merge([]string{"a.jsonl", "b.jsonl"}, []Spec{s, s}, [][]Record{a, a})
	require.NoError(t, err)
	require.Len(t, recs, 2)

	b := []Record{rec(1, `{"v":3}`)}
	_, _, err = Merge([]string{"a.jsonl", "b.jsonl"}, []Spec{s, s}, [][]Record{a, b})
	require.EqualError(t, err, "run 1: a.jsonl and b.jsonl hold different results for it; rerun that run")

	head := `{"type":"sweep","experiment":"demo","params":{},"runs":2,"seed":100}` + "\n"
	_, got, err := ReadResults(strings.NewReader(head + `{"run":0,"seed":100,"result":1}` + "\n" + `{"run":0,"seed":100,"result":1}` + "\n"))
	require.NoError(t, err)
	require.Len(t, got, 1)
	_, _, err = ReadResults(strings.NewReader(head + `{"run":0,"seed":100,"result":1}` + "\n" + `{"run":0,"seed":100,"result":2}` + "\n"))
	require.ErrorContains(t, err, "run 0 is recorded twice with different results")
}

func readFile(path string) (Spec, []Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, nil, err
	}
	return ReadResults(bytes.NewReader(b))
}

func TestParseShard(t *testing.T) {
	s, err := ParseShard("3/8")
	require.NoError(t, err)
	require.Equal(t, Shard{K: 3, N: 8}, s)
	for _, bad := range []string{"0/2", "3/2", "x", "1/0", "1/", "-1/2"} {
		_, err := ParseShard(bad)
		require.Error(t, err, bad)
	}
}

func FuzzReadResults(f *testing.F) {
	f.Add([]byte(`{"type":"sweep","experiment":"x","params":null,"runs":2,"seed":1}` + "\n" + `{"run":0,"seed":1,"result":{}}` + "\n"))
	f.Add([]byte(`{"type":"sweep"`))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, recs, err := ReadResults(bytes.NewReader(b))
		if err == nil {
			for i := 1; i < len(recs); i++ {
				if recs[i].Run <= recs[i-1].Run {
					t.Fatalf("records not sorted and unique")
				}
			}
		}
	})
}

// TestSweepsFromDifferentSeedsShareNoRuns: two sweeps of 4,000 runs from
// --seed 1 and --seed 2 must be independent replications. With run i on
// seed+i they shared 3,999 runs.
func TestSweepsFromDifferentSeedsShareNoRuns(t *testing.T) {
	seeds := func(seed uint64) []Record {
		recs, err := Stream(context.Background(), Spec{Experiment: "seeds", Runs: 4000, Seed: seed}, 2, nil, nil,
			func(int, uint64) any { return 0 }, nil)
		require.NoError(t, err)
		return recs
	}
	first := map[uint64]bool{}
	for _, r := range seeds(1) {
		first[r.Seed] = true
	}
	shared := 0
	for _, r := range seeds(2) {
		if first[r.Seed] {
			shared++
		}
	}
	require.Zero(t, shared, "runs shared by the sweeps of --seed 1 and --seed 2")
}
