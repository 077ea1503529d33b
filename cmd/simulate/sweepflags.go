package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"simulate/experiments/sweep"
)

// sweepFlags are the flags every experiment takes.
type sweepFlags struct {
	runs    int
	workers int
	shard   string
	out     string
	resume  bool
	force   bool
}

func (s *sweepFlags) add(cmd *cobra.Command, defaultRuns int) {
	cmd.Flags().IntVar(&s.runs, "runs", defaultRuns, "number of seeded runs (run i has seed RunSeed(--seed, i), a SplitMix64 mix)")
	cmd.Flags().IntVar(&s.workers, "workers", 0, "parallel runs (default: every core); results do not depend on it")
	cmd.Flags().StringVar(&s.shard, "shard", "", "run only shard k/n of the runs (1 <= k <= n), for batch engines; combine with simulate merge")
	cmd.Flags().StringVar(&s.out, "out", "", "stream each finished run to this JSON Lines file (needed for --resume, --shard and merge)")
	cmd.Flags().BoolVar(&s.resume, "resume", false, "continue the sweep recorded in --out, skipping finished runs")
	cmd.Flags().BoolVar(&s.force, "force", false, "replace an existing --out file (without it, an existing file is refused)")
}

func (s *sweepFlags) validate() error {
	if s.runs < 1 {
		return badInput("--runs %d: want at least 1", s.runs)
	}
	if s.workers < 0 {
		return badInput("--workers %d: want 0 (every core) or more", s.workers)
	}
	if _, err := sweep.ParseShard(s.shard); err != nil {
		return badInput("%v", err)
	}
	if (s.resume || s.shard != "") && s.out == "" {
		return badInput("--resume and --shard need --out FILE")
	}
	if s.resume && s.force {
		return badInput("--resume and --force: choose one (continue the file, or replace it)")
	}
	spec := sweep.Spec{Runs: s.runs, Shard: s.shard}
	if err := spec.CheckSize(); err != nil {
		return badInput("--runs %d: %v", s.runs, err)
	}
	return nil
}

// aggregators print the table of an experiment from its records; `simulate
// merge` looks them up by experiment name. The records are always decoded
// from JSON, for a single run as for merged shards, so both print the same.
var aggregators = map[string]func(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error{}

// runSweep runs an experiment's runs with the sweep flags: in parallel,
// streaming to --out, resumable, sharded, with a progress bar on a
// terminal. It returns the records of this shard in run order. On Ctrl-C
// or SIGTERM it stops dispatching, keeps what finished and says how to
// resume.
func runSweep(cmd *cobra.Command, g *globals, s *sweepFlags, name string, params any, fn func(run int, seed uint64) any) ([]sweep.Record, bool, error) {
	if err := s.validate(); err != nil {
		return nil, false, err
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, false, err
	}
	spec := sweep.Spec{Experiment: name, Params: raw, Runs: s.runs, Seed: g.seed, Shard: s.shard}
	var out io.Writer
	var done []sweep.Record
	if s.out != "" {
		fh, d, err := sweep.OpenResults(s.out, spec, s.resume, s.force)
		if err != nil {
			return nil, false, badInput("%v", err)
		}
		defer fh.Close()
		out, done = fh, d
	}
	ctx, stop := interruptible(cmd.ErrOrStderr())
	defer stop()
	var bar *progressbar.ProgressBar
	progress := func(finished, total int) {}
	if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = func(finished, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(name),
					progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("runs"),
					progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
			}
			_ = bar.Set(finished)
		}
	}
	var check *determinismCheck
	if g.checkDeterminism {
		check = &determinismCheck{run: fn}
		fn = check.twice
	}
	recs, err := sweep.Stream(ctx, spec, s.workers, out, done, fn, progress)
	if bar != nil {
		_ = bar.Finish()
	}
	if err == context.Canceled {
		where := "nothing was kept (no --out)"
		if s.out != "" {
			where = fmt.Sprintf("finished runs are in %s; continue with --resume", s.out)
		}
		return recs, false, interruptedError{msg: fmt.Sprintf("interrupted after %d of %d runs: %s", len(recs), s.runs, where)}
	}
	if err != nil {
		return recs, false, err
	}
	if check != nil {
		if err := check.verdict(cmd.ErrOrStderr()); err != nil {
			return recs, false, err
		}
	}
	// A shard prints nothing: its table is the merge's job.
	complete := s.shard == ""
	if !complete {
		fmt.Fprintf(cmd.ErrOrStderr(), "shard %s: %d runs written to %s; combine the shards with: simulate merge FILES...\n", s.shard, len(recs), s.out)
	}
	return recs, complete, nil
}

// determinismCheck is --check-determinism for a sweep: every run runs
// twice and the two results, as JSON (what --out records and the table is
// built from), must be identical.
type determinismCheck struct {
	run   func(run int, seed uint64) any
	mu    sync.Mutex
	runs  int
	first string // the first run whose results differ
}

func (c *determinismCheck) twice(run int, seed uint64) any {
	a := c.run(run, seed)
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(c.run(run, seed))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	if (errA != nil || errB != nil || !bytes.Equal(ja, jb)) && c.first == "" {
		c.first = fmt.Sprintf("run %d (seed %d)", run, seed)
	}
	return a
}

// verdict reports the check on stderr, or fails at the first run that
// differed.
func (c *determinismCheck) verdict(stderr io.Writer) error {
	if c.first != "" {
		return findingError{msg: "nondeterminism: two runs of the same scenario and seed differ: " + c.first}
	}
	fmt.Fprintf(stderr, "check-determinism: ran each of the %d runs twice: their results agree\n", c.runs)
	return nil
}

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		return &cobra.Command{
			Use:   "merge FILES...",
			Short: "Combine the shards of a sweep (--shard k/n --out FILE) into its table",
			Long: `merge reads the JSON Lines files that the shards of one experiment wrote
(each run with --shard k/n --out FILE, for example as a Kubernetes Indexed
Job, a Slurm array or GNU parallel) and prints the table a single
unsharded run would print, byte for byte. It fails if a run is missing.`,
			Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				// Every header first: a sweep too big to hold is refused
				// before any file's records are read.
				for _, path := range args {
					fh, err := os.Open(path)
					if err != nil {
						return badInput("%v", err)
					}
					spec, err := sweep.ReadSpec(fh)
					fh.Close()
					if err != nil {
						return badInput("%s: %v", path, err)
					}
					if spec.Shard = ""; spec.CheckSize() != nil {
						return badInput("%s: %v", path, spec.CheckSize())
					}
				}
				var specs []sweep.Spec
				var parts [][]sweep.Record
				for _, path := range args {
					fh, err := os.Open(path)
					if err != nil {
						return badInput("%v", err)
					}
					spec, recs, err := sweep.ReadResults(fh)
					fh.Close()
					if err != nil {
						return badInput("%s: %v", path, err)
					}
					specs, parts = append(specs, spec), append(parts, recs)
				}
				spec, recs, err := sweep.Merge(args, specs, parts)
				if err != nil {
					return badInput("%v", err)
				}
				agg, ok := aggregators[spec.Experiment]
				if !ok {
					return badInput("unknown experiment %q", spec.Experiment)
				}
				if cmd.Flags().Changed("seed") && g.seed != spec.Seed {
					return badInput("--seed %d: the shards are from a sweep with --seed %d", g.seed, spec.Seed)
				}
				// The table is the sweep's: its seed, not merge's --seed.
				g.seed = spec.Seed
				return agg(cmd, g, spec.Params, recs)
			},
		}
	})
}

// interruptible is a context cancelled by the first Ctrl-C (or SIGTERM), so
// a sweep stops dispatching, keeps what finished and exits 130; a second
// Ctrl-C exits 130 at once (every finished run is already written, line by
// line; a line cut short is ignored by --resume).
func interruptible(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-quit:
			return
		}
		fmt.Fprintln(stderr, "simulate: interrupted: finishing the runs in flight (Ctrl-C again to stop at once)")
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "simulate: interrupted again: stopped")
			os.Exit(exitInterrupted)
		case <-quit:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(quit)
		cancel()
	}
}
