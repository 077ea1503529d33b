package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
		fh, done, err := OpenResults(path, spec(sh), false)
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
	_, merged, err := Merge(specs, parts)
	require.NoError(t, err)
	require.Equal(t, asJSON(t, one), asJSON(t, merged))

	_, _, err = Merge(specs[:1], parts[:1])
	require.ErrorContains(t, err, "20 of 40 runs missing")
}

// TestInterruptKeepsFinishedRunsAndResumeCompletes kills a sweep part-way
// (cancels it, as Ctrl-C does), tears its last line as a crash mid-write
// would, and checks that --resume keeps what finished and completes the rest.
func TestInterruptKeepsFinishedRunsAndResumeCompletes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sweep.jsonl")
	fh, _, err := OpenResults(path, spec(""), false)
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

	fh, done, err := OpenResults(path, spec(""), true)
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

	_, _, err = OpenResults(path, Spec{Experiment: "other", Runs: 40, Seed: 100}, true)
	require.ErrorContains(t, err, "different sweep")
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
