// Package nines is the availability experiment: the course notes' table of
// "nines" computed exactly, and a simulation of how replication buys nines
// when every node fails and recovers at random.
package nines

import (
	"fmt"
	"math"
)

// MinutesPerYear is 365 days of minutes. The course notes round it to 500
// for 0.999 ("三个9 ... 500 分钟"); the exact downtime is 525.6 minutes.
const MinutesPerYear = 365 * 24 * 60

// Row is one line of the nines table.
type Row struct {
	Availability float64 `json:"availability"`
	Nines        int     `json:"nines"`
	// DowntimeMinutes is the exact downtime per year: (1-A) * 525,600.
	DowntimeMinutes float64 `json:"downtime_minutes_per_year"`
	// NotesMinutes is the figure the course notes print (rounded).
	NotesMinutes float64 `json:"notes_minutes_per_year"`
	Product      string  `json:"product"`
}

// Table returns the course notes' table with exact downtimes.
func Table() []Row {
	rows := []Row{
		{Availability: 0.999, NotesMinutes: 500, Product: "computers and servers (电脑或服务器)"},
		{Availability: 0.9999, NotesMinutes: 50, Product: "enterprise equipment (企业级设备)"},
		{Availability: 0.99999, NotesMinutes: 5, Product: "telecom equipment (一般电信级设备)"},
		{Availability: 0.999999, NotesMinutes: 0.5, Product: "demanding telecom equipment (更高要求电信级设备)"},
	}
	for i := range rows {
		rows[i].Nines = int(math.Round(Nines(rows[i].Availability)))
		rows[i].DowntimeMinutes = Downtime(rows[i].Availability)
	}
	return rows
}

// Downtime is the minutes per year a service with availability a is down.
func Downtime(a float64) float64 {
	// Round away float noise (1-0.999 is 0.0010000000000000009).
	return math.Round((1-a)*MinutesPerYear*1e6) / 1e6
}

// Nines is -log10(1-a): 3 for 0.999. It is +Inf for a = 1.
func Nines(a float64) float64 {
	if a >= 1 {
		return math.Inf(1)
	}
	return -math.Log10(1 - a)
}

// QuorumAvailability is the probability that at least k of n independent
// nodes are up, each up with probability p: the analytic availability of a
// service that needs a quorum of k.
func QuorumAvailability(n, k int, p float64) float64 {
	sum := 0.0
	for j := k; j <= n; j++ {
		sum += binom(n, j) * math.Pow(p, float64(j)) * math.Pow(1-p, float64(n-j))
	}
	return sum
}

func binom(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// FormatNines renders a count of nines for tables ("4.2", "∞").
func FormatNines(a float64) string {
	n := Nines(a)
	if math.IsInf(n, 1) {
		return "∞"
	}
	return fmt.Sprintf("%.2f", n)
}
