package scenario

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"simulate/faults"
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
