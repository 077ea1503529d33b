package main

import (
	"github.com/spf13/pflag"

	"simulate/sim"
)

// timeFlag is a pflag.Value for virtual durations: "250ms", "1h", "30d".
type timeFlag struct{ t *sim.Time }

func (f timeFlag) String() string {
	if f.t == nil {
		return ""
	}
	return f.t.String()
}

func (f timeFlag) Set(s string) error {
	t, err := sim.ParseTime(s)
	if err != nil {
		return err
	}
	*f.t = t
	return nil
}

func (f timeFlag) Type() string { return "duration" }

// timeVar defines a virtual-duration flag.
func timeVar(fs *pflag.FlagSet, p *sim.Time, name string, value sim.Time, usage string) {
	*p = value
	fs.Var(timeFlag{t: p}, name, usage)
}
