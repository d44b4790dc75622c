package runtime

import "strings"

// closest returns the candidate nearest to s, for "did you mean" hints: a
// candidate s is a prefix of, else the one with the smallest edit distance
// if that distance is small for the word's length. "" when nothing is close.
func closest(s string, candidates []string) string {
	if s == "" {
		return ""
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, s) {
			return c
		}
	}
	best, bestDist := "", len(s)/3+2 // typos, not different words
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance, counting a swap of two
// neighbouring letters ("rnu") as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
