package search

import (
	"math/bits"
	"strconv"
)

// Candidate is one ranked match before collapsing: its id and simhash.
type Candidate struct {
	ID      string
	SimHash string
}

// Group of collapsed candidates: the first ranked one and its near-duplicates.
type Collapsed struct {
	ID         string
	Duplicates []string
}

// Collapse folds near-duplicates into the best-ranked article of their
// neighbourhood: walking cands in rank order, a candidate whose simhash is
// within MaxDistance bits of an earlier kept one's joins it; otherwise it is
// kept. Candidates without a readable simhash are always kept.
func Collapse(cands []Candidate) []Collapsed {
	type kept struct {
		hash uint64
		ok   bool
		i    int
	}
	var out []Collapsed
	var ks []kept
	for _, c := range cands {
		h, err := strconv.ParseUint(c.SimHash, 16, 64)
		ok := err == nil && len(c.SimHash) == 16
		joined := false
		if ok {
			for _, k := range ks {
				if k.ok && bits.OnesCount64(k.hash^h) <= MaxDistance {
					out[k.i].Duplicates = append(out[k.i].Duplicates, c.ID)
					joined = true
					break
				}
			}
		}
		if !joined {
			ks = append(ks, kept{hash: h, ok: ok, i: len(out)})
			out = append(out, Collapsed{ID: c.ID})
		}
	}
	return out
}

// PageOf returns the groups of page (1-based) of size, or none.
func PageOf(groups []Collapsed, page, size int) []Collapsed {
	from := (page - 1) * size
	if from >= len(groups) {
		return nil
	}
	return groups[from:min(from+size, len(groups))]
}
