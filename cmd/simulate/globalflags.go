package main

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// refusal says which global flags a command has no use for, and why.
type refusal struct {
	flags []string
	why   string
}

// A sweep is thousands of runs: there is no one run to trace or draw.
// --check-determinism it honours (runSweep runs every run twice).
var sweepRefusal = refusal{
	flags: []string{"trace", "diagram"},
	why:   "it is a sweep of many seeded runs, with no single run to trace or draw; trace one run of the protocol command instead",
}

// groupRefusal is for a command that only groups subcommands.
var groupRefusal = refusal{
	flags: []string{"trace", "diagram", "check-determinism"},
	why:   "it runs nothing itself; name one of its subcommands",
}

// refusals lists, by command path, the commands that would otherwise
// ignore a global flag: they refuse it (exit 2, one line) rather than exit
// 0 having written nothing. Every other runnable command honours --trace,
// --diagram and --check-determinism (TestEveryCommandHonoursOrRefuses
// keeps the two lists complete).
var refusals = map[string]refusal{
	"simulate nines":                      sweepRefusal,
	"simulate cap":                        sweepRefusal,
	"simulate consensus compare":          sweepRefusal,
	"simulate nakamoto stale":             sweepRefusal,
	"simulate nakamoto throughput":        sweepRefusal,
	"simulate nakamoto partition":         sweepRefusal,
	"simulate nakamoto doublespend":       sweepRefusal,
	"simulate nakamoto selfish":           sweepRefusal,
	"simulate experiment byzantine-bound": sweepRefusal,
	"simulate experiment double-spend":    sweepRefusal,
	"simulate experiment selfish-mining":  sweepRefusal,
	"simulate flp": {
		flags: []string{"trace", "check-determinism"},
		why:   "flp sweeps thousands of runs; --diagram draws the opening of its deterministic duel",
	},
	"simulate render": {
		flags: []string{"trace", "diagram", "check-determinism"},
		why:   "render reads a trace and draws it with --as and -o",
	},
	"simulate replay": {
		flags: []string{"trace", "diagram", "check-determinism"},
		why:   "replay reruns a recorded trace and compares it already; draw it with simulate render",
	},
	"simulate merge": {
		flags: []string{"trace", "diagram", "check-determinism"},
		why:   "merge only aggregates finished runs; it runs nothing",
	},
	"simulate consensus": groupRefusal,
	"simulate run":       groupRefusal,
	"simulate check": {
		flags: []string{"trace", "diagram", "check-determinism"},
		why:   "check --all is the bug benchmark, many searches with no single run to trace; name a protocol to trace its counterexample",
	},
	"simulate experiment": groupRefusal,
	"simulate version": {
		flags: []string{"trace", "diagram", "check-determinism"},
		why:   "version runs nothing",
	},
}

// honours lists the runnable commands that honour --trace, --diagram and
// --check-determinism (through execute, or confirmViolation for check).
var honours = map[string]bool{
	// and every registered protocol's `simulate NAME` and the
	// subcommands of simulate check and simulate run (one per protocol),
	// through confirmViolation and execute.
}

// refuseIgnoredGlobals fails, with one line, when the user set a global
// flag that cmd would ignore.
func refuseIgnoredGlobals(cmd *cobra.Command) error {
	r, ok := refusals[cmd.CommandPath()]
	if !ok {
		return nil
	}
	for _, name := range r.flags {
		if cmd.Flags().Changed(name) {
			return badInput("--%s does not apply to %s: %s", name, strings.TrimPrefix(cmd.CommandPath(), "simulate "), r.why)
		}
	}
	return nil
}

// leafCommands lists the paths of root's runnable commands, sorted.
func leafCommands(root *cobra.Command) []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c != root && c.Name() != "help" && c.Name() != "completion" {
			out = append(out, c.CommandPath())
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	sort.Strings(out)
	return out
}
