package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func sample() Table {
	return Table{
		Title:  "Demo",
		Header: []string{"name", "value"},
		Rows:   [][]string{{"a|b", "1"}, {"c, d", "2"}},
		Notes:  []string{"a note"},
	}
}

// TestFormatsGolden pins each format's rendering of one table: Markdown
// escapes pipes, CSV quotes commas, the table draws borders.
func TestFormatsGolden(t *testing.T) {
	for _, f := range []string{"table", "markdown", "csv"} {
		var b bytes.Buffer
		require.NoError(t, Write(&b, f, sample()))
		path := filepath.Join("testdata", "demo."+f)
		if os.Getenv("UPDATE_GOLDEN") != "" {
			require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run with UPDATE_GOLDEN=1 to create %s", path)
		require.Equal(t, string(want), b.String(), f)
	}
}

func TestValidFormat(t *testing.T) {
	for _, f := range Formats {
		require.True(t, ValidFormat(f))
	}
	require.False(t, ValidFormat("xml"))
}

func ExampleWrite() {
	_ = Write(os.Stdout, "markdown", Table{Header: []string{"n", "nines"}, Rows: [][]string{{"3", "5.2"}}})
	// Output:
	// | n | nines |
	// |---|---|
	// | 3 | 5.2 |
}
