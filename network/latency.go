package network

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"simulate/sim"
)

// Buckets is the number of quantiles a random latency distribution is cut
// into. A message's delay is one draw of an index into that sorted table, so
// draw 0 is always the fastest delivery the model produces: rapid shrinks
// delays toward it, and a run where every draw is 0 is the calm network.
// 64 buckets are fine enough for stale-rate and timeout experiments and keep
// the draws short enough for a person to read in a shrunk schedule.
const Buckets = 64

// MaxDelay bounds every delay parameter a user may give. It is far above any
// network a person would model and keeps Now+Delay far from overflowing
// sim.Time even after a long run; table entries beyond it (a heavy log-normal
// tail) are clamped to it.
const MaxDelay = 24 * sim.Hour

// MaxSigma bounds the log-normal shape: beyond it almost all the mass sits in
// the clamped tail and the model no longer means what its median says.
const MaxSigma = 4.0

// The latency distributions.
const (
	DistConstant    = "constant"
	DistUniform     = "uniform"
	DistExponential = "exponential"
	DistLogNormal   = "lognormal"
)

// Latency is a message delay distribution. It is a plain value so that a
// scenario holding it is JSON-serialisable; build one with Constant, Uniform,
// Exponential or LogNormal, or ParseLatency for command-line input.
//
// The zero Latency is Constant(0): every message arrives at once.
type Latency struct {
	// Dist is one of DistConstant (also ""), DistUniform, DistExponential
	// and DistLogNormal.
	Dist string `json:"dist,omitempty"`
	// Min is the constant delay, the lower bound of a uniform delay, and a
	// floor added to exponential and log-normal delays (the speed-of-light
	// part of a link that no queueing removes).
	Min sim.Time `json:"min,omitempty"`
	// Max is the upper bound of a uniform delay.
	Max sim.Time `json:"max,omitempty"`
	// Mean is the mean of an exponential delay (above Min).
	Mean sim.Time `json:"mean,omitempty"`
	// Median is the median of a log-normal delay (above Min).
	Median sim.Time `json:"median,omitempty"`
	// Sigma is the log-normal shape: the standard deviation of the delay's
	// logarithm. 0.5 is a typical wide-area link.
	Sigma float64 `json:"sigma,omitempty"`
	// Steps, for a uniform delay, is how many evenly spaced values from Min
	// to Max it takes (0: Buckets): a protocol whose delays come in whole
	// steps (1ms plus 0..4 ms) keeps exactly those values.
	Steps int `json:"steps,omitempty"`
}

// MaxSteps bounds Latency.Steps: more values than a draw needs to be fine.
const MaxSteps = 1_000_000

// UniformSteps is a delay uniform over steps evenly spaced values from min
// to max inclusive; steps 1 is the constant min.
func UniformSteps(min, max sim.Time, steps int) Latency {
	return Latency{Dist: DistUniform, Min: min, Max: max, Steps: steps}
}

// Constant is a delay of exactly d: messages on a link never overtake each
// other and no draw is made.
func Constant(d sim.Time) Latency { return Latency{Dist: DistConstant, Min: d} }

// Uniform is a delay uniform over [min, max], both ends included: bucket 0
// is min and the last bucket is max.
func Uniform(min, max sim.Time) Latency { return Latency{Dist: DistUniform, Min: min, Max: max} }

// Exponential is a memoryless delay with the given mean, the classic model
// of queueing delay and of block propagation in Nakamoto's analysis.
func Exponential(mean sim.Time) Latency { return Latency{Dist: DistExponential, Mean: mean} }

// LogNormal is a delay whose logarithm is normal: median and sigma as
// measured on real wide-area links, with a long right tail.
func LogNormal(median sim.Time, sigma float64) Latency {
	return Latency{Dist: DistLogNormal, Median: median, Sigma: sigma}
}

// Validate reports a user-facing error if l is not a usable distribution:
// an unknown name, a negative or huge delay, max below min, a bad sigma.
func (l Latency) Validate() error {
	checkDelay := func(name string, d sim.Time) error {
		if d < 0 {
			return fmt.Errorf("latency %s %s: must not be negative", name, d)
		}
		if d > MaxDelay {
			return fmt.Errorf("latency %s %s: must be at most %s", name, d, MaxDelay)
		}
		return nil
	}
	if err := checkDelay("min", l.Min); err != nil {
		return err
	}
	if l.Steps != 0 && l.Dist != DistUniform {
		return fmt.Errorf("latency %s: steps apply only to a uniform delay", l.Dist)
	}
	switch l.Dist {
	case "", DistConstant:
	case DistUniform:
		if err := checkDelay("max", l.Max); err != nil {
			return err
		}
		if l.Max < l.Min {
			return fmt.Errorf("latency uniform: max %s is below min %s", l.Max, l.Min)
		}
		if l.Steps < 0 || l.Steps > MaxSteps {
			return fmt.Errorf("latency uniform: %d steps, want 0 to %d", l.Steps, MaxSteps)
		}
	case DistExponential:
		if err := checkDelay("mean", l.Mean); err != nil {
			return err
		}
	case DistLogNormal:
		if err := checkDelay("median", l.Median); err != nil {
			return err
		}
		if math.IsNaN(l.Sigma) || l.Sigma < 0 || l.Sigma > MaxSigma {
			return fmt.Errorf("latency lognormal: sigma %v must be in [0, %v]", l.Sigma, MaxSigma)
		}
	default:
		return fmt.Errorf("latency %q: want one of %s, %s, %s, %s", l.Dist, DistConstant, DistUniform, DistExponential, DistLogNormal)
	}
	return nil
}

// Table returns the delays a draw indexes, sorted from fastest to slowest.
// A distribution with a single value (constant, or uniform with min == max)
// has a table of length 1, and Net makes no draw for it.
//
// Uniform takes Buckets evenly spaced points from Min to Max inclusive.
// Exponential and log-normal take the quantiles at the bucket midpoints,
// (k+0.5)/Buckets, so each bucket stands for an equal share of the
// probability mass and a uniform draw over the table follows the
// distribution; the tail beyond the last midpoint is cut off, which keeps a
// single unlucky draw from stalling a run for hours.
// Table assumes l is valid.
func (l Latency) Table() []sim.Time {
	switch l.Dist {
	case DistUniform:
		steps := l.Steps
		if steps == 0 {
			steps = Buckets
		}
		if l.Max == l.Min || steps == 1 {
			return []sim.Time{l.Min}
		}
		t := make([]sim.Time, steps)
		span := float64(l.Max - l.Min)
		for k := range t {
			t[k] = l.Min + sim.Time(math.Round(span*float64(k)/float64(steps-1)))
		}
		return t
	case DistExponential:
		if l.Mean == 0 {
			return []sim.Time{l.Min}
		}
		return quantiles(l.Min, func(q float64) float64 { return -float64(l.Mean) * math.Log1p(-q) })
	case DistLogNormal:
		if l.Median == 0 {
			return []sim.Time{l.Min}
		}
		if l.Sigma == 0 {
			return []sim.Time{clampDelay(l.Min + l.Median)}
		}
		return quantiles(l.Min, func(q float64) float64 {
			z := math.Sqrt2 * math.Erfinv(2*q-1)
			return float64(l.Median) * math.Exp(l.Sigma*z)
		})
	default:
		return []sim.Time{l.Min}
	}
}

// quantiles tabulates floor+inv(q) at the bucket midpoints.
func quantiles(floor sim.Time, inv func(q float64) float64) []sim.Time {
	t := make([]sim.Time, Buckets)
	for k := range t {
		x := inv((float64(k) + 0.5) / Buckets)
		if x > float64(MaxDelay) {
			x = float64(MaxDelay)
		}
		t[k] = clampDelay(floor + sim.Time(math.Round(x)))
	}
	return t
}

func clampDelay(d sim.Time) sim.Time {
	if d > MaxDelay {
		return MaxDelay
	}
	return d
}

// String renders l in the syntax ParseLatency reads, e.g. "uniform:5ms,50ms".
// A floor under an exponential or log-normal delay is written as "+min".
func (l Latency) String() string {
	floor := ""
	if l.Min != 0 {
		floor = "+" + l.Min.String()
	}
	switch l.Dist {
	case DistUniform:
		if l.Steps != 0 {
			return fmt.Sprintf("uniform:%s,%s/%d", l.Min, l.Max, l.Steps)
		}
		return fmt.Sprintf("uniform:%s,%s", l.Min, l.Max)
	case DistExponential:
		return fmt.Sprintf("exponential:%s%s", l.Mean, floor)
	case DistLogNormal:
		return fmt.Sprintf("lognormal:%s,%s%s", l.Median, strconv.FormatFloat(l.Sigma, 'g', -1, 64), floor)
	default:
		return fmt.Sprintf("constant:%s", l.Min)
	}
}

// ParseLatency reads a latency from a flag value:
//
//	10ms                     constant 10ms (also "constant:10ms")
//	uniform:5ms,50ms         uniform between 5ms and 50ms
//	uniform:1ms,5ms/5        the same in 5 evenly spaced values (1ms .. 5ms)
//	exponential:20ms         exponential with mean 20ms (also "exp:20ms")
//	lognormal:30ms,0.5       log-normal with median 30ms, sigma 0.5
//	exponential:20ms+5ms     the same plus a 5ms floor (lognormal too)
//
// Durations use time.ParseDuration's syntax or bare nanoseconds. The result
// is validated; errors are one line, fit for a usage message.
func ParseLatency(s string) (Latency, error) {
	name, args, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found {
		name, args = DistConstant, name
	}
	parseT := func(what, v string) (sim.Time, error) {
		t, err := sim.ParseTime(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("latency %q: bad %s %q", s, what, v)
		}
		return t, nil
	}
	// A floor comes last, after '+', for the distributions that take one.
	withFloor := func(args string) (string, sim.Time, error) {
		body, fl, ok := strings.Cut(args, "+")
		if !ok {
			return body, 0, nil
		}
		f, err := parseT("floor", fl)
		return body, f, err
	}
	var l Latency
	switch strings.ToLower(name) {
	case DistConstant, "const", "fixed":
		d, err := parseT("delay", args)
		if err != nil {
			return Latency{}, err
		}
		l = Constant(d)
	case DistUniform:
		lo, hi, ok := strings.Cut(args, ",")
		if !ok {
			return Latency{}, fmt.Errorf("latency %q: uniform wants min,max", s)
		}
		min, err := parseT("min", lo)
		if err != nil {
			return Latency{}, err
		}
		hi, stepsText, hasSteps := strings.Cut(hi, "/")
		max, err := parseT("max", hi)
		if err != nil {
			return Latency{}, err
		}
		l = Uniform(min, max)
		if hasSteps {
			steps, err := strconv.Atoi(strings.TrimSpace(stepsText))
			if err != nil || steps < 1 {
				return Latency{}, fmt.Errorf("latency %q: bad steps %q, want a positive integer", s, stepsText)
			}
			l.Steps = steps
		}
	case DistExponential, "exp":
		body, floor, err := withFloor(args)
		if err != nil {
			return Latency{}, err
		}
		mean, err := parseT("mean", body)
		if err != nil {
			return Latency{}, err
		}
		l = Exponential(mean)
		l.Min = floor
	case DistLogNormal, "lognorm":
		body, floor, err := withFloor(args)
		if err != nil {
			return Latency{}, err
		}
		med, sig, ok := strings.Cut(body, ",")
		if !ok {
			return Latency{}, fmt.Errorf("latency %q: lognormal wants median,sigma", s)
		}
		median, err := parseT("median", med)
		if err != nil {
			return Latency{}, err
		}
		sigma, err := strconv.ParseFloat(strings.TrimSpace(sig), 64)
		if err != nil {
			return Latency{}, fmt.Errorf("latency %q: bad sigma %q", s, sig)
		}
		l = LogNormal(median, sigma)
		l.Min = floor
	default:
		return Latency{}, fmt.Errorf("latency %q: unknown distribution %q (want constant, uniform, exponential or lognormal)", s, name)
	}
	if err := l.Validate(); err != nil {
		return Latency{}, err
	}
	return l, nil
}

// Set implements pflag.Value: a *Latency is a flag read by ParseLatency.
func (l *Latency) Set(s string) error {
	v, err := ParseLatency(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Type implements pflag.Value.
func (*Latency) Type() string { return "latency" }
