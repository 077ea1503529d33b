// Command gen writes the guided tour (docs/*.md) from its sources
// (docs/src/*.md) by running every command the pages show, so the docs
// never drift from the code. In a source page:
//
//	<!-- run: byzantine --traitors 1 --seed 42 -->
//
// is replaced by the command line and what it printed, and
//
//	<!-- image: img/nines.svg from: nines --runs 4 --plot {} -->
//
// runs the command with {} replaced by the image's path and links the
// picture.
//
// Every command must exit with status 0, or gen fails naming the page and
// the command: an example that errors is a broken page, not output to
// show. A page that shows a failure on purpose (a search that finds a
// violation exits 1) says which status it expects:
//
//	<!-- run (exit 1): check paxos --bug no-adopt -->
//
// Then that exact status is required (0 is an error too: the failure the
// page explains went away), and the generated page notes it after the
// output. An image drawn from a counterexample says the same:
//
//	<!-- image (exit 1): img/raft-figure8.svg from: check raft --bug commit-old-term --diagram {} -->
//
// Usage: go run ./docs/gen [-check] (from the repository root). It prints
// each page and command on stderr as it runs them. With -check it writes
// nothing and fails if a page is out of date.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	runRe   = regexp.MustCompile(`(?m)^<!-- run(?: \(exit (\d+)\))?: (.+?) -->$`)
	imageRe = regexp.MustCompile(`(?m)^<!-- image(?: \(exit (\d+)\))?: (\S+) from: (.+?) -->$`)
)

func main() {
	check := flag.Bool("check", false, "fail if a generated page differs from what is on disk")
	flag.Parse()
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("simulate-docs-%d", os.Getpid()))
	fmt.Fprintln(os.Stderr, "gen: building ./cmd/simulate")
	build := exec.Command("go", "build", "-o", bin, "./cmd/simulate")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen: building simulate:", err)
		os.Exit(1)
	}
	err := generate("docs", bin, *check, os.Stderr)
	os.Remove(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate expands every page of dir/src into dir, running bin for each
// example and reporting progress to progress.
func generate(dir, bin string, check bool, progress io.Writer) error {
	srcs, err := filepath.Glob(filepath.Join(dir, "src", "*.md"))
	if err != nil {
		return err
	}
	var stale []string
	for i, src := range srcs {
		text, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		g := &page{bin: bin, dir: dir, check: check, progress: progress,
			name: fmt.Sprintf("[%d/%d] %s", i+1, len(srcs), filepath.Base(src))}
		out, err := g.expand(string(text))
		if err != nil {
			return fmt.Errorf("%s: %v", src, err)
		}
		dst := filepath.Join(dir, filepath.Base(src))
		old, _ := os.ReadFile(dst)
		if bytes.Equal(old, []byte(out)) {
			continue
		}
		if check {
			stale = append(stale, dst)
			continue
		}
		if err := os.WriteFile(dst, []byte(out), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(progress, "gen: wrote", dst)
	}
	if len(stale) > 0 {
		return fmt.Errorf("out of date (run go run ./docs/gen): %s", strings.Join(stale, ", "))
	}
	return nil
}

// page expands one source page.
type page struct {
	bin, dir, name string
	check          bool
	progress       io.Writer
	err            error // the first failure; later examples still run
}

// run runs one example and checks its exit status against want.
func (g *page) run(args []string, want int) []byte {
	fmt.Fprintf(g.progress, "gen: %s: simulate %s\n", g.name, strings.Join(args, " "))
	start := time.Now()
	out, err := exec.Command(g.bin, args...).CombinedOutput()
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			g.fail(fmt.Errorf("simulate %s: %v", strings.Join(args, " "), err))
			return out
		}
		got = ee.ExitCode()
	}
	if d := time.Since(start); d > 5*time.Second {
		fmt.Fprintf(g.progress, "gen: %s: took %.0fs\n", g.name, d.Seconds())
	}
	if got != want {
		how := "an example must exit 0; mark an intended failure <!-- run (exit N): ... -->"
		if want != 0 {
			how = fmt.Sprintf("the page marks it (exit %d)", want)
		}
		g.fail(fmt.Errorf("simulate %s: exit status %d (%s): %s",
			strings.Join(args, " "), got, how, firstLine(out)))
	}
	return out
}

func (g *page) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

func (g *page) expand(text string) (string, error) {
	text = runRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := runRe.FindStringSubmatch(m)
		want := 0
		if sub[1] != "" {
			want, _ = strconv.Atoi(sub[1]) // digits only, by the pattern
		}
		args := strings.Fields(sub[2])
		out := g.run(args, want)
		status := ""
		if want != 0 {
			if len(out) > 0 && out[len(out)-1] != '\n' {
				status = "\n"
			}
			status += fmt.Sprintf("[exit status %d]\n", want)
		}
		return fmt.Sprintf("```console\n$ simulate %s\n%s%s```", strings.Join(args, " "), out, status)
	})
	text = imageRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := imageRe.FindStringSubmatch(m)
		want, _ := strconv.Atoi(sub[1]) // "" (no marker): 0
		img, args := sub[2], strings.Fields(sub[3])
		target := filepath.Join(g.dir, img)
		if g.check {
			target = filepath.Join(os.TempDir(), fmt.Sprintf("docs-check-%d-%s", os.Getpid(), filepath.Base(img)))
			defer os.Remove(target)
		}
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, "{}", target)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			g.fail(err)
		}
		g.run(args, want)
		shown := strings.ReplaceAll(strings.Join(args, " "), target, img)
		return fmt.Sprintf("```console\n$ simulate %s\n```\n\n![%s](%s)", shown, img, img)
	})
	return text, g.err
}
