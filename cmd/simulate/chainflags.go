package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"simulate/protocols/chain"
)

// chainFlags defines the block, transaction and network flags every
// blockchain command shares (nakamoto, pos, dpos, poet) on fs, filling w
// and l; each flag's default is the field's value on entry, so a
// protocol's own defaults come from its DefaultScenario. --outbound is
// nakamoto's alone and stays there.
func chainFlags(fs *pflag.FlagSet, w *chain.Workload, l *chain.Links) {
	fs.IntVar(&w.BlockSize, "block-size", w.BlockSize, "largest block in bytes")
	fs.IntVar(&w.TxSize, "tx-size", w.TxSize, "transaction size in bytes")
	fs.Float64Var(&w.TxRate, "tx-rate", w.TxRate, "transactions arriving per second")
	fs.IntVar(&l.Degree, "degree", l.Degree, "neighbours per node in the random peer-to-peer graph")
	timeVar(fs, &l.Delay, "delay", l.Delay, "latency of every link")
	fs.Int64Var(&l.Bandwidth, "bandwidth", l.Bandwidth, "link bandwidth in bits per second (0: unlimited)")
	timeVar(fs, &l.Jitter, "jitter", l.Jitter, "step of extra per-message delay drawn from the seed (with --jitter-steps)")
	fs.IntVar(&l.JitterSteps, "jitter-steps", l.JitterSteps, "extra delay is a drawn 0..steps-1 times --jitter")
}

// fitDefault lowers *v to most when the user did not type --name: a
// default chosen for the default size (--degree 4, --delegates 21) must
// not fail a smaller size the user did give (--miners 3, --nodes 4). A
// value the user typed is kept, and validation reports it.
func fitDefault(fs *pflag.FlagSet, name string, v *int, most int) {
	if !fs.Changed(name) && *v > most && most >= 1 {
		*v = most
	}
}

// linksArgs is the network part of the replay command lines the chain
// checks print: "--degree 4 --delay 1s --bandwidth 0 --jitter 20s
// --jitter-steps 4". The checks' scenarios never set Outbound, and only
// nakamoto has the flag, so it is left out.
func linksArgs(l chain.Links) string {
	return fmt.Sprintf("--degree %d --delay %v --bandwidth %d --jitter %v --jitter-steps %d", l.Degree, l.Delay, l.Bandwidth, l.Jitter, l.JitterSteps)
}

// chainFieldWords maps the words chain.Workload and chain.Links errors
// use for their fields to the flags; chainFieldPrefixes are the field
// words that begin such an error and only need "--" in front.
var (
	chainFieldWords    = []string{"block size", "--block-size", "transaction rate", "--tx-rate", "transaction size", "--tx-size", "jitter steps", "--jitter-steps"}
	chainFieldPrefixes = []string{"degree", "delay", "bandwidth", "jitter"}
)

// withFlagNames turns field words into flag names in a validation error:
// replace maps words anywhere (old, new pairs, after chainFieldWords), and
// a message that begins with one of prefixes (or chainFieldPrefixes) gets
// "--" in front.
func withFlagNames(s string, replace, prefixes []string) string {
	s = strings.NewReplacer(append(append([]string{}, chainFieldWords...), replace...)...).Replace(s)
	for _, w := range append(append([]string{}, chainFieldPrefixes...), prefixes...) {
		if strings.HasPrefix(s, w) {
			return "--" + s
		}
	}
	return s
}
