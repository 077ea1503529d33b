package main

import "simulate/faults"

// faultsFlag is the --faults flag every protocol that runs on network.Net
// shares: a fault plan read from a JSON file (see faults.ParsePlan), added
// to the scenario's own --crash and --partition. The scenario records the
// plan itself, so a trace replays without the file.
type faultsFlag struct{ plan *faults.Plan }

// faultsUsage is the flag's help text.
const faultsUsage = `fault plan file: a JSON array of timed events, e.g. [{"at":"5ms","kind":"crash","node":2},{"at":"10ms","kind":"duplicate","p":0.5}] (kinds: crash, restart, partition, heal, loss, duplicate, cut)`

// String is empty: the flag's default is no plan, and a plan is shown by
// the scenario it joins.
func (f faultsFlag) String() string { return "" }

func (f faultsFlag) Set(path string) error {
	p, err := faults.ReadPlan(path)
	if err != nil {
		return err
	}
	*f.plan = append(*f.plan, p...)
	return nil
}

func (f faultsFlag) Type() string { return "file" }
