package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary stand in for simulate: with
// DOCSGEN_FAKE_SIMULATE set it prints its arguments and exits with the
// status named by an "exit=N" argument, so the tests need no build.
func TestMain(m *testing.M) {
	if os.Getenv("DOCSGEN_FAKE_SIMULATE") != "" {
		fmt.Println("ran:", strings.Join(os.Args[1:], " "))
		for _, a := range os.Args[1:] {
			if n, ok := strings.CutPrefix(a, "exit="); ok {
				code, _ := strconv.Atoi(n)
				os.Exit(code)
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestGenerateExitStatus: an example that exits non-zero fails the
// generation unless its page marks exactly that status, and a marked
// example that succeeds fails too.
func TestGenerateExitStatus(t *testing.T) {
	t.Setenv("DOCSGEN_FAKE_SIMULATE", "1")
	tests := []struct {
		name, page, wantErr, wantOut string
	}{
		{"passes", "<!-- run: demo exit=0 -->\n", "", "$ simulate demo exit=0\nran: demo exit=0\n```"},
		{"planted failure", "intro\n<!-- run: demo exit=2 -->\n", "exit status 2", ""},
		{"marked failure", "<!-- run (exit 1): check exit=1 -->\n", "", "ran: check exit=1\n[exit status 1]\n```"},
		{"marked with another status", "<!-- run (exit 1): check exit=2 -->\n", "exit status 2 (the page marks it (exit 1))", ""},
		{"marked but succeeds", "<!-- run (exit 1): check -->\n", "exit status 0", ""},
		{"failing image", "<!-- image: img/x.svg from: plot {} exit=3 -->\n", "exit status 3", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "src"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "src", "page.md"), []byte(tt.page), 0o644))
			var progress strings.Builder
			err := generate(dir, os.Args[0], false, &progress)
			require.Contains(t, progress.String(), "page.md: simulate ", "progress names the page and the command")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.NoFileExists(t, filepath.Join(dir, "page.md"), "a failing page is not written")
				return
			}
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join(dir, "page.md"))
			require.NoError(t, err)
			require.Contains(t, string(got), tt.wantOut)
			// Generated once, the page is up to date for -check.
			require.NoError(t, generate(dir, os.Args[0], true, io.Discard))
		})
	}
}
