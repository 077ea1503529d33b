package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	_ "simulate/experiments/bound"       // registers "byzantine-bound"
	_ "simulate/experiments/cap"         // registers "cap"
	_ "simulate/experiments/compare"     // registers "consensus-compare"
	_ "simulate/experiments/doublespend" // registers "nakamoto-doublespend"
	"simulate/experiments/experiment"
	_ "simulate/experiments/flp"
	_ "simulate/experiments/nines"     // registers "nines"       // registers "flp"
	_ "simulate/experiments/partition" // registers "nakamoto-partition"
	_ "simulate/experiments/selfish"   // registers "nakamoto-selfish"
	_ "simulate/experiments/stale"     // registers "nakamoto-stale"
	"simulate/experiments/sweep"
	_ "simulate/experiments/throughput" // registers "nakamoto-throughput"
	"simulate/report"
)

// Experiments registered with package experiment get their command, the
// sweep flags, --plot and `simulate merge` from this file, through one
// code path: nothing here knows any experiment.

func init() {
	for _, e := range experiment.All() {
		aggregators[e.Name()] = func(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
			p := e.New()
			if err := json.Unmarshal(params, p); err != nil {
				return badInput("%s parameters: %v", e.Name(), err)
			}
			return printExperiment(cmd, g, e, p, recs, "")
		}
	}
}

// addExperiments puts every registered experiment's command at its path,
// and at each of its aliases' paths (experiment.Aliased).
func addExperiments(root *cobra.Command, g *globals) {
	for _, e := range experiment.All() {
		addExperiment(root, g, e)
	}
}

// addExperiment puts e's command at its path: at the top level, or under
// the command its path names first (which must exist by then); and a
// command of its own, with the alias's help, at every alias's path.
func addExperiment(root *cobra.Command, g *globals, e experiment.Experiment) {
	place := func(path, short, long string) {
		words := strings.Fields(path)
		parent := root
		for _, w := range words[:len(words)-1] {
			var next *cobra.Command
			for _, c := range parent.Commands() {
				if c.Name() == w {
					next = c
				}
			}
			if next == nil {
				panic(fmt.Sprintf("experiment %s: no command %q to put %q under", e.Name(), w, path))
			}
			parent = next
		}
		parent.AddCommand(newExperimentCommand(g, e, words[len(words)-1], short, long))
	}
	place(e.Command(), e.Short(), e.Long())
	if a, ok := e.(experiment.Aliased); ok {
		for _, alias := range a.Aliases() {
			short, long := alias.Short, alias.Long
			if short == "" {
				short = e.Short()
			}
			if long == "" {
				long = e.Long()
			}
			place(alias.Command, short, long)
		}
	}
}

func newExperimentCommand(g *globals, e experiment.Experiment, use, short, long string) *cobra.Command {
	var sf sweepFlags
	var plotPath string
	p := e.New()
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f, ok := p.(experiment.Finisher); ok {
				if err := f.Finish(cmd.Flags()); err != nil {
					return badInput("%v", err)
				}
			}
			if err := p.Validate(); err != nil {
				return badInput("%v", err)
			}
			if err := checkPlotPath(plotPath); err != nil {
				return err
			}
			run := func(_ int, seed uint64) any { return p.Run(seed) }
			if n, ok := p.(experiment.Numbered); ok {
				run = func(i int, _ uint64) any { return n.RunNumber(g.seed, i) }
			}
			recs, complete, err := runSweep(cmd, g, &sf, e.Name(), p, run)
			if err != nil || !complete {
				return err
			}
			// Decode what was recorded, as a merge does, so both print
			// the same.
			raw, err := json.Marshal(p)
			if err != nil {
				return err
			}
			fresh := e.New()
			if err := json.Unmarshal(raw, fresh); err != nil {
				return err
			}
			if err := printExperiment(cmd, g, e, fresh, recs, plotPath); err != nil {
				return err
			}
			if d, ok := p.(experiment.Diagrammer); ok && g.diagram != "" {
				f := d.Diagram()
				f.Header.Version = version
				return writeDiagram(g.diagram, f)
			}
			return nil
		},
	}
	sf.add(cmd, e.Runs())
	e.Flags(cmd.Flags(), p)
	if e.Plots() {
		usage := "also draw the results to this .svg or .png file"
		if u, ok := e.(experiment.PlotUsage); ok {
			usage = u.PlotUsage()
		}
		cmd.Flags().StringVar(&plotPath, "plot", "", usage)
	}
	return cmd
}

// printExperiment aggregates a sweep's records and prints them: the JSON
// document, or the tables; and the figure to plotPath if one is asked.
func printExperiment(cmd *cobra.Command, g *globals, e experiment.Experiment, p experiment.Params, recs []sweep.Record, plotPath string) error {
	results := make([]json.RawMessage, len(recs))
	for i, r := range recs {
		results[i] = r.Result
	}
	if s, ok := p.(experiment.Seeded); ok {
		s.SetSeed(g.seed)
	}
	out, err := p.Summarize(results)
	var bad *experiment.RecordError
	if errors.As(err, &bad) {
		return badInput("run %d: malformed %s result", recs[bad.Index].Run, e.Name())
	}
	if err != nil {
		return badInput("%s: %v", e.Name(), err)
	}
	w := cmd.OutOrStdout()
	if g.format == "json" {
		if err := report.WriteJSON(w, out.JSON); err != nil {
			return err
		}
	} else {
		for i, t := range out.Tables {
			if i > 0 && g.format != "csv" {
				fmt.Fprintln(w)
			}
			if err := report.Write(w, g.format, t); err != nil {
				return err
			}
		}
	}
	if plotPath != "" && out.Figure != nil {
		return writePlot(cmd, plotPath, *out.Figure)
	}
	return nil
}
