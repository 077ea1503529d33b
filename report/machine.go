package report

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Machine returns t as a program should read it (the CSV): every column
// whose cells all read as numbers of one kind holds bare numbers, its unit
// moved into the header, and a "mean ± s.e." column becomes two (name and
// name_se). Headers become keys: lower case, words joined by "_". What a
// column reads as:
//
//   - plain numbers: as they are ("+0.7" loses its sign);
//   - percentages ("0.99%"): the number, header suffix _pct;
//   - durations ("600 s", "1m30s", "6.1ms"): seconds, suffix _s;
//   - sizes ("1 MB", "64 kB", "250 B"): bytes, suffix _bytes;
//   - "—", "-" and "" are missing values (an empty cell), "∞" is inf.
//
// A column that mixes kinds, or holds words, stays text.
//
// A two-column "measure, value" table mixes kinds by row, so it reads
// row by row instead: measure, value (a bare number where the cell reads
// as one) and unit ("s", "pct", "bytes", or empty).
func Machine(t Table) (header []string, rows [][]string) {
	if len(t.Header) == 2 && t.Header[1] == "value" {
		header = []string{Key(t.Header[0]), "value", "unit"}
		for _, r := range t.Rows {
			if len(r) < 2 {
				continue
			}
			row := []string{r[0], r[1], ""}
			if x, ok := read(r[1]); ok && x.kind != "missing" {
				row[1], row[2] = x.num, x.kind
			}
			rows = append(rows, row)
		}
		return header, rows
	}
	ncol := len(t.Header)
	var cols [][]string // output columns
	for c := 0; c < ncol; c++ {
		cells := make([]string, len(t.Rows))
		for r, row := range t.Rows {
			if c < len(row) {
				cells[r] = row[c]
			}
		}
		key := Key(t.Header[c])
		h, cs := machineColumn(key, cells)
		if key == "se" && c > 0 && len(h) == 1 {
			// A "± s.e." column is the error of the column before it.
			prev := Key(t.Header[c-1])
			_, kind, _ := readAll(cells)
			h[0] = withUnit(prev, kind) + "_se"
		}
		header = append(header, h...)
		cols = append(cols, cs...)
	}
	rows = make([][]string, len(t.Rows))
	for r := range rows {
		rows[r] = make([]string, len(cols))
		for c := range cols {
			rows[r][c] = cols[c][r]
		}
	}
	return header, rows
}

var (
	keyDrop = regexp.MustCompile(`[^\p{L}\p{N}]+`)
	pmRe    = regexp.MustCompile(`^(.*?)\s*±\s*(.*)$`)
	numRe   = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	unitRe  = regexp.MustCompile(`^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(%|s|ms|µs|us|ns|B|kB|KB|MB|GB)$`)
)

// Key turns a header into a key: "downtime min/year" is
// "downtime_min_per_year", "held (± s.e.)" is "held".
func Key(h string) string {
	h = strings.ReplaceAll(h, "(± s.e.)", "")
	h = strings.ReplaceAll(h, "s.e.", "se")
	h = strings.ReplaceAll(h, "±", "")
	h = strings.ReplaceAll(h, "/", " per ")
	h = strings.ReplaceAll(h, "%", " pct ")
	h = strings.ReplaceAll(h, "≥", " ge ")
	h = strings.ReplaceAll(h, "≤", " le ")
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.Trim(keyDrop.ReplaceAllString(h, "_"), "_")
	if h == "" {
		return "value"
	}
	return h
}

// reading is one cell read as a number: its kind ("", "pct", "s",
// "bytes"; "missing" for no value) and the number as text.
type reading struct{ kind, num string }

func read(cell string) (reading, bool) {
	s := strings.TrimSpace(cell)
	switch s {
	case "", "—", "-", "–", "n/a":
		return reading{kind: "missing"}, true
	case "∞", "inf", "+∞":
		return reading{num: "inf"}, true
	}
	if numRe.MatchString(s) {
		return reading{num: strings.TrimPrefix(s, "+")}, true
	}
	if m := unitRe.FindStringSubmatch(s); m != nil {
		x, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return reading{}, false
		}
		switch m[2] {
		case "%":
			return reading{"pct", strings.TrimPrefix(m[1], "+")}, true
		case "B":
			return reading{"bytes", fmtNum(x)}, true
		case "kB", "KB":
			return reading{"bytes", fmtNum(x * 1e3)}, true
		case "MB":
			return reading{"bytes", fmtNum(x * 1e6)}, true
		case "GB":
			return reading{"bytes", fmtNum(x * 1e9)}, true
		}
	}
	if d, err := time.ParseDuration(strings.ReplaceAll(s, " ", "")); err == nil && strings.ContainsAny(s, "hms") {
		return reading{"s", fmtNum(d.Seconds())}, true
	}
	return reading{}, false
}

func fmtNum(x float64) string {
	if math.IsInf(x, 1) {
		return "inf"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// readAll reads every cell, or fails if a cell is no number or the kinds
// differ; kind is the column's.
func readAll(cells []string) (nums []string, kind string, ok bool) {
	nums = make([]string, len(cells))
	seen := false
	for i, c := range cells {
		r, ok := read(c)
		if !ok {
			return nil, "", false
		}
		if r.kind == "missing" {
			continue
		}
		if seen && r.kind != kind {
			return nil, "", false
		}
		seen, kind, nums[i] = true, r.kind, r.num
	}
	return nums, kind, seen
}

func withUnit(key, kind string) string {
	if kind == "" || strings.HasSuffix(key, "_"+kind) {
		return key
	}
	return key + "_" + kind
}

// machineColumn converts one column into one or two machine columns.
func machineColumn(key string, cells []string) ([]string, [][]string) {
	if nums, kind, ok := readAll(cells); ok {
		return []string{withUnit(key, kind)}, [][]string{nums}
	}
	// "mean ± s.e." in every filled cell: two columns. A unit after the
	// s.e. ("2.38 ± 2.38%") belongs to both.
	means, ses := make([]string, len(cells)), make([]string, len(cells))
	pm := false
	for i, c := range cells {
		m := pmRe.FindStringSubmatch(strings.TrimSpace(c))
		if m == nil {
			if r, ok := read(c); ok && r.kind == "missing" {
				continue
			}
			means[i], ses[i] = c, ""
			continue
		}
		pm = true
		mean, se := m[1], m[2]
		if u := unitRe.FindStringSubmatch(se); u != nil && numRe.MatchString(mean) {
			mean += u[2]
		}
		means[i], ses[i] = mean, se
	}
	if pm {
		mn, mk, ok1 := readAll(means)
		sn, sk, ok2 := readAll(ses)
		if ok1 && ok2 && (mk == sk || sk == "") {
			return []string{withUnit(key, mk), withUnit(key, mk) + "_se"}, [][]string{mn, sn}
		}
	}
	text := make([]string, len(cells))
	for i, c := range cells {
		if r, ok := read(c); !ok || r.kind != "missing" {
			text[i] = c
		}
	}
	return []string{key}, [][]string{text}
}
