package catalog

import "strings"

// Nearest returns the candidate closest to name by edit distance, ignoring
// case, when it is close enough to be a plausible typo. restsql uses it for
// every "did you mean" hint: profile fields, DSN keys, tables and columns.
func Nearest(name string, candidates []string) (string, bool) {
	if len(name) > 64 {
		return "", false
	}
	// One edit for short names, two (a swapped pair of letters) from four
	// letters, three from nine.
	limit := 1
	switch {
	case len(name) >= 9:
		limit = 3
	case len(name) >= 4:
		limit = 2
	}
	best, bestDist := "", limit+1
	lname := strings.ToLower(name)
	for _, c := range candidates {
		if d := levenshtein(lname, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, best != ""
}

// levenshtein returns the edit distance between a and b, in bytes.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
