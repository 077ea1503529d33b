// Command simulate runs distributed-systems protocols on a deterministic,
// seeded, simulated network and reports what happened.
//
// This package is the CLI only: flags, validation and output. Protocol logic
// lives in protocols/, experiments in experiments/.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"simulate/report"
)

// version is the simulator's version; traces record it.
const version = "0.1.0"

// globals are the flags every command shares.
type globals struct {
	seed   uint64
	format string
	trace  string
	// checkDeterminism runs every scenario twice and reports the first divergence.
	checkDeterminism bool
	// diagram is a file to draw the run's space-time diagram into.
	diagram string
	// table picks one of the tables a command prints (--table).
	table string
	// stderr is where commands say what they did besides their output
	// (--check-determinism's report).
	stderr io.Writer
}

// usageError marks bad user input: one line on stderr, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

// findingError means the command ran correctly and found a violation:
// exit status 1 (simulate check, simulate replay with a differing hash).
type findingError struct{ msg string }

func (e findingError) Error() string { return e.msg }

// interruptedError means a sweep was stopped by Ctrl-C (or SIGTERM) after
// keeping what finished: exit status 130, as a shell reports a command
// killed by SIGINT, distinct from a finding (1) and bad input (2).
type interruptedError struct{ msg string }

func (e interruptedError) Error() string { return e.msg }

const exitInterrupted = 130

// commands lists the constructors of the subcommands; each command file
// appends to it in an init function so files do not edit each other.
var commands []func(g *globals) *cobra.Command

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stderr: stderr}
	root := &cobra.Command{
		Use:   "simulate",
		Short: "Deterministic simulator of distributed protocols on a faulty network",
		Long: `simulate runs real protocol code (Byzantine generals, Paxos, PBFT,
Nakamoto proof of work) on a seeded, simulated network that loses, delays,
duplicates and partitions messages, crashes nodes and lets traitors lie.
The same command with the same --seed prints the same thing, byte for byte,
on any machine.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if !report.ValidFormat(g.format) {
				return badInput("--format %q: want one of %s", g.format, strings.Join(report.Formats, ", "))
			}
			if g.format == "csv" && strings.HasPrefix(cmd.CommandPath(), "simulate check ") {
				// A counterexample is a schedule, a trace and a command:
				// not one table. Scripts read --format json.
				return badInput("--format csv does not apply to %s: it prints a counterexample or its coverage; use --format json for a machine-readable result", strings.TrimPrefix(cmd.CommandPath(), "simulate "))
			}
			if err := refuseIgnoredGlobals(cmd); err != nil {
				return err
			}
			if g.table != "" && g.format == "json" {
				return badInput("--table picks one table of table, markdown or csv output; JSON holds them all")
			}
			if g.diagram != "" {
				if _, err := rendererFor(g.diagram); err != nil {
					return err
				}
			}
			return nil
		},
	}
	root.SetOut(&tableGate{w: stdout, g: g})
	root.SetErr(stderr)
	root.PersistentFlags().Uint64Var(&g.seed, "seed", 1, "seed of the run; the same seed gives the same run")
	root.PersistentFlags().StringVar(&g.format, "format", "table", "output format: table, markdown, csv or json")
	root.PersistentFlags().StringVar(&g.trace, "trace", "", "write the run's trace (JSON Lines) to this file")
	root.PersistentFlags().BoolVar(&g.checkDeterminism, "check-determinism", false, "run twice and fail (exit 1) at the first event where the runs differ")
	root.PersistentFlags().StringVar(&g.table, "table", "", "print only this table (its name or position from 1) of a command that prints several; CSV prints the first unless told")
	root.PersistentFlags().StringVar(&g.diagram, "diagram", "", "draw the run's space-time diagram to this file (.mmd Mermaid, .svg, or .html step-through viewer)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{msg: err.Error()} })
	for _, c := range commands {
		root.AddCommand(c(g))
	}
	addRegisteredAliases(root, g)
	addExperiments(root, g)
	for _, c := range root.Commands() {
		requireSubcommand(c)
	}
	attachLimits(root)
	return root
}

// requireSubcommand makes every command that only groups subcommands
// (simulate check, simulate experiment) refuse to run bare or with an
// unknown subcommand: exit 2 with one line and cobra's suggestions, where
// cobra would print the help and exit 0 (it checks subcommand names only
// at the root).
func requireSubcommand(c *cobra.Command) {
	for _, sub := range c.Commands() {
		requireSubcommand(sub)
	}
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = subcommandError
}

// subcommandError is the one-line refusal of a group command run bare or
// with an unknown subcommand, with cobra's suggestions.
func subcommandError(cmd *cobra.Command, args []string) error {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	if len(args) == 0 {
		return badInput("%s needs a subcommand: %s", cmd.CommandPath(), strings.Join(names, ", "))
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default at the root
	}
	if sug := cmd.SuggestionsFor(args[0]); len(sug) > 0 {
		return badInput("%s; did you mean %s?", msg, strings.Join(sug, " or "))
	}
	return badInput("%s; want one of %s", msg, strings.Join(names, ", "))
}

// run executes the CLI with args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		if gate, ok := root.OutOrStdout().(*tableGate); ok {
			err = gate.finish(stderr)
		}
	}
	if err == nil {
		return 0
	}
	var fe findingError
	if errors.As(err, &fe) {
		fmt.Fprintln(stderr, "simulate:", oneLine(err.Error()))
		return 1
	}
	var ie interruptedError
	if errors.As(err, &ie) {
		fmt.Fprintln(stderr, "simulate:", oneLine(err.Error()))
		return exitInterrupted
	}
	// Anything else — a flag cobra could not parse, an unknown command, a
	// value out of range, an unreadable file — is bad input.
	fmt.Fprintln(stderr, "simulate:", oneLine(suggestionsInline(err.Error())))
	return 2
}

// suggestionsInline folds cobra's "Did you mean this?" block, which
// follows its unknown-command error on separate lines, into the one line
// bad input gets.
func suggestionsInline(s string) string {
	head, rest, ok := strings.Cut(s, "\n\nDid you mean this?\n")
	if !ok {
		return s
	}
	return fmt.Sprintf("%s; did you mean %s?", head, strings.Join(strings.Fields(rest), " or "))
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
