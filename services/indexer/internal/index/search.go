package index

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsflow/newsflow/pkg/events"
	nfsearch "github.com/newsflow/newsflow/services/indexer/internal/search"
)

// The search model is shared with the other backends; these names keep
// this package's API as it was.
type (
	// Query is a search; see search.Query.
	Query = nfsearch.Query
	// Result is one page of hits; see search.Result.
	Result = nfsearch.Result
	// Hit is one matching article; see search.Hit.
	Hit = nfsearch.Hit
)

// Limits, defaults and sort orders; see package search.
const (
	DefaultSize   = nfsearch.DefaultSize
	MaxSize       = nfsearch.MaxSize
	MaxWindow     = nfsearch.MaxWindow
	MaxTextLen    = nfsearch.MaxTextLen
	MaxWords      = nfsearch.MaxWords
	MaxFilterLen  = nfsearch.MaxFilterLen
	SortRelevance = nfsearch.SortRelevance
	SortNewest    = nfsearch.SortNewest
)

// Boosts of the full-text fields at query time: a word in the title counts
// more than the same word in the body.
const (
	boostTitle       = 3.0
	boostDescription = 1.5
	boostText        = 1.0
)

// hitFields are the stored fields a hit is made of: the article, whose
// text its snippet is cut from.
var hitFields = []string{fieldDoc}

// Search runs q and returns one page of hits, near-duplicates collapsed
// unless q.Expand. Invalid queries return an error wrapping ErrBadQuery.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	start := time.Now()
	q, err := nfsearch.Normalize(q)
	if err != nil {
		return nil, err
	}
	bq, err := ix.buildQuery(q)
	if err != nil {
		return nil, err
	}
	sortReq := func(req *bleve.SearchRequest) {
		if q.Sort == SortNewest {
			req.SortByCustom(newestFirst())
		} else {
			req.SortBy([]string{"-_score", "-" + fieldPublishedAt, "_id"})
		}
	}
	addFacets := func(req *bleve.SearchRequest) {
		req.AddFacet("source", bleve.NewFacetRequest(fieldSourceDomain, nfsearch.FacetSize))
		req.AddFacet("language", bleve.NewFacetRequest(fieldLanguage, nfsearch.FacetSize))
		req.AddFacet("day", bleve.NewFacetRequest(fieldDay, nfsearch.FacetDaySize))
	}
	out := &Result{Hits: []Hit{}}
	hm := ix.newHitMaker(q)

	if q.Expand {
		req := bleve.NewSearchRequestOptions(bq, q.Size, (q.Page-1)*q.Size, false)
		req.Fields = hitFields
		sortReq(req)
		addFacets(req)
		res, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("index search %q: %w", q.Text, err)
		}
		out.Total, out.Facets = res.Total, facetsOf(res.Facets)
		for _, h := range res.Hits {
			hit, err := hm.hit(h.ID, h.Score, h.Fields)
			if err != nil {
				return nil, fmt.Errorf("index search %q: %w", q.Text, err)
			}
			out.Hits = append(out.Hits, hit)
		}
		out.Took = time.Since(start).String()
		return out, nil
	}

	// Pass 1: rank a window of candidates (ids and simhashes only), collapse
	// near-duplicates and pick the page. Pass 2: fetch the page's articles
	// and cut their snippets.
	req := bleve.NewSearchRequestOptions(bq, q.Window(), 0, false)
	req.Fields = []string{fieldSimHash}
	sortReq(req)
	addFacets(req)
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index search %q: %w", q.Text, err)
	}
	out.Total, out.Facets = res.Total, facetsOf(res.Facets)
	cands := make([]nfsearch.Candidate, len(res.Hits))
	scores := make(map[string]float64, len(res.Hits))
	for i, h := range res.Hits {
		s, _ := h.Fields[fieldSimHash].(string)
		cands[i] = nfsearch.Candidate{ID: h.ID, SimHash: s}
		scores[h.ID] = h.Score
	}
	page := nfsearch.PageOf(nfsearch.Collapse(cands), q.Page, q.Size)
	if len(page) == 0 {
		out.Took = time.Since(start).String()
		return out, nil
	}
	ids := make([]string, len(page))
	for i, g := range page {
		ids[i] = g.ID
	}
	// The scores are pass 1's: pass 2 only loads the stored articles.
	req2 := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req2.Fields = hitFields
	res2, err := ix.idx.SearchInContext(ctx, req2)
	if err != nil {
		return nil, fmt.Errorf("index search %q: page: %w", q.Text, err)
	}
	byID := make(map[string]*search.DocumentMatch, len(res2.Hits))
	for _, h := range res2.Hits {
		byID[h.ID] = h
	}
	for _, g := range page {
		h, ok := byID[g.ID]
		if !ok {
			continue // deleted between the passes
		}
		hit, err := hm.hit(h.ID, scores[h.ID], h.Fields)
		if err != nil {
			return nil, fmt.Errorf("index search %q: %w", q.Text, err)
		}
		if len(g.Duplicates) > 0 {
			hit.Duplicates = &nfsearch.Duplicates{Count: len(g.Duplicates), IDs: g.Duplicates}
		}
		out.Hits = append(out.Hits, hit)
	}
	out.Took = time.Since(start).String()
	return out, nil
}

// hitMaker makes the hits of one query from their stored articles.
type hitMaker struct {
	ix *Index
	q  Query
	// markers holds the query's marker per analysed language, made when
	// a hit in that language first needs it; nil: no words to mark.
	markers map[string]*marker
}

func (ix *Index) newHitMaker(q Query) *hitMaker {
	return &hitMaker{ix: ix, q: q, markers: map[string]*marker{}}
}

// hit makes the hit for the article stored in fields (its doc_json).
func (hm *hitMaker) hit(id string, score float64, fields map[string]interface{}) (Hit, error) {
	data, _ := fields[fieldDoc].(string)
	// Decoded without events.DecodeArticle's validation: it was validated
	// when it was stored.
	var a events.Article
	if err := json.Unmarshal([]byte(data), &a); err != nil {
		return Hit{}, fmt.Errorf("stored article %s: %w", id, err)
	}
	hit := Hit{
		ID:       id,
		Score:    score,
		Title:    a.Title,
		URL:      a.URL,
		Source:   a.Source,
		Language: normLang(a.Language),
	}
	if a.PublishedAt != nil {
		hit.PublishedAt = utcPtr(*a.PublishedAt)
	}
	hit.Snippet = hm.marker(nfsearch.AnalysisLang(a.Language)).snippet(&a)
	return hit, nil
}

// marker returns the query's marker for the analysed language lang, or nil
// when there is nothing to mark.
func (hm *hitMaker) marker(lang string) *marker {
	mk, ok := hm.markers[lang]
	if !ok {
		// The index analyzer keeping offsets: the same tokens as the
		// language analyzer, cut faster.
		var a analysis.Analyzer = hm.ix.idx.Mapping().AnalyzerNamed(lang)
		if ia, ok := hm.ix.idx.Mapping().AnalyzerNamed(indexAnalyzerName(lang)).(*indexAnalyzer); ok {
			a = withOffsets{ia}
		}
		if a != nil {
			mk = newMarker(a, hm.q)
			if mk.body.empty() && mk.title.empty() {
				mk = nil
			}
		}
		hm.markers[lang] = mk
	}
	return mk
}

func facetsOf(fr search.FacetResults) nfsearch.Facets {
	terms := func(name string) []nfsearch.FacetValue {
		out := []nfsearch.FacetValue{}
		f := fr[name]
		if f == nil || f.Terms == nil {
			return out
		}
		for _, t := range f.Terms.Terms() {
			out = append(out, nfsearch.FacetValue{Value: t.Term, Count: uint64(t.Count)})
		}
		return out
	}
	fs := nfsearch.Facets{Source: terms("source"), Language: terms("language"), Day: terms("day")}
	slices.SortFunc(fs.Day, func(a, b nfsearch.FacetValue) int { return strings.Compare(b.Value, a.Value) })
	return fs
}

// Stats describes the whole index.
func (ix *Index) Stats(ctx context.Context) (*nfsearch.Stats, error) {
	n, err := ix.Count()
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 1, 0, false)
	req.Fields = []string{fieldPublishedAt}
	req.SortByCustom(newestFirst())
	req.AddFacet("source", bleve.NewFacetRequest(fieldSourceDomain, nfsearch.FacetSize))
	req.AddFacet("language", bleve.NewFacetRequest(fieldLanguage, nfsearch.FacetSize))
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	fs := facetsOf(res.Facets)
	st := &nfsearch.Stats{Backend: "bleve", Articles: n, Sources: fs.Source, Languages: fs.Language}
	if len(res.Hits) > 0 {
		if s, ok := res.Hits[0].Fields[fieldPublishedAt].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				st.Newest = utcPtr(t)
			}
		}
	}
	return st, nil
}

// newestFirst sorts by published_at descending (undated last), then by
// score and id so that the order is stable.
func newestFirst() search.SortOrder {
	return search.SortOrder{
		&search.SortField{Field: fieldPublishedAt, Desc: true, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast},
		&search.SortScore{Desc: true},
		&search.SortDocID{},
	}
}

// buildQuery turns a normalized Query into a bleve query. Groups made only
// of keyword terms (and the date range) become a non-scoring filter. The
// rest is searched once per analysed language, each in that language's
// fields with its analysis: a disjunction over languages of the
// conjunction of the groups.
func (ix *Index) buildQuery(q Query) (query.Query, error) {
	var filters []query.Query
	var fullText []nfsearch.Group
	langs := nfsearch.Languages
	for _, g := range q.Expr.All {
		if allKeyword(g) {
			filters = append(filters, disjunction(keywordQueries(g)))
			if only := langsOf(g); only != nil {
				langs = only
			}
			continue
		}
		fullText = append(fullText, g)
	}
	var must query.Query = query.NewMatchAllQuery()
	if len(fullText) > 0 {
		var perLang []query.Query
		for _, l := range langs {
			var conj []query.Query
			for _, g := range fullText {
				var any []query.Query
				for _, t := range g {
					if tq := ix.termQuery(t, l.Code); tq != nil {
						any = append(any, tq)
					}
				}
				if len(any) > 0 {
					conj = append(conj, disjunction(any))
				}
			}
			if len(conj) > 0 {
				perLang = append(perLang, query.NewConjunctionQuery(conj))
			}
		}
		if len(perLang) == 0 {
			// Only stop words or punctuation: nothing can match.
			must = query.NewMatchNoneQuery()
		} else {
			must = disjunction(perLang)
		}
	}
	var not []query.Query
	for _, t := range q.Expr.None {
		if t.Keyword() {
			not = append(not, keywordQueries(nfsearch.Group{t})...)
			continue
		}
		for _, l := range nfsearch.Languages {
			if tq := ix.termQuery(t, l.Code); tq != nil {
				not = append(not, tq)
			}
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		incl, excl := true, false
		dr := query.NewDateRangeInclusiveQuery(q.From.UTC(), q.To.UTC(), &incl, &excl)
		dr.SetField(fieldPublishedAt)
		filters = append(filters, dr)
	}
	if len(filters) == 0 && len(not) == 0 {
		return must, nil
	}
	bq := query.NewBooleanQuery([]query.Query{must}, nil, nil)
	if len(not) > 0 {
		bq.AddMustNot(not...)
	}
	if len(filters) > 0 {
		bq.AddFilter(query.NewConjunctionQuery(filters))
	}
	return bq, nil
}

func allKeyword(g nfsearch.Group) bool {
	for _, t := range g {
		if !t.Keyword() {
			return false
		}
	}
	return true
}

// langsOf returns the analysed languages a group of only lang: terms
// allows, or nil when the group is not such a group.
func langsOf(g nfsearch.Group) []nfsearch.Language {
	var out []nfsearch.Language
	for _, t := range g {
		if t.Field != nfsearch.FieldLang {
			return nil
		}
		code := nfsearch.AnalysisLang(t.Value)
		for _, l := range nfsearch.Languages {
			if l.Code == code && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	// Unanalysed languages are indexed as English.
	if !slices.ContainsFunc(out, func(l nfsearch.Language) bool { return l.Code == nfsearch.Languages[0].Code }) {
		out = append(out, nfsearch.Languages[0])
	}
	return out
}

// keywordQueries returns one query per keyword term of g.
func keywordQueries(g nfsearch.Group) []query.Query {
	var out []query.Query
	for _, t := range g {
		switch t.Field {
		case nfsearch.FieldSource:
			out = append(out, termQuery(fieldSourceDomain, t.Value, 1), termQuery(fieldSourceName, t.Value, 1))
		case nfsearch.FieldLang:
			p := query.NewPrefixQuery(t.Value + "-")
			p.SetField(fieldLanguage)
			out = append(out, termQuery(fieldLanguage, t.Value, 1), p)
		case nfsearch.FieldAuthor:
			out = append(out, termQuery(fieldAuthors, t.Value, 1))
		case nfsearch.FieldTag:
			out = append(out, termQuery(fieldTags, t.Value, 1))
		}
	}
	return out
}

// termQuery is the query for one word, phrase or field term in the fields
// of language lang, or nil when the analysis leaves nothing (stop words).
func (ix *Index) termQuery(t nfsearch.Term, lang string) query.Query {
	if t.Keyword() {
		return disjunction(keywordQueries(nfsearch.Group{t}))
	}
	fields := []struct {
		name  string
		boost float64
	}{{langField(fieldTitle, lang), boostTitle}, {langField(fieldDescription, lang), boostDescription}, {langField(fieldText, lang), boostText}}
	if t.Field == nfsearch.FieldTitle {
		fields = fields[:1]
	}
	terms := ix.analyze(lang, t.Value)
	if len(terms) == 0 {
		return nil
	}
	if t.Phrase && len(terms) > 1 {
		var any []query.Query
		for _, f := range fields {
			pq := query.NewMatchPhraseQuery(t.Value)
			pq.SetField(f.name)
			pq.SetBoost(f.boost)
			any = append(any, pq)
		}
		return disjunction(any)
	}
	conj := make([]query.Query, 0, len(terms))
	for _, term := range terms {
		any := make([]query.Query, 0, len(fields))
		for _, f := range fields {
			any = append(any, termQuery(f.name, term, f.boost))
		}
		conj = append(conj, disjunction(any))
	}
	if len(conj) == 1 {
		return conj[0]
	}
	return query.NewConjunctionQuery(conj)
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

func termQuery(field, term string, boost float64) *query.TermQuery {
	tq := query.NewTermQuery(term)
	tq.SetField(field)
	tq.SetBoost(boost)
	return tq
}

// analyze splits text into the distinct terms lang's analyzer indexes.
func (ix *Index) analyze(lang, text string) []string {
	a := ix.idx.Mapping().AnalyzerNamed(lang)
	if a == nil {
		return nil
	}
	seen := make(map[string]bool)
	var terms []string
	for _, tok := range a.Analyze([]byte(text)) {
		t := string(tok.Term)
		if t != "" && !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	return terms
}
