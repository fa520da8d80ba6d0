package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// The scoring follows shared/tools/score-extraction (and so the
// article-extraction-benchmark): body text as multisets of 4-token
// shingles, per-page tp/fp/fn normalised to sum to 1, P and R averaged over
// pages, F1 of the two means; title equal after normalisation; date equal
// to the minute (or the day when the truth has no time); authors micro P/R.
// run.sh also feeds the JSONL output to that tool, which stays the reference.

const ngram = 4

// Scores are one extractor's results on a corpus.
type Scores struct {
	Name                   string
	Pages                  int
	Seconds                float64
	CPUSeconds             float64
	F1, P, R               float64
	Title, Date            float64
	TitleN, DateN          int
	AuthorsP, AuthorsR     float64
	AuthorsF1              float64
	AuthorsN, Empty, Error int
}

// PagesPerCPUSecond is the rate per second of CPU time (user+system).
func (s Scores) PagesPerCPUSecond() float64 {
	if s.CPUSeconds == 0 {
		return 0
	}
	return float64(s.Pages) / s.CPUSeconds
}

// PagesPerSecond is the extraction rate (files already in memory).
func (s Scores) PagesPerSecond() float64 {
	if s.Seconds == 0 {
		return 0
	}
	return float64(s.Pages) / s.Seconds
}

var reWord = regexp.MustCompile(`[\p{L}\p{N}\p{Mn}\p{Pc}]+`)

func tokens(s string) []string { return reWord.FindAllString(s, -1) }

func shingles(toks []string) map[string]int {
	out := map[string]int{}
	if len(toks) == 0 {
		return out
	}
	if len(toks) < ngram {
		out[strings.Join(toks, "\x00")]++
		return out
	}
	for i := 0; i+ngram <= len(toks); i++ {
		out[strings.Join(toks[i:i+ngram], "\x00")]++
	}
	return out
}

// pageCounts is the normalised (tp, fp, fn) of one page.
func pageCounts(truth, pred string) (tp, fp, fn float64) {
	t, p := shingles(tokens(truth)), shingles(tokens(pred))
	for k, a := range t {
		b := p[k]
		tp += float64(min(a, b))
		if a > b {
			fn += float64(a - b)
		} else {
			fp += float64(b - a)
		}
	}
	for k, b := range p {
		if _, ok := t[k]; !ok {
			fp += float64(b)
		}
	}
	total := tp + fp + fn
	if total == 0 {
		return 0, 0, 0
	}
	return tp / total, fp / total, fn / total
}

var quoteFold = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'",
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u2033", `"`,
	"\u00ad", "", "\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "")

func normText(s string) string {
	return strings.Join(strings.Fields(quoteFold.Replace(norm.NFKC.String(s))), " ")
}

func normTitle(s string) string { return strings.ToLower(normText(s)) }

var (
	reBy      = regexp.MustCompile(`(?i)^(?:(?:written|posted|reported)\s+by|by|von|par|por)\b[\s:]*`)
	reAnd     = regexp.MustCompile(`(?i)\s+(?:and|und|et|y|&)\s+|\s*&\s*`)
	reNonWord = regexp.MustCompile(`[^\p{L}\p{N}\p{Mn}\p{Pc}\s]+`)
	reSplit   = regexp.MustCompile(`\s*(?:;|\||\n)\s*`)
	reHasWord = regexp.MustCompile(`[\p{L}\p{N}]`)
)

// splitAuthors turns a byline string into names, as the scorer does.
func splitAuthors(v string) []string {
	var names []string
	for _, part := range reSplit.Split(v, -1) {
		part = reBy.ReplaceAllString(strings.TrimSpace(part), "")
		var halves []string
		for _, h := range reAnd.Split(part, -1) {
			if strings.Trim(h, " ,") != "" {
				halves = append(halves, h)
			}
		}
		for _, h := range halves {
			if len(strings.Fields(strings.Trim(h, " ,"))) < 2 {
				halves = []string{part}
				break
			}
		}
		for _, piece := range halves {
			var pieces []string
			multi := false
			for _, p := range strings.Split(piece, ",") {
				if p = strings.TrimSpace(p); reHasWord.MatchString(p) {
					pieces = append(pieces, p)
					multi = multi || len(strings.Fields(p)) > 1
				}
			}
			for _, p := range pieces {
				if len(pieces) > 1 && multi && len(strings.Fields(p)) < 2 {
					continue
				}
				if p = strings.TrimSpace(reBy.ReplaceAllString(p, "")); reHasWord.MatchString(p) {
					names = append(names, p)
				}
			}
		}
	}
	return names
}

func normName(s string) string {
	s = strings.ToLower(reBy.ReplaceAllString(normText(s), ""))
	return strings.Join(strings.Fields(reNonWord.ReplaceAllString(s, " ")), " ")
}

func truthAuthors(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, a := range list {
			out = append(out, splitAuthors(a)...)
		}
		return out
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return splitAuthors(one)
	}
	return nil
}

// dateMatches compares a predicted time with the truth: the same UTC minute
// when the truth has a time, else the same day as written or in UTC.
func dateMatches(truth string, pred *time.Time) bool {
	if pred == nil {
		return false
	}
	if len(truth) == 10 {
		return pred.Format("2006-01-02") == truth || pred.UTC().Format("2006-01-02") == truth
	}
	t, err := time.Parse(time.RFC3339, truth)
	if err != nil {
		return false
	}
	return t.UTC().Truncate(time.Minute).Equal(pred.UTC().Truncate(time.Minute))
}

// Score compares results (indexed like pages) with the truth.
func Score(name string, pages []Page, results []Result, seconds float64) Scores {
	s := Scores{Name: name, Pages: len(pages), Seconds: seconds}
	var sumP, sumR float64
	var nP, nR int
	var aHit, aPred, aTruth int
	for i, pg := range pages {
		r := results[i]
		if strings.TrimSpace(r.Text) == "" {
			s.Empty++
		}
		if pg.Truth.Body != "" {
			tp, fp, fn := pageCounts(pg.Truth.Body, r.Text)
			if tp+fp > 0 {
				nP++
				if fp == 0 && fn == 0 {
					sumP++
				} else {
					sumP += tp / (tp + fp)
				}
			}
			if tp+fn > 0 {
				nR++
				if fp == 0 && fn == 0 {
					sumR++
				} else {
					sumR += tp / (tp + fn)
				}
			}
		}
		if pg.Truth.Title != "" {
			s.TitleN++
			if normTitle(pg.Truth.Title) == normTitle(r.Title) {
				s.Title++
			}
		}
		if pg.Truth.Published != "" {
			s.DateN++
			if dateMatches(pg.Truth.Published, r.Published) {
				s.Date++
			}
		}
		if want := truthAuthors(pg.Truth.Authors); len(want) > 0 {
			s.AuthorsN++
			set := map[string]int{}
			for _, w := range want {
				set[normName(w)]++
			}
			aTruth += len(want)
			var got []string
			for _, a := range r.Authors {
				got = append(got, splitAuthors(a)...)
			}
			aPred += len(got)
			for _, g := range got {
				if k := normName(g); set[k] > 0 {
					set[k]--
					aHit++
				}
			}
		}
	}
	if nP > 0 {
		s.P = sumP / float64(nP)
	}
	if nR > 0 {
		s.R = sumR / float64(nR)
	}
	if s.P+s.R > 0 {
		s.F1 = 2 * s.P * s.R / (s.P + s.R)
	}
	if s.TitleN > 0 {
		s.Title /= float64(s.TitleN)
	}
	if s.DateN > 0 {
		s.Date /= float64(s.DateN)
	}
	if aPred > 0 {
		s.AuthorsP = float64(aHit) / float64(aPred)
	}
	if aTruth > 0 {
		s.AuthorsR = float64(aHit) / float64(aTruth)
	}
	if s.AuthorsP+s.AuthorsR > 0 {
		s.AuthorsF1 = 2 * s.AuthorsP * s.AuthorsR / (s.AuthorsP + s.AuthorsR)
	}
	return s
}
