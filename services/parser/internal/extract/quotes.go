package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/events"
)

// Rule-based quotation finder for English text: a quoted span of four words
// or more, attributed by a speech verb next to it ("…," X said / said X /
// X said: "…"). A quote with no attribution in a paragraph that continues a
// quote, or follows one in the same paragraph, keeps the last speaker. A
// surname alone is resolved to the full name given earlier.

const speechVerbs = `said|says|stressed|added|told|noted|stated|explained|wrote|warned|argued|claimed|continued|insisted|declared|emphasized|emphasised|remarked|replied|tweeted|announced|concluded|urged|admitted|acknowledged|suggested|asserted|cautioned|recalled|underlined|underscored|pointed out|according to`

var (
	reAfterVerb1  = regexp.MustCompile(`^\s*,?\s*(?:` + speechVerbs + `)\s+([^.;"“]{2,160}?)\s*(?:[.;,]|$)`)
	reAfterVerb2  = regexp.MustCompile(`^\s*,?\s*([^.;"“]{2,160}?)\s+(?:` + speechVerbs + `)\b`)
	reBeforeVerb  = regexp.MustCompile(`([^.;"”]{2,160}?)\s+(?:` + speechVerbs + `)(?:\s+\w+){0,3}\s*[:,]?\s*$`)
	reSpeakerFrom = regexp.MustCompile(`(?i)\b(?:statement|spokesman|spokeswoman|spokesperson|spokespeople|official|officials|representative|press service|press office|message|report)\s+(?:from|for|of|at)\s+(.+)$`)
	reSpeakerTail = regexp.MustCompile(`(?i)\s+(?:statement|spokesman|spokeswoman|spokesperson|official|officials|press service|said|in a statement|on \w+day|on \w+|told \w+)$`)
)

var titleWords = map[string]bool{
	"committee": true, "affairs": true, "security": true, "defense": true, "defence": true,
	"council": true, "ministry": true, "minister": true, "president": true, "chairman": true,
	"chairwoman": true, "deputy": true, "secretary": true, "department": true, "office": true,
	"spokesman": true, "spokeswoman": true, "director": true, "head": true, "chief": true,
	"senator": true, "governor": true, "foreign": true, "international": true, "general": true,
	"prime": true, "state": true, "federation": true, "duma": true, "duma's": true, "mayor": true,
	"ambassador": true, "commander": true, "colonel": true, "captain": true, "professor": true,
	"dr": true, "mr": true, "mrs": true, "ms": true, "sen": true, "rep": true, "gov": true,
	"ceo": true, "founder": true, "leader": true, "lawmaker": true, "analyst": true,
}

// Quotes finds quoted statements and their speakers in paragraphs.
func Quotes(paras []string) []events.Quote {
	var (
		out      []events.Quote
		last     string
		speakers []string
	)
	for _, p := range paras {
		locs := quoteSpans(p)
		paraSpeaker := ""
		startsWithQuote := strings.HasPrefix(strings.TrimSpace(p), `"`) || strings.HasPrefix(strings.TrimSpace(p), "“")
		for i, loc := range locs {
			text := strings.TrimSpace(p[loc[2]:loc[3]])
			text = strings.TrimRight(text, ",")
			if !hasFields(text, 4) {
				continue
			}
			after := p[loc[1]:]
			if i+1 < len(locs) {
				after = p[loc[1]:locs[i+1][0]]
			}
			before := p[:loc[0]]
			if i > 0 {
				before = p[locs[i-1][1]:loc[0]]
			}
			// The attribution sits next to the quote: bounded windows keep
			// the matching linear in the paragraph's length.
			after = clip(after, 240, false)
			before = clip(before, 240, true)
			// reBeforeVerb's match holds none of . ; " ”: start after the
			// last of them, so the engine does not try every position.
			if k := strings.LastIndexAny(before, `.;"`); k >= 0 {
				before = before[k+1:]
			}
			if k := strings.LastIndex(before, "”"); k >= 0 {
				before = before[k+len("”"):]
			}
			sp := ""
			// The regular expressions are slow; most windows hold no
			// speech verb at all.
			// reAfterVerb1 needs a verb right at the start (after blanks
			// and a comma); reAfterVerb2's match ends at a verb before the
			// first of . ; " “, which neither its name part nor a verb holds.
			afterVerb2 := hasSpeechVerb(upToStop(after))
			beforeVerb := hasSpeechVerb(before)
			if m := findIf(afterVerb2 && startsWithSpeechVerb(after), reAfterVerb1, after); m != nil {
				sp = speakerName(m[1])
			}
			if sp == "" {
				if m := findIf(afterVerb2, reAfterVerb2, after); m != nil {
					sp = speakerName(m[1])
				}
			}
			if sp == "" {
				if m := findIf(beforeVerb, reBeforeVerb, before); m != nil {
					sp = speakerName(m[1])
				}
			}
			if sp == "" {
				switch {
				case paraSpeaker != "":
					sp = paraSpeaker
				case i == 0 && startsWithQuote && last != "" && !strings.Contains(after, `"`):
					sp = last
				}
			}
			sp = resolveSpeaker(sp, speakers)
			if sp != "" {
				paraSpeaker = sp
				speakers = append(speakers, sp)
			}
			out = append(out, events.Quote{Text: text, Speaker: sp})
		}
		if paraSpeaker != "" {
			last = paraSpeaker
		} else if len(locs) == 0 {
			last = ""
		}
	}
	return out
}

// speakerName reduces an attribution phrase to a name: "head of State
// Duma's Committee on International Affairs Leonid Slutsky" gives "Leonid
// Slutsky", "a statement from the US Central Command" gives "US Central
// Command".
func speakerName(phrase string) string {
	phrase = strings.TrimSpace(phrase)
	if m := reSpeakerFrom.FindStringSubmatch(phrase); m != nil {
		phrase = m[1]
	}
	for {
		t := reSpeakerTail.ReplaceAllString(phrase, "")
		if t == phrase {
			break
		}
		phrase = t
	}
	ws := strings.Fields(phrase)
	// The trailing run of capitalized words.
	i := len(ws)
	for i > 0 && upperStart(ws[i-1]) {
		i--
	}
	run := ws[i:]
	if len(run) == 0 {
		if len(ws) > 0 && len(ws) <= 3 && (strings.EqualFold(ws[0], "he") || strings.EqualFold(ws[0], "she") || strings.EqualFold(ws[0], "they")) {
			return ""
		}
		return ""
	}
	// Drop job titles in front of the name.
	for j := len(run) - 1; j >= 0; j-- {
		if titleWords[strings.ToLower(strings.Trim(run[j], ".,"))] {
			if j < len(run)-1 {
				run = run[j+1:]
			}
			break
		}
	}
	name := strings.Trim(strings.Join(run, " "), " ,.")
	if utf8.RuneCountInString(name) < 2 {
		return ""
	}
	switch strings.ToLower(name) {
	case "he", "she", "it", "they", "we", "i", "the", "this", "that":
		return ""
	}
	return name
}

func upperStart(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) || unicode.IsDigit(r) && false
}

// resolveSpeaker turns a surname into a full name seen before.
func resolveSpeaker(sp string, seen []string) string {
	if sp == "" || strings.Contains(sp, " ") {
		return sp
	}
	for i := len(seen) - 1; i >= 0; i-- {
		if strings.HasSuffix(seen[i], " "+sp) {
			return seen[i]
		}
	}
	return sp
}

// clip keeps at most n bytes of s (its end when tail is set), cut on a rune
// boundary.
func clip(s string, n int, tail bool) string {
	if len(s) <= n {
		return s
	}
	if tail {
		i := len(s) - n
		for i < len(s) && !utf8.RuneStart(s[i]) {
			i++
		}
		return s[i:]
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// quoteSpans finds the quoted spans of p: an opening " or “, then eight
// characters or more without any quotation mark, then a closing " or ”.
// Each span is {start, end, text start, text end}, as the regular
// expression ["“]([^"“”]{8,}?)["”] would find them, without its cost.
func quoteSpans(p string) [][4]int {
	var out [][4]int
	for i := 0; ; {
		open, size := nextQuote(p, i)
		if open < 0 || p[open] != '"' && p[open+2] != 0x9C { // only " and “ open
			if open < 0 {
				return out
			}
			i = open + size
			continue
		}
		textStart := open + size
		closeAt, csize := nextQuote(p, textStart)
		if closeAt < 0 {
			return out
		}
		if (p[closeAt] == '"' || p[closeAt+2] == 0x9D) && utf8.RuneCountInString(p[textStart:closeAt]) >= 8 {
			out = append(out, [4]int{open, closeAt + csize, textStart, closeAt})
			i = closeAt + csize
			continue
		}
		i = textStart
	}
}

// nextQuote is the index and size of the first ", “ or ” in p from i, or -1.
func nextQuote(p string, i int) (int, int) {
	for ; i < len(p); i++ {
		switch p[i] {
		case '"':
			return i, 1
		case 0xE2:
			if i+2 < len(p) && p[i+1] == 0x80 && (p[i+2] == 0x9C || p[i+2] == 0x9D) {
				return i, 3
			}
		}
	}
	return -1, 0
}

var speechVerbList = strings.Split(speechVerbs, "|")

// hasSpeechVerb reports whether s contains one of the speech verbs.
func hasSpeechVerb(s string) bool {
	if s == "" {
		return false
	}
	for _, v := range speechVerbList {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// hasFields reports whether len(strings.Fields(s)) >= n, without the
// list.
func hasFields(s string, n int) bool {
	inField := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			inField = false
		} else if !inField {
			inField = true
			if n--; n == 0 {
				return true
			}
		}
	}
	return n <= 0
}

// upToStop is s up to its first . ; " or “.
func upToStop(s string) string {
	if k := strings.IndexAny(s, `.;"“`); k >= 0 {
		return s[:k]
	}
	return s
}

// startsWithSpeechVerb reports whether s, after white space, an optional
// comma and white space (RE2's \s: tab, newline, form feed, carriage
// return, space), starts with one of the speech verbs.
func startsWithSpeechVerb(s string) bool {
	s = strings.TrimLeft(s, "\t\n\f\r ")
	if strings.HasPrefix(s, ",") {
		s = strings.TrimLeft(s[1:], "\t\n\f\r ")
	}
	for _, v := range speechVerbList {
		if strings.HasPrefix(s, v) {
			return true
		}
	}
	return false
}

func findIf(ok bool, re *regexp.Regexp, s string) []string {
	if !ok {
		return nil
	}
	return re.FindStringSubmatch(s)
}
