package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"simulate/sim"
	"simulate/trace"
)

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		var show bool
		cmd := &cobra.Command{
			Use:   "replay TRACE",
			Short: "Rerun a recorded trace and check it replays byte for byte",
			Long: `replay reads a trace written with --trace, reruns its scenario with its
seed, and compares the new run with the recorded one event by event. It
exits 0 when they match and 1 when they differ, naming the first event
where the two runs diverge. --show prints the trace in words.`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				fh, err := os.Open(args[0])
				if err != nil {
					return badInput("%v", err)
				}
				defer fh.Close()
				rd, err := trace.NewReader(fh)
				if err != nil {
					return badInput("%s: %v", args[0], err)
				}
				h := rd.Header
				rp, ok := replayers[h.Protocol]
				if !ok {
					return badInput("%s: unknown protocol %q (known: %s)", args[0], h.Protocol, strings.Join(replayerNames(), ", "))
				}
				out := cmd.OutOrStdout()
				// The recording is read as the rerun goes, event for event,
				// so neither run is held in memory.
				c := &replayComparer{rd: rd}
				if show {
					c.show = bufio.NewWriter(out)
				}
				res, err := rp(h.Scenario, h.Seed, c)
				if err != nil {
					return badInput("%s: scenario: %v", args[0], err)
				}
				c.drain()
				if c.show != nil {
					c.show.Flush()
				}
				if c.err != nil {
					return badInput("%s: %v", args[0], c.err)
				}
				if c.d != nil || res.HashString() != rd.Footer.Hash {
					return findingError{msg: divergenceText("replay differs from the recording", c.d, rd.Footer.Hash, res.HashString())}
				}
				fmt.Fprintf(out, "replayed %d events of %s (seed %d): hash %s matches\n", c.n, h.Protocol, h.Seed, res.HashString())
				if v := rd.Footer.Violation; v != nil {
					fmt.Fprintf(out, "the recording is a counterexample: %s (broken by event %d)\n", v.Property, v.Event)
				}
				return nil
			},
		}
		cmd.Flags().BoolVar(&show, "show", false, "print the recorded trace in words, one line per event")
		return cmd
	})
}

// replayComparer is a Tracer comparing a rerun, event by event, with the
// recording it reads as it goes; it keeps the first divergence.
type replayComparer struct {
	rd    *trace.Reader
	show  *bufio.Writer // --show: the recorded events, in words
	n     int           // events of the rerun
	ended bool          // the recording has no more events
	d     *trace.Divergence
	err   error // the recording is malformed
}

// next reads the recording's next event; false when it has no more.
func (c *replayComparer) next() (trace.Event, bool) {
	if c.ended || c.err != nil {
		return trace.Event{}, false
	}
	e, ok, err := c.rd.Next()
	if err != nil {
		c.err = err
	}
	if !ok {
		c.ended = true
		return e, false
	}
	if c.show != nil {
		c.show.WriteString(e.Line())
		c.show.WriteByte('\n')
	}
	return e, true
}

func (c *replayComparer) Record(e sim.TraceEvent) {
	i := c.n
	c.n++
	rec, ok := c.next()
	if c.d != nil {
		return
	}
	got := trace.EventOf(e)
	switch {
	case !ok:
		c.d = &trace.Divergence{Index: i, B: got.Line()}
	case rec != got: // Line is a function of the fields: equal events, equal lines
		c.d = &trace.Divergence{Index: i, A: rec.Line(), B: got.Line()}
	}
}

// drain reads what is left of the recording after the rerun ended.
func (c *replayComparer) drain() {
	i := c.n
	for {
		rec, ok := c.next()
		if !ok {
			return
		}
		if c.d == nil {
			c.d = &trace.Divergence{Index: i, A: rec.Line()}
		}
		i++
	}
}

func replayerNames() []string {
	var names []string
	for k := range replayers {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
