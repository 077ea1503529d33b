package chain

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"simulate/check"
	"simulate/report"
	"simulate/sim"
)

// Words and tables for people, shared by every chain protocol's run and
// by the experiments that compare them.

// ShortTime rounds a virtual duration for people: whole seconds past a
// minute, hundredths past a second, microseconds below.
func ShortTime(t sim.Time) string {
	d := time.Duration(t)
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(time.Microsecond)
	}
	return d.String()
}

// SizeWords renders a byte count as the flags would be typed in words:
// "64 kB", "1 MB", "500 B".
func SizeWords(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%d MB", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%d kB", n/1000)
	}
	return fmt.Sprintf("%d B", n)
}

// ProducerTable sets each node's share of the main chain's blocks beside
// its share of the power (hash power, stake, enclaves), with the z-score
// of the difference; coinDays and interest (proof of stake by coin age)
// add two columns when not nil.
func ProducerTable(what string, blocks []int, shares []float64, shareName string, coinDays, interest []float64) report.Table {
	t := report.Table{
		Name:   "producers",
		Title:  what + ": share of the main chain against share of the power",
		Header: []string{"node", shareName, "blocks", "share of blocks", "z"},
	}
	if coinDays != nil {
		t.Header = append(t.Header, "coin-days consumed", "interest earned")
	}
	total := 0
	for _, b := range blocks {
		total += b
	}
	z := FairnessZ(blocks, shares)
	counts := make([]float64, len(blocks))
	for i, b := range blocks {
		counts[i] = float64(b)
		share := 0.0
		if total > 0 {
			share = float64(b) / float64(total)
		}
		row := []string{fmt.Sprintf("n%d", i), fmt.Sprintf("%.4f", shares[i]), fmt.Sprint(b), fmt.Sprintf("%.4f", share), fmt.Sprintf("%+.2f", z[i])}
		if coinDays != nil {
			row = append(row, fmt.Sprintf("%.4f", coinDays[i]), fmt.Sprintf("%.6f", interest[i]))
		}
		t.Rows = append(t.Rows, row)
	}
	t.Notes = []string{fmt.Sprintf("z = (blocks - expected)/s.d. for the binomial with the node's share; |z| > 3 says the mechanism does not give it its share. Gini of blocks: %.3f.", check.Gini(counts))}
	if coinDays != nil {
		t.Notes = append(t.Notes, "Interest = coin-days × rate / 365: the notes' 3,000 coin-days at 5 % earn 0.41 coins.")
	}
	return t
}

// ParseStakes reads a --stakes value: "equal", "zipf" (1, 1/2, 1/3, ...)
// or a comma-separated list of n non-negative numbers.
func ParseStakes(spec string, n int) ([]float64, error) {
	switch spec {
	case "", "equal":
		return nil, nil
	case "zipf":
		return Zipf(n), nil
	}
	parts := strings.Split(spec, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("--stakes: %d values for %d nodes (or use equal, zipf)", len(parts), n)
	}
	out := make([]float64, n)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("--stakes: %q is not a non-negative number", p)
		}
		out[i] = x
	}
	return out, nil
}
