package scenario

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"simulate/faults"
	"simulate/network"
	"simulate/sim"
)

// TimeVar binds a virtual duration ("30ms", "2s") to a flag.
func TimeVar(fs *pflag.FlagSet, t *sim.Time, name, usage string) {
	fs.Var((*timeFlag)(t), name, usage)
}

type timeFlag sim.Time

func (f *timeFlag) String() string { return sim.Time(*f).String() }
func (f *timeFlag) Type() string   { return "duration" }
func (f *timeFlag) Set(v string) error {
	t, err := sim.ParseTime(v)
	if err != nil {
		return err
	}
	*f = timeFlag(t)
	return nil
}

// MaxPlanBytes bounds a fault plan file: a plan is a short list of events.
const MaxPlanBytes = 1 << 20

// FaultsVar binds a fault plan file (JSON, see faults.ParsePlan) to a
// flag: the one --faults of every protocol.
func FaultsVar(fs *pflag.FlagSet, p *faults.Plan, name, usage string) {
	fs.Var(&planFlag{p: p}, name, usage)
}

type planFlag struct {
	p    *faults.Plan
	path string
}

func (f *planFlag) String() string { return f.path }
func (f *planFlag) Type() string   { return "file" }
func (f *planFlag) Set(path string) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, MaxPlanBytes+1))
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if len(data) > MaxPlanBytes {
		return fmt.Errorf("%s: larger than the %d-byte limit of a fault plan", path, MaxPlanBytes)
	}
	plan, err := faults.ParsePlan(data)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	*f.p, f.path = plan, path
	return nil
}

// PCTVar binds --pct DEPTH, the PCT delay strategy (network.PCT), to a
// flag: depth d searches for ordering bugs of depth d with d-1 priority
// change points among the first horizon messages, senders drawing one of
// four priority levels, step apart. 0 (the default) leaves the network's
// own delays alone.
func PCTVar(fs *pflag.FlagSet, p **network.PCT, step sim.Time, horizon int) {
	fs.Var(&pctFlag{p: p, step: step, horizon: horizon}, "pct",
		fmt.Sprintf("PCT delay strategy of this depth (Burckhardt et al. 2010): every sender draws one of 4 priority levels, %v of extra delay apart, and depth-1 change points among the first %d messages demote a sender; 0: off", step, horizon))
}

type pctFlag struct {
	p       **network.PCT
	step    sim.Time
	horizon int
}

func (f *pctFlag) String() string {
	if *f.p == nil {
		return "0"
	}
	return fmt.Sprint((*f.p).Depth)
}
func (f *pctFlag) Type() string { return "depth" }
func (f *pctFlag) Set(v string) error {
	var d int
	if _, err := fmt.Sscan(v, &d); err != nil || d < 0 || d > 10 || fmt.Sprint(d) != v {
		return fmt.Errorf("want a depth from 0 (off) to 10, got %q", v)
	}
	if d == 0 {
		*f.p = nil
		return nil
	}
	*f.p = &network.PCT{Depth: d, Levels: 4, Step: f.step, Horizon: f.horizon}
	return nil
}
