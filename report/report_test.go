package report

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"simulate/internal/goldenfile"
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
		goldenfile.Check(t, "demo."+f, b.String())
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

// Issue 18: prose ran to 300 columns. Notes under a human table wrap at
// 80; Markdown and CSV are left to their readers.
func TestProseWrapsAt80Columns(t *testing.T) {
	long := strings.Repeat("word ", 40) + "end"
	tb := Table{Title: "Title " + long, Header: []string{"a"}, Rows: [][]string{{"1"}}, Notes: []string{"Note " + long}}
	var b strings.Builder
	require.NoError(t, Write(&b, "table", tb))
	for _, l := range strings.Split(b.String(), "\n")[1:] { // the title stays one line
		require.LessOrEqual(t, utf8.RuneCountInString(l), ProseWidth, "%q", l)
	}
	require.Contains(t, b.String(), "word end\n")
	require.Equal(t, "ab cd\nef\nghijklmnop\nq", Wrap("ab cd ef ghijklmnop q", 5))
	require.Equal(t, "a b\n\nc", Wrap("a b\n\nc", 80), "line breaks kept")
}

// Issue 18: CSV carried "600 s", "0.99%", "∞" and "—". Each column that
// reads as numbers of one kind holds bare numbers, its unit in the key; a
// "mean ± s.e." column splits in two; words stay words, without dashes.
func TestCSVCarriesNumbers(t *testing.T) {
	tb := Table{
		Header: []string{"network", "T", "rate", "± s.e.", "nines", "size", "held (± s.e.)", "gap min/year", "published"},
		Rows: [][]string{
			{"a, b", "600 s", "0.99%", "0.33%", "∞", "1 MB", "0.667 ± 0.272", "+8.97", "—"},
			{"c", "1m30s", "2.5%", "—", "4.64", "64 kB", "1.000 ± 0.000", "-1", "0.41% Gervais"},
		},
	}
	var b strings.Builder
	require.NoError(t, Write(&b, "csv", tb))
	require.Equal(t, `network,t_s,rate_pct,rate_pct_se,nines,size_bytes,held,held_se,gap_min_per_year,published
"a, b",600,0.99,0.33,inf,1000000,0.667,0.272,8.97,
c,90,2.5,,4.64,64000,1.000,0.000,-1,0.41% Gervais
`, b.String())
}
