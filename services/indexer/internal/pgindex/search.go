package pgindex

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/newsflow/newsflow/services/indexer/internal/search"
)

// Highlight markers: ts_headline marks matches with these, then the text is
// HTML-escaped and they become <mark> tags, so the snippet is safe HTML.
const (
	markStart  = "\u27e6"
	markStop   = "\u27e7"
	snippetLen = 200
)

// headlineOpts are ts_headline's options.
const headlineOpts = "StartSel=" + markStart + ", StopSel=" + markStop + ", MaxWords=35, MinWords=15, MaxFragments=1"

// sqlQuery is a search compiled to SQL: a WHERE clause, a rank expression,
// a highlight tsquery expression (per row's cfg) and their arguments.
type sqlQuery struct {
	where, rank, highlight string
	args                   []any
}

// arg adds an argument and returns its typed placeholder: typed, because
// the page query passes every argument but uses only some.
func (s *sqlQuery) arg(v any) string {
	s.args = append(s.args, v)
	p := "$" + strconv.Itoa(len(s.args))
	switch v.(type) {
	case time.Time:
		return p + "::timestamptz"
	default:
		return p + "::text"
	}
}

// wq is the tsquery of one term value in configuration cfg (an SQL
// expression): the value quoted, so websearch_to_tsquery reads a word as a
// word and a phrase as a phrase, never as its own operators.
func wq(cfg, param string) string {
	return "websearch_to_tsquery(" + cfg + ", " + param + ")"
}

func quoted(v string) string { return `"` + strings.ReplaceAll(v, `"`, " ") + `"` }

// compile turns a normalized query into SQL. Full-text groups are matched
// once per analysed language, against the rows of that language: a group
// of plain words is one tsquery (its terms ORed), the groups are ANDed into
// one tsquery per language (terms that are only stop words drop out, as in
// the bleve index), which the GIN index answers.
func compile(q search.Query) *sqlQuery {
	s := &sqlQuery{}
	var conds []string
	var textGroups []search.Group
	for _, g := range q.Expr.All {
		allKw := true
		for _, t := range g {
			allKw = allKw && t.Keyword()
		}
		if allKw {
			var any []string
			for _, t := range g {
				any = append(any, s.keyword(t))
			}
			conds = append(conds, "("+strings.Join(any, " OR ")+")")
			continue
		}
		textGroups = append(textGroups, g)
	}
	rank := "0::real"
	if len(textGroups) > 0 {
		params := map[string]string{}
		param := func(v string) string {
			if p, ok := params[v]; ok {
				return p
			}
			p := s.arg(quoted(v))
			params[v] = p
			return p
		}
		var perLang, rankCases []string
		for _, l := range search.Languages {
			cfg := "'" + l.PGConfig + "'::regconfig"
			var parts, tsqs []string
			for _, g := range textGroups {
				plain := true
				for _, t := range g {
					plain = plain && t.Field == search.FieldText
				}
				if plain {
					var ors []string
					for _, t := range g {
						ors = append(ors, wq(cfg, param(t.Value)))
					}
					tsqs = append(tsqs, "("+strings.Join(ors, " || ")+")")
					continue
				}
				var ors []string
				for _, t := range g {
					switch {
					case t.Keyword():
						ors = append(ors, s.keyword(t))
					case t.Field == search.FieldTitle:
						ors = append(ors, "to_tsvector("+cfg+", title) @@ "+wq(cfg, param(t.Value)))
					default:
						ors = append(ors, "tsv @@ "+wq(cfg, param(t.Value)))
					}
				}
				parts = append(parts, "("+strings.Join(ors, " OR ")+")")
			}
			if len(tsqs) > 0 {
				all := strings.Join(tsqs, " && ")
				parts = append(parts, "tsv @@ ("+all+")")
				rankCases = append(rankCases, "WHEN "+cfg+" THEN ts_rank(tsv, "+all+")")
			}
			perLang = append(perLang, "(cfg = "+cfg+" AND "+strings.Join(parts, " AND ")+")")
		}
		conds = append(conds, "("+strings.Join(perLang, " OR ")+")")
		if len(rankCases) > 0 {
			rank = "(CASE cfg " + strings.Join(rankCases, " ") + " ELSE 0 END)::real"
		}
		// Highlight every positive full-text term, in the row's configuration.
		var hl []string
		for _, g := range textGroups {
			for _, t := range g {
				if !t.Keyword() {
					hl = append(hl, wq("cfg", param(t.Value)))
				}
			}
		}
		s.highlight = strings.Join(hl, " || ")
	}
	for _, t := range q.Expr.None {
		if t.Keyword() {
			conds = append(conds, "NOT "+s.keyword(t))
		} else {
			conds = append(conds, "NOT (tsv @@ "+wq("cfg", s.arg(quoted(t.Value)))+")")
		}
	}
	if !q.From.IsZero() {
		conds = append(conds, "published_at >= "+s.arg(q.From.UTC()))
	}
	if !q.To.IsZero() {
		conds = append(conds, "published_at < "+s.arg(q.To.UTC()))
	}
	s.where = "TRUE"
	if len(conds) > 0 {
		s.where = strings.Join(conds, " AND ")
	}
	s.rank = rank
	return s
}

// keyword is the condition of one keyword term.
func (s *sqlQuery) keyword(t search.Term) string {
	p := s.arg(t.Value)
	switch t.Field {
	case search.FieldSource:
		return "(source_domain = " + p + " OR lower(source_name) = " + p + ")"
	case search.FieldLang:
		return "(language = " + p + " OR starts_with(language, " + p + " || '-'))"
	case search.FieldAuthor:
		return "(authors @> ARRAY[" + p + "])"
	case search.FieldTag:
		return "(tags @> ARRAY[" + p + "])"
	}
	return "FALSE"
}

// facetCols is one facet as matchSQL returns it: values and their counts,
// in order.
type facetCols struct {
	values []string
	counts []int64
}

func (f facetCols) list() []search.FacetValue {
	out := make([]search.FacetValue, 0, len(f.values))
	for i, v := range f.values {
		out = append(out, search.FacetValue{Value: v, Count: uint64(f.counts[i])})
	}
	return out
}

// dayExpr is an article's day, the day facet's value.
const dayExpr = "coalesce(to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '')"

// matchSQL is the one statement that finds the matching articles once (a
// materialized CTE) and returns, in one row, their count, the source,
// language and day facets, and the ids and simhashes of the ranked window
// [offset, offset+limit) that the page is collapsed from. Matching once
// instead of once per aggregate is what keeps a search with 10,000
// matches fast: the rows are read once.
//
// Ranking by relevance needs ts_rank of every match (which reads each
// row's tsvector, the dominant cost); newest first ranks only the rows
// that tie on published_at within the window (FETCH … WITH TIES), so it
// reads the tsvector of about limit+offset rows.
func (s *sqlQuery) matchSQL(sort string, limit, offset int) string {
	// agg turns the rows of sub (v, n) into two arrays in order.
	agg := func(sub, order string) string {
		return "(SELECT coalesce(array_agg(v ORDER BY " + order + "), '{}') AS v, coalesce(array_agg(n ORDER BY " + order + "), '{}') AS n FROM (" + sub + ") f)"
	}
	facet := func(expr, order string, size int) string {
		return agg("SELECT "+expr+" AS v, count(*) AS n FROM m WHERE "+expr+" <> '' GROUP BY 1 ORDER BY "+order+" LIMIT "+strconv.Itoa(size), order)
	}
	lim := " LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(offset)
	var cols, order, window string
	if sort == search.SortNewest {
		cols = "id, simhash, source_domain, language, published_at"
		order = "published_at DESC NULLS LAST, r DESC, v"
		window = "SELECT c.id AS v, c.simhash AS n, c.published_at, " + s.rank + " AS r" +
			" FROM (SELECT id, simhash, published_at FROM m ORDER BY published_at DESC NULLS LAST FETCH FIRST " + strconv.Itoa(limit+offset) + " ROWS WITH TIES) c" +
			" JOIN articles USING (id) ORDER BY " + order + lim
	} else {
		cols = "id, simhash, source_domain, language, published_at, " + s.rank + " AS r"
		order = "r DESC, published_at DESC NULLS LAST, v"
		window = "SELECT id AS v, simhash AS n, published_at, r FROM m ORDER BY " + order + lim
	}
	return "WITH m AS MATERIALIZED (SELECT " + cols + " FROM articles WHERE " + s.where + ") " +
		"SELECT (SELECT count(*) FROM m), fs.v, fs.n, fl.v, fl.n, fd.v, fd.n, w.v, w.n FROM " +
		facet("source_domain", "n DESC, v", search.FacetSize) + " fs, " +
		facet("language", "n DESC, v", search.FacetSize) + " fl, " +
		facet(dayExpr, "n DESC, v DESC", search.FacetDaySize) + " fd, " +
		agg(window, order) + " w"
}

// Search runs q and returns one page of hits, near-duplicates collapsed
// unless q.Expand. Invalid queries return an error wrapping search.ErrBadQuery.
func (ix *Index) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	start := time.Now()
	q, err := search.Normalize(q)
	if err != nil {
		return nil, err
	}
	s := compile(q)
	out := &search.Result{Hits: []search.Hit{}}

	limit, offset := q.Window(), 0
	if q.Expand {
		limit, offset = q.Size, (q.Page-1)*q.Size
	}
	var cands []search.Candidate
	var facets [3]facetCols
	var total int64
	var candIDs, candHashes []string
	err = ix.pool.QueryRow(ctx, s.matchSQL(q.Sort, limit, offset), s.args...).Scan(
		&total,
		&facets[0].values, &facets[0].counts,
		&facets[1].values, &facets[1].counts,
		&facets[2].values, &facets[2].counts,
		&candIDs, &candHashes)
	if err != nil {
		return nil, fmt.Errorf("pgindex search %q: %w", q.Text, err)
	}
	out.Total = uint64(total)
	out.Facets.Source = facets[0].list()
	out.Facets.Language = facets[1].list()
	out.Facets.Day = facets[2].list()
	for i := range candIDs {
		cands = append(cands, search.Candidate{ID: candIDs[i], SimHash: candHashes[i]})
	}
	slices.SortFunc(out.Facets.Day, func(a, b search.FacetValue) int { return strings.Compare(b.Value, a.Value) })

	var page []search.Collapsed
	if q.Expand {
		for _, c := range cands {
			page = append(page, search.Collapsed{ID: c.ID})
		}
	} else {
		page = search.PageOf(search.Collapse(cands), q.Page, q.Size)
	}
	if len(page) > 0 {
		hits, err := ix.hits(ctx, s, page)
		if err != nil {
			return nil, fmt.Errorf("pgindex search %q: page: %w", q.Text, err)
		}
		out.Hits = hits
	}
	out.Took = time.Since(start).String()
	return out, nil
}

// hits reads the page's articles with their scores and snippets, in page order.
func (ix *Index) hits(ctx context.Context, s *sqlQuery, page []search.Collapsed) ([]search.Hit, error) {
	ids := make([]string, len(page))
	for i, g := range page {
		ids[i] = g.ID
	}
	args := slices.Clone(s.args)
	args = append(args, ids)
	hl := "NULL::text, NULL::text, NULL::text"
	if s.highlight != "" {
		h := "(" + s.highlight + ")"
		hl = "ts_headline(cfg, body, " + h + ", '" + headlineOpts + "'), ts_headline(cfg, description, " + h + ", '" + headlineOpts + "'), ts_headline(cfg, title, " + h + ", '" + headlineOpts + "')"
	}
	rows, err := ix.pool.Query(ctx, "SELECT id, title, url, source_domain, source_name, language, published_at, "+s.rank+", "+hl+
		", left(description, 400), left(body, 400) FROM articles WHERE id = ANY($"+strconv.Itoa(len(args))+"::text[]) AND ("+s.where+")", args...)
	if err != nil {
		return nil, err
	}
	byID := map[string]search.Hit{}
	for rows.Next() {
		var h search.Hit
		var pub *time.Time
		var score float32
		var hb, hd, ht *string
		var desc, body string
		if err := rows.Scan(&h.ID, &h.Title, &h.URL, &h.Source.Domain, &h.Source.Name, &h.Language, &pub, &score, &hb, &hd, &ht, &desc, &body); err != nil {
			rows.Close()
			return nil, err
		}
		if pub != nil {
			t := pub.UTC()
			h.PublishedAt = &t
		}
		h.Score = float64(score)
		h.Snippet = snippet([]*string{hb, hd, ht}, []string{body, desc, h.Title}, desc, body)
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]search.Hit, 0, len(page))
	for _, g := range page {
		h, ok := byID[g.ID]
		if !ok {
			continue // deleted between the queries
		}
		if len(g.Duplicates) > 0 {
			h.Duplicates = &search.Duplicates{Count: len(g.Duplicates), IDs: g.Duplicates}
		}
		out = append(out, h)
	}
	return out, nil
}

// snippet picks the first headline with a match (body, description,
// title); failing that, the start of the description or body.
func snippet(headlines []*string, sources []string, desc, body string) string {
	for i, h := range headlines {
		if h != nil && strings.Contains(*h, markStart) {
			return marked(withPunctuation(*h, sources[i]))
		}
	}
	for _, s := range []string{desc, body} {
		if s != "" {
			return shorten(s)
		}
	}
	return ""
}

// withPunctuation gives back the punctuation ts_headline drops after the
// last word of a fragment ("left." not "left"), when src shows it.
func withPunctuation(h, src string) string {
	plain := strings.NewReplacer(markStart, "", markStop, "").Replace(h)
	i := strings.Index(src, plain)
	if i < 0 {
		return h
	}
	rest := src[i+len(plain):]
	n := 0
	for n < len(rest) && strings.ContainsRune(".,;:!?…\"'»)]", rune(rest[n])) {
		n++
	}
	return h + rest[:n]
}

// marked escapes s and turns the markers into <mark> tags.
func marked(s string) string {
	s = html.EscapeString(s)
	return strings.NewReplacer(markStart, "<mark>", markStop, "</mark>").Replace(s)
}

// shorten escapes s, cut to about snippetLen runes at a word boundary.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= snippetLen {
		return html.EscapeString(s)
	}
	cut := string([]rune(s)[:snippetLen])
	if i := strings.LastIndexAny(cut, " \n\t"); i > snippetLen/2 {
		cut = cut[:i]
	}
	return html.EscapeString(strings.TrimSpace(cut)) + "…"
}

// Stats describes the whole index.
func (ix *Index) Stats(ctx context.Context) (*search.Stats, error) {
	st := &search.Stats{Backend: "postgres", Sources: []search.FacetValue{}, Languages: []search.FacetValue{}}
	b := &pgx.Batch{}
	b.Queue("SELECT count(*), max(published_at) FROM articles").QueryRow(func(r pgx.Row) error {
		var n int64
		var newest *time.Time
		if err := r.Scan(&n, &newest); err != nil {
			return err
		}
		st.Articles = uint64(n)
		if newest != nil {
			t := newest.UTC()
			st.Newest = &t
		}
		return nil
	})
	for _, f := range []struct {
		col string
		dst *[]search.FacetValue
	}{{"source_domain", &st.Sources}, {"language", &st.Languages}} {
		b.Queue("SELECT " + f.col + ", count(*) FROM articles WHERE " + f.col + " <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " + strconv.Itoa(search.FacetSize)).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var v search.FacetValue
					var n int64
					if err := rows.Scan(&v.Value, &n); err != nil {
						return err
					}
					v.Count = uint64(n)
					*f.dst = append(*f.dst, v)
				}
				return rows.Err()
			})
	}
	if err := ix.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("pgindex stats: %w", err)
	}
	return st, nil
}
