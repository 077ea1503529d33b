package check_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/check"
)

func TestMeanSE(t *testing.T) {
	m, se := check.MeanSE([]float64{1, 2, 3, 4})
	require.InDelta(t, 2.5, m, 1e-12)
	require.InDelta(t, math.Sqrt(5.0/3/4), se, 1e-12)
	m, se = check.MeanSE([]float64{7})
	require.Equal(t, [2]float64{7, 0}, [2]float64{m, se})
	m, se = check.MeanSE(nil)
	require.Equal(t, [2]float64{0, 0}, [2]float64{m, se})
}

func TestPercentilesNearestRank(t *testing.T) {
	xs := []float64{15, 20, 35, 40, 50}
	require.Equal(t, []float64{15, 20, 35, 50}, check.Percentiles(xs, 0, 30, 50, 100))
	require.Equal(t, []float64{15, 20, 35, 40, 50}, xs, "the input is not sorted in place")
	require.Equal(t, []float64{0, 0}, check.Percentiles(nil, 50, 90))
}

func TestGini(t *testing.T) {
	require.Zero(t, check.Gini([]float64{3, 3, 3}))
	require.InDelta(t, 0.75, check.Gini([]float64{0, 0, 0, 1}), 1e-12)
	require.Zero(t, check.Gini(nil))
	require.Zero(t, check.Gini([]float64{0, 0}))
}

func ExampleMeanSE() {
	m, se := check.MeanSE([]float64{0, 1, 0, 1})
	fmt.Printf("%.2f ± %.2f\n", m, se)
	// Output: 0.50 ± 0.29
}
