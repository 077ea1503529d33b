package sweep

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"

	"simulate/sim"
)

// Shard selects one slice of a sweep's runs: run i belongs to shard K of N
// when i mod N == K-1. K counts from 1. The zero Shard is the whole sweep.
type Shard struct{ K, N int }

// ParseShard reads "k/n" with 1 <= k <= n.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return Shard{}, fmt.Errorf("--shard %q: want k/n with 1 <= k <= n, e.g. 2/8", s)
	}
	return Shard{K: k, N: n}, nil
}

func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Spec names the runs of a sweep: run i uses seed sim.RunSeed(Seed, i),
// so sweeps from different seeds are independent replications.
type Spec struct {
	Experiment string          `json:"experiment"`
	Params     json.RawMessage `json:"params"`
	Runs       int             `json:"runs"`
	Seed       uint64          `json:"seed"`
	Shard      string          `json:"shard,omitempty"`
}

// Runs lists the run indices of this spec's shard.
func (s Spec) indices() ([]int, error) {
	sh, err := ParseShard(s.Shard)
	if err != nil {
		return nil, err
	}
	var out []int
	for i := 0; i < s.Runs; i++ {
		if sh.N == 0 || i%sh.N == sh.K-1 {
			out = append(out, i)
		}
	}
	return out, nil
}

// Record is one finished run: one line of a results file.
type Record struct {
	Run    int             `json:"run"`
	Seed   uint64          `json:"seed"`
	Result json.RawMessage `json:"result"`
}

// header is the first line of a results file.
type header struct {
	Type string `json:"type"` // "sweep"
	Spec
}

// Stream runs fn for every run of spec's shard that done does not already
// hold, on workers goroutines, and writes each record to out (if not nil)
// the moment it finishes — so an interrupted sweep keeps every finished run.
// It stops dispatching when ctx is cancelled and returns ctx's error after
// the runs in flight finish. The records it returns, finished now or
// before, are sorted by run: what callers aggregate never depends on the
// worker count or the order of completion.
func Stream(ctx context.Context, spec Spec, workers int, out io.Writer, done []Record, fn func(run int, seed uint64) any, progress func(finished, total int)) ([]Record, error) {
	idx, err := spec.indices()
	if err != nil {
		return nil, err
	}
	have := map[int]bool{}
	recs := append([]Record(nil), done...)
	for _, r := range done {
		have[r.Run] = true
	}
	var todo []int
	for _, i := range idx {
		if !have[i] {
			todo = append(todo, i)
		}
	}
	var mu sync.Mutex
	var werr error
	finished := len(idx) - len(todo)
	if progress != nil {
		progress(finished, len(idx))
	}
	if Workers(workers) > 1 && os.Getenv("GOGC") == "" {
		// Simulation runs allocate briskly; with every core busy, the
		// collector competes with the runs themselves, and on two cores the
		// default target held two workers to about 1.55x one worker. A
		// 200% target (runs are small, so memory stays modest) gives about
		// 1.8x, as a bare parallel loop does. GOGC in the environment wins.
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < Workers(workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				seed := sim.RunSeed(spec.Seed, uint64(i))
				raw, err := json.Marshal(fn(i, seed))
				mu.Lock()
				if err != nil && werr == nil {
					werr = err
				}
				rec := Record{Run: i, Seed: seed, Result: raw}
				recs = append(recs, rec)
				if out != nil && werr == nil {
					line, _ := json.Marshal(rec)
					if _, err := out.Write(append(line, '\n')); err != nil {
						werr = err
					}
				}
				finished++
				if progress != nil {
					progress(finished, len(idx))
				}
				mu.Unlock()
			}
		}()
	}
dispatch:
	for _, i := range todo {
		select {
		case next <- i:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(next)
	wg.Wait()
	sort.Slice(recs, func(a, b int) bool { return recs[a].Run < recs[b].Run })
	if werr != nil {
		return recs, werr
	}
	return recs, ctx.Err()
}

// WriteHeader writes spec as the first line of a results file.
func WriteHeader(w io.Writer, spec Spec) error {
	line, err := json.Marshal(header{Type: "sweep", Spec: spec})
	if err != nil {
		return err
	}
	_, err = w.Write(append(line, '\n'))
	return err
}

// ReadResults parses a results file: its spec and its complete records. A
// last line cut short (the sweep was killed while writing it) is ignored;
// any other malformed line is an error.
func ReadResults(r io.Reader) (Spec, []Record, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Spec{}, nil, err
	}
	if len(data) == 0 {
		return Spec{}, nil, errors.New("empty results file")
	}
	lines := bytes.Split(data, []byte("\n"))
	complete := len(lines)
	if len(lines[len(lines)-1]) != 0 {
		complete-- // no final newline: the last line may be cut short
	} else {
		lines = lines[:len(lines)-1]
		complete = len(lines)
	}
	var h header
	if err := strictJSON(lines[0], &h); err != nil || h.Type != "sweep" {
		return Spec{}, nil, fmt.Errorf("line 1: not a sweep results header")
	}
	var recs []Record
	seen := map[int]bool{}
	for i := 1; i < len(lines); i++ {
		var rec Record
		if err := strictJSON(lines[i], &rec); err != nil || rec.Result == nil {
			if i >= complete {
				break // a cut-off last line
			}
			return h.Spec, nil, fmt.Errorf("line %d: not a run record", i+1)
		}
		if rec.Run < 0 || rec.Run >= h.Runs {
			return h.Spec, nil, fmt.Errorf("line %d: run %d outside 0..%d", i+1, rec.Run, h.Runs-1)
		}
		if !seen[rec.Run] {
			seen[rec.Run] = true
			recs = append(recs, rec)
		}
	}
	sort.Slice(recs, func(a, b int) bool { return recs[a].Run < recs[b].Run })
	return h.Spec, recs, nil
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Merge combines the records of several shards of one sweep. It fails if
// the shards belong to different sweeps or if runs are missing.
func Merge(specs []Spec, parts [][]Record) (Spec, []Record, error) {
	if len(specs) == 0 {
		return Spec{}, nil, errors.New("nothing to merge")
	}
	base := specs[0]
	base.Shard = ""
	seen := map[int]Record{}
	for i, s := range specs {
		s2 := s
		s2.Shard = ""
		if s2.Experiment != base.Experiment || s2.Runs != base.Runs || s2.Seed != base.Seed || !bytes.Equal(s2.Params, base.Params) {
			return base, nil, fmt.Errorf("part %d is from a different sweep (%s, %d runs from seed %d)", i+1, s.Experiment, s.Runs, s.Seed)
		}
		for _, r := range parts[i] {
			seen[r.Run] = r
		}
	}
	var missing []string
	recs := make([]Record, 0, base.Runs)
	for i := 0; i < base.Runs; i++ {
		r, ok := seen[i]
		if !ok {
			if len(missing) < 5 {
				missing = append(missing, strconv.Itoa(i))
			}
			continue
		}
		recs = append(recs, r)
	}
	if len(recs) != base.Runs {
		return base, recs, fmt.Errorf("%d of %d runs missing (first: %s); run the missing shards or --resume them", base.Runs-len(recs), base.Runs, strings.Join(missing, ", "))
	}
	return base, recs, nil
}

// OpenResults prepares path for a sweep: a new file with spec's header, or
// with resume, the existing file's finished records (checked to be from the
// same sweep) rewritten cleanly so appends never follow a torn line. It
// returns the file open for appending and the finished records.
func OpenResults(path string, spec Spec, resume bool) (*os.File, []Record, error) {
	var done []Record
	if resume {
		fh, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("--resume: %v", err)
		}
		old, recs, err := ReadResults(bufio.NewReader(fh))
		fh.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("--resume %s: %v", path, err)
		}
		if old.Experiment != spec.Experiment || old.Runs != spec.Runs || old.Seed != spec.Seed || old.Shard != spec.Shard || !bytes.Equal(old.Params, spec.Params) {
			return nil, nil, fmt.Errorf("--resume %s: the file is from a different sweep (%s, %d runs from seed %d, shard %q)", path, old.Experiment, old.Runs, old.Seed, old.Shard)
		}
		done = recs
	}
	tmp, err := os.CreateTemp(dirOf(path), ".sweep-*.jsonl")
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriter(tmp)
	err = WriteHeader(w, spec)
	for _, r := range done {
		if err == nil {
			var line []byte
			line, err = json.Marshal(r)
			w.Write(append(line, '\n'))
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Close()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, nil, err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	return fh, done, err
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}
