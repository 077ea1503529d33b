package main

import (
	"github.com/spf13/pflag"

	"simulate/protocols/chain"
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

// scheduleFlag is a pflag.Value for a recorded environment schedule
// ("index=value,..." as the chain protocols' checks print it), parsed when
// the flag is read so a malformed one is a flag error (exit 2).
type scheduleFlag struct{ dst *[]int }

func (f scheduleFlag) String() string {
	if f.dst == nil {
		return ""
	}
	return chain.FormatSchedule(*f.dst)
}

func (f scheduleFlag) Set(s string) error {
	v, err := chain.ParseSchedule(s)
	if err != nil {
		return err
	}
	*f.dst = v
	return nil
}

func (f scheduleFlag) Type() string { return "schedule" }

// scheduleVar defines a --schedule flag that fills dst.
func scheduleVar(fs *pflag.FlagSet, dst *[]int, usage string) {
	fs.Var(scheduleFlag{dst: dst}, "schedule", usage)
}
