package sweep

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"

	"simulate/output"
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

// shardRuns returns the first run of this spec's shard, the step between
// its runs and how many it has: run i is in the shard when i mod N == K-1.
// The runs are counted and walked, never listed, so a sweep of a billion
// runs costs no memory for its indices.
func (s Spec) shardRuns() (first, step, count int, err error) {
	sh, err := ParseShard(s.Shard)
	if err != nil {
		return 0, 0, 0, err
	}
	if sh.N == 0 {
		return 0, 1, max(s.Runs, 0), nil
	}
	first, step = sh.K-1, sh.N
	if s.Runs > first {
		count = (s.Runs-first-1)/step + 1
	}
	return first, step, count, nil
}

// ShardSize is how many runs spec's shard has.
func (s Spec) ShardSize() (int, error) {
	_, _, n, err := s.shardRuns()
	return n, err
}

// MaxRecords is the most runs one process holds the results of: a table
// is computed from every run's record in memory (about RecordBytes each),
// so a sweep or shard beyond this is refused up front instead of running
// for hours into an out-of-memory crash. Split bigger sweeps with --shard.
const (
	MaxRecords  = 10_000_000
	RecordBytes = 200
)

// CheckSize refuses a sweep whose shard holds more than MaxRecords runs.
func (s Spec) CheckSize() error {
	n, err := s.ShardSize()
	if err != nil {
		return err
	}
	if n > MaxRecords {
		return fmt.Errorf("%d runs would hold ~%d GB of results in one process; the limit is %d runs per process: split the sweep with --shard k/n --out FILE",
			n, (int64(n)*RecordBytes+1<<29)>>30, MaxRecords)
	}
	return nil
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
	first, step, total, err := spec.shardRuns()
	if err != nil {
		return nil, err
	}
	if err := spec.CheckSize(); err != nil {
		return nil, err
	}
	have := map[int]bool{}
	recs := append([]Record(nil), done...)
	for _, r := range done {
		have[r.Run] = true
	}
	var mu sync.Mutex
	var werr error
	finished := len(have)
	if progress != nil {
		progress(finished, total)
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
					progress(finished, total)
				}
				mu.Unlock()
			}
		}()
	}
dispatch:
	for i := first; i < spec.Runs; i = min(i, math.MaxInt-step) + step { // saturating: no wrap near MaxInt
		if have[i] {
			continue
		}
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
// any other malformed line is an error. It reads line by line and checks
// the header first, so a file of a sweep too big to hold is refused
// before its records are read. A run recorded twice is kept once if both
// records agree, and is an error if they differ.
func ReadResults(r io.Reader) (Spec, []Record, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	first, err := br.ReadBytes('\n')
	if len(first) == 0 && err == io.EOF {
		return Spec{}, nil, errors.New("empty results file")
	}
	if err != nil && err != io.EOF {
		return Spec{}, nil, err
	}
	var h header
	if err := strictJSON(bytes.TrimSuffix(first, []byte("\n")), &h); err != nil || h.Type != "sweep" {
		return Spec{}, nil, fmt.Errorf("line 1: not a sweep results header")
	}
	if err := h.Spec.CheckSize(); err != nil {
		return h.Spec, nil, err
	}
	var recs []Record
	at := map[int]int{} // run -> index in recs
	for n := 2; err == nil; n++ {
		var line []byte
		line, err = br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return h.Spec, nil, err
		}
		complete := err == nil // ends in a newline: not cut short
		if len(line) == 0 {
			break
		}
		var rec Record
		if e := strictJSON(bytes.TrimSuffix(line, []byte("\n")), &rec); e != nil || rec.Result == nil {
			if !complete {
				break // a cut-off last line
			}
			return h.Spec, nil, fmt.Errorf("line %d: not a run record", n)
		}
		if rec.Run < 0 || rec.Run >= h.Runs {
			return h.Spec, nil, fmt.Errorf("line %d: run %d outside 0..%d", n, rec.Run, h.Runs-1)
		}
		if j, dup := at[rec.Run]; dup {
			if !sameRecord(recs[j], rec) {
				return h.Spec, nil, fmt.Errorf("line %d: run %d is recorded twice with different results", n, rec.Run)
			}
			continue
		}
		at[rec.Run] = len(recs)
		recs = append(recs, rec)
	}
	sort.Slice(recs, func(a, b int) bool { return recs[a].Run < recs[b].Run })
	return h.Spec, recs, nil
}

// ReadSpec reads only the header of a results file.
func ReadSpec(r io.Reader) (Spec, error) {
	first, err := bufio.NewReader(r).ReadBytes('\n')
	if len(first) == 0 && err == io.EOF {
		return Spec{}, errors.New("empty results file")
	}
	if err != nil && err != io.EOF {
		return Spec{}, err
	}
	var h header
	if err := strictJSON(bytes.TrimSuffix(first, []byte("\n")), &h); err != nil || h.Type != "sweep" {
		return Spec{}, fmt.Errorf("line 1: not a sweep results header")
	}
	return h.Spec, nil
}

// sameRecord reports whether two records of one run agree: the same seed
// and the same result, byte for byte (a run is deterministic, so the same
// run computed twice writes the same bytes).
func sameRecord(a, b Record) bool {
	return a.Run == b.Run && a.Seed == b.Seed && bytes.Equal(a.Result, b.Result)
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Merge combines the records of several shards of one sweep; names[i]
// names parts[i] in errors. It fails if the shards belong to different
// sweeps, if runs are missing, or if two parts hold different records for
// one run (identical ones, such as a shard given twice, are kept once).
func Merge(names []string, specs []Spec, parts [][]Record) (Spec, []Record, error) {
	if len(specs) == 0 {
		return Spec{}, nil, errors.New("nothing to merge")
	}
	base := specs[0]
	base.Shard = ""
	if base.Runs > MaxRecords {
		return base, nil, base.CheckSize()
	}
	type held struct {
		rec  Record
		part int
	}
	seen := map[int]held{}
	for i, s := range specs {
		s2 := s
		s2.Shard = ""
		if s2.Experiment != base.Experiment || s2.Runs != base.Runs || s2.Seed != base.Seed || !bytes.Equal(s2.Params, base.Params) {
			return base, nil, fmt.Errorf("%s is from a different sweep (%s, %d runs from seed %d)", names[i], s.Experiment, s.Runs, s.Seed)
		}
		for _, r := range parts[i] {
			if h, dup := seen[r.Run]; dup {
				if !sameRecord(h.rec, r) {
					return base, nil, fmt.Errorf("run %d: %s and %s hold different results for it; rerun that run", r.Run, names[h.part], names[i])
				}
				continue
			}
			seen[r.Run] = held{r, i}
		}
	}
	var missing []string
	recs := make([]Record, 0, base.Runs)
	for i := 0; i < base.Runs; i++ {
		h, ok := seen[i]
		if !ok {
			if len(missing) < 5 {
				missing = append(missing, strconv.Itoa(i))
			}
			continue
		}
		recs = append(recs, h.rec)
	}
	if len(recs) != base.Runs {
		return base, recs, fmt.Errorf("%d of %d runs missing (first: %s); run the missing shards or --resume them", base.Runs-len(recs), base.Runs, strings.Join(missing, ", "))
	}
	return base, recs, nil
}

// ErrExists is returned by OpenResults for a results file that is there
// already when neither resume nor force is given.
var ErrExists = errors.New("exists")

// OpenResults prepares path for a sweep: a new file with spec's header, or
// with resume, the existing file's finished records (checked to be from
// the same sweep) rewritten cleanly so appends never follow a torn line.
// It returns the file open for appending and the finished records.
//
// The file is locked (flock) until it is closed, so a second sweep given
// the same file is refused rather than overwriting the first one's runs.
// A file that is there already is replaced only with force. A FIFO or a
// device (such as /dev/stdout) is written through, without a lock.
func OpenResults(path string, spec Spec, resume, force bool) (*os.File, []Record, error) {
	t, err := output.Resolve(path)
	if err != nil {
		return nil, nil, err
	}
	if !t.Regular {
		if resume {
			return nil, nil, fmt.Errorf("--resume %s: not a regular file", path)
		}
		fh, err := t.OpenThrough()
		if err == nil {
			err = WriteHeader(fh, spec)
		}
		return fh, nil, err
	}
	if resume && !t.Exists {
		return nil, nil, fmt.Errorf("--resume: open %s: no such file", path)
	}
	// Lock the file at the path, creating it if need be (an empty file
	// is a placeholder that holds the lock), and make sure the file
	// locked is still the one at the path: another sweep may have
	// renamed its own over it between the open and the lock.
	var cur *os.File
	created := false
	for tries := 0; ; tries++ {
		_, statErr := os.Stat(t.Real)
		f, err := os.OpenFile(t.Real, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			return nil, nil, fmt.Errorf("--out: %v", err)
		}
		if err := output.Lock(f); err != nil {
			f.Close()
			if errors.Is(err, output.ErrLocked) {
				return nil, nil, fmt.Errorf("--out %s: another sweep is writing it (the file is locked); wait for it to finish or choose another file", path)
			}
			return nil, nil, fmt.Errorf("--out %s: lock: %v", path, err)
		}
		a, err1 := f.Stat()
		b, err2 := os.Stat(t.Real)
		if err1 == nil && err2 == nil && os.SameFile(a, b) {
			cur, created = f, statErr != nil
			break
		}
		f.Close()
		if tries > 10 {
			return nil, nil, fmt.Errorf("--out %s: the file keeps being replaced by another process", path)
		}
	}
	defer cur.Close()
	fail := func(err error) (*os.File, []Record, error) {
		if created {
			os.Remove(t.Real)
		}
		return nil, nil, err
	}
	var done []Record
	if resume {
		old, recs, err := ReadResults(cur)
		if err != nil {
			return fail(fmt.Errorf("--resume %s: %v", path, err))
		}
		if old.Experiment != spec.Experiment || old.Runs != spec.Runs || old.Seed != spec.Seed || old.Shard != spec.Shard || !bytes.Equal(old.Params, spec.Params) {
			return fail(fmt.Errorf("--resume %s: the file is from a different sweep (%s, %d runs from seed %d, shard %q)", path, old.Experiment, old.Runs, old.Seed, old.Shard))
		}
		done = recs
	} else if fi, err := cur.Stat(); err == nil && fi.Size() > 0 && !force {
		what := "a file"
		if old, err := ReadSpec(cur); err == nil {
			what = fmt.Sprintf("the results of a sweep (%s, %d runs)", old.Experiment, old.Runs)
		}
		return fail(fmt.Errorf("--out %s: %w and holds %s; continue it with --resume, or replace it with --force", path, ErrExists, what))
	}
	a, err := t.Create()
	if err != nil {
		return fail(err)
	}
	// Lock the new file before it takes the path, so it is never there
	// unlocked.
	if err := output.Lock(a.File); err != nil {
		a.Abort()
		return fail(fmt.Errorf("--out %s: lock: %v", path, err))
	}
	w := bufio.NewWriter(a.File)
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
	if err != nil {
		a.Abort()
		return fail(fmt.Errorf("--out %s: %v", path, err))
	}
	fh, err := a.CommitOpen()
	if err != nil {
		return fail(err)
	}
	return fh, done, nil
}
