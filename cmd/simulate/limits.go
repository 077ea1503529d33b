package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// Limits on flag combinations that are each valid but together would run
// for hours or hold more memory than a machine has: they are refused up
// front, naming the flags and the limit, instead of ending in an
// out-of-memory crash. They are checked by flag name for every command
// that has the flags (attachLimits), so the commands' own files need not
// know about them. The per-unit costs were measured on runs of this
// simulator (see README, "Limits").
const (
	// pbftMaxMessages bounds 3 × replicas² × requests, about the messages
	// a PBFT run sends (measured: 749 a request at 16 replicas, 2.9 n²).
	pbftMaxMessages = 100_000_000
	// paxosMultiMaxBytes bounds the memory of a multi-Paxos run, about
	// paxosMultiBytesPerNodeOp for each node and client operation
	// (measured: 50 nodes, 10 clients, 100 → 400 ops: 58 → 146 MB).
	paxosMultiMaxBytes       = 2_000_000_000
	paxosMultiBytesPerNodeOp = 600
	// flpMaxEvents bounds the deterministic duel's horizon, which holds
	// about flpBytesPerEvent a event (measured: 1M → 4M events: 101 → 376 MB).
	flpMaxEvents     = 10_000_000
	flpBytesPerEvent = 92
)

// attachLimits makes every command under c check the limits before it runs.
func attachLimits(c *cobra.Command) {
	for _, sub := range c.Commands() {
		attachLimits(sub)
	}
	if !c.Runnable() {
		return
	}
	prev := c.PreRunE
	c.PreRunE = func(cmd *cobra.Command, args []string) error {
		if err := checkLimits(cmd); err != nil {
			return err
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
}

func checkLimits(cmd *cobra.Command) error {
	fs := cmd.Flags()
	// 0 used to mean "the default" silently; a user who types 0 means 0,
	// which no hash power or cheat factor can be.
	for _, z := range []struct{ flag, def string }{{"hash-scale", "1"}, {"cheat-factor", "10"}} {
		if f := fs.Lookup(z.flag); f != nil && f.Changed {
			if v, err := fs.GetFloat64(z.flag); err == nil && v == 0 {
				return badInput("--%s 0: want a positive factor (the default is %s)", z.flag, z.def)
			}
		}
	}
	geti := func(name string) (int, bool) {
		v, err := fs.GetInt(name)
		return v, err == nil && fs.Lookup(name) != nil
	}
	name := cmd.Name()
	if name == "pbft" {
		n, ok1 := geti("replicas")
		r, ok2 := geti("requests")
		if ok1 && ok2 && n > 0 && r > 0 {
			if msgs := 3 * int64(n) * int64(n) * int64(r); msgs > pbftMaxMessages {
				return badInput("--replicas %d with --requests %d: a run would send ~%s messages (about 3 × replicas² a request); the limit is %s: lower --replicas or --requests",
					n, r, approx(float64(msgs)), approx(pbftMaxMessages))
			}
		}
	}
	if name == "paxos" {
		if mode, err := fs.GetString("mode"); err == nil && mode == "multi" {
			n, _ := geti("nodes")
			c, _ := geti("clients")
			o, _ := geti("ops")
			if n > 0 && c > 0 && o > 0 {
				if b := int64(paxosMultiBytesPerNodeOp) * int64(n) * int64(c) * int64(o); b > paxosMultiMaxBytes {
					return badInput("--mode multi with --nodes %d, --clients %d, --ops %d: the run would hold ~%sB (about %d B per node and operation); the limit is %sB: lower --nodes, --clients or --ops",
						n, c, o, approx(float64(b)), paxosMultiBytesPerNodeOp, approx(paxosMultiMaxBytes))
				}
			}
		}
	}
	if name == "flp" {
		if e, ok := geti("events"); ok && e > flpMaxEvents {
			return badInput("--events %d: the duel would hold ~%sB (about %d B an event); the limit is --events %d",
				e, approx(float64(e)*flpBytesPerEvent), flpBytesPerEvent, flpMaxEvents)
		}
	}
	return nil
}

// approx writes n with an SI prefix and two significant digits: 1.2 G.
func approx(n float64) string {
	units := []string{"", " k", " M", " G", " T", " P"}
	i := 0
	for n >= 999.5 && i < len(units)-1 {
		n /= 1000
		i++
	}
	if n >= 99.5 {
		return fmt.Sprintf("%.0f%s", n, units[i])
	}
	return strings.TrimSuffix(strconv.FormatFloat(n, 'f', 1, 64), ".0") + units[i]
}
