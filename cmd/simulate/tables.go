package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"simulate/report"
)

// tableGate is the commands' standard output: it passes everything
// through, and as a report.Selector it decides which tables are shown.
// With --table NAME only that table (by name or position from 1); without
// it, every table, except in CSV, which is one table per invocation (a
// second header in the middle of a file would be read as data): the first,
// and finish says on stderr which others there are.
type tableGate struct {
	w    io.Writer
	g    *globals
	seen []string // names of the tables written, in order
	hit  bool     // --table matched one
}

func (t *tableGate) Write(p []byte) (int, error) {
	if t.g.format == "csv" && string(p) == "\n" {
		return len(p), nil // the blank line between tables: CSV has one
	}
	return t.w.Write(p)
}

// Select implements report.Selector.
func (t *tableGate) Select(tb report.Table) bool {
	name := tb.Name
	if name == "" {
		name = strconv.Itoa(len(t.seen) + 1)
	}
	t.seen = append(t.seen, name)
	if want := t.g.table; want != "" {
		ok := want == name || want == strconv.Itoa(len(t.seen))
		t.hit = t.hit || ok
		return ok
	}
	return t.g.format != "csv" || len(t.seen) == 1
}

// finish runs after a command that succeeded: --table must have named a
// table, and CSV says what it left out.
func (t *tableGate) finish(stderr io.Writer) error {
	if t.g.table != "" && !t.hit {
		if len(t.seen) == 0 {
			return badInput("--table %q: this command prints no table", t.g.table)
		}
		return badInput("--table %q: this command prints %s", t.g.table, t.names())
	}
	if t.g.table == "" && t.g.format == "csv" && len(t.seen) > 1 {
		fmt.Fprintf(stderr, "simulate: CSV holds one table: printed the first of %d; choose with --table NAME (%s)\n", len(t.seen), t.names())
	}
	return nil
}

func (t *tableGate) names() string {
	var out []string
	for i, n := range t.seen {
		if n == strconv.Itoa(i+1) {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("%s (%d)", n, i+1))
		}
	}
	return strings.Join(out, ", ")
}
