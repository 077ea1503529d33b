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
// picture. Usage: go run ./docs/gen [-check] (from the repository root).
// With -check it writes nothing and fails if a page is out of date.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	runRe   = regexp.MustCompile(`(?m)^<!-- run: (.+?) -->$`)
	imageRe = regexp.MustCompile(`(?m)^<!-- image: (\S+) from: (.+?) -->$`)
)

func main() {
	check := flag.Bool("check", false, "fail if a generated page differs from what is on disk")
	flag.Parse()
	if err := generate("docs", *check); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(dir string, check bool) error {
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("simulate-docs-%d", os.Getpid()))
	build := exec.Command("go", "build", "-o", bin, "./cmd/simulate")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building simulate: %v", err)
	}
	defer os.Remove(bin)
	srcs, err := filepath.Glob(filepath.Join(dir, "src", "*.md"))
	if err != nil {
		return err
	}
	var stale []string
	for _, src := range srcs {
		text, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		out, err := expand(bin, dir, string(text), check)
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
		fmt.Println("wrote", dst)
	}
	if len(stale) > 0 {
		return fmt.Errorf("out of date (run go run ./docs/gen): %s", strings.Join(stale, ", "))
	}
	return nil
}

func expand(bin, dir, text string, check bool) (string, error) {
	var firstErr error
	text = runRe.ReplaceAllStringFunc(text, func(m string) string {
		args := strings.Fields(runRe.FindStringSubmatch(m)[1])
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			if _, ok := err.(*exec.ExitError); !ok && firstErr == nil {
				firstErr = err
			}
		}
		return fmt.Sprintf("```console\n$ simulate %s\n%s```", strings.Join(args, " "), out)
	})
	text = imageRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := imageRe.FindStringSubmatch(m)
		img, args := sub[1], strings.Fields(sub[2])
		target := filepath.Join(dir, img)
		if check {
			target = filepath.Join(os.TempDir(), fmt.Sprintf("docs-check-%d-%s", os.Getpid(), filepath.Base(img)))
			defer os.Remove(target)
		}
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, "{}", target)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil && firstErr == nil {
			firstErr = err
		}
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("simulate %s: %v: %s", strings.Join(args, " "), err, out)
		}
		shown := strings.ReplaceAll(strings.Join(args, " "), target, img)
		return fmt.Sprintf("```console\n$ simulate %s\n```\n\n![%s](%s)", shown, img, img)
	})
	return text, firstErr
}
