package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Dates come as machine-readable strings (ISO 8601, RFC 1123) in metadata,
// and as visible text ("Published time: 6 Jun, 2017 20:36", "March 3, 2015
// at 4:05 pm EST", "6. Juni 2017, 20:36 Uhr") in bylines. parseDate handles
// both; a time without a zone is read as UTC.

var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
	"2006-01-02",
	"20060102",
	"20060102T150405Z0700",
	"20060102T150405-0700",
	"2006/01/02",
	"2006/01/02 15:04:05",
}

var zoneOffsets = map[string]int{
	"utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
	"mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "bst": 1, "cet": 1, "cest": 2,
	"eet": 2, "eest": 3, "msk": 3, "jst": 9, "kst": 9, "aest": 10, "aedt": 11,
	"ist": 0, // ambiguous (India, Ireland, Israel): not trusted
}

var months = map[string]time.Month{}

func init() {
	lists := [][]string{
		{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
		{"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"},
		{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
		{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"},
		{"ledna", "února", "března", "dubna", "května", "června", "července", "srpna", "září", "října", "listopadu", "prosince"},
	}
	for _, l := range lists {
		for i, m := range l {
			if _, ok := months[m]; !ok {
				months[m] = time.Month(i + 1)
			}
		}
	}
	for k, v := range map[string]time.Month{"sept": 9, "jänner": 1, "fevrier": 2, "aout": 8, "decembre": 12, "setiembre": 9, "marco": 3} {
		months[k] = v
	}
}

// monthOf reads a month name or an abbreviation of one (at least three letters).
func monthOf(s string) (time.Month, bool) {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if m, ok := months[s]; ok {
		return m, true
	}
	if len([]rune(s)) < 3 {
		return 0, false
	}
	var found time.Month
	for name, m := range months {
		if strings.HasPrefix(name, s) {
			if found != 0 && found != m {
				return 0, false
			}
			found = m
		}
	}
	return found, found != 0
}

var (
	reISODate  = regexp.MustCompile(`(\d{4})-(\d{1,2})-(\d{1,2})(?:[tT ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|z|[+-]\d{2}:?\d{2})?)?`)
	reCJKDate  = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reDMYText  = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th|er|º)?\.?\s*(?:de\s+)?([\p{L}]{3,}\.?),?\s+(?:de\s+)?(\d{4})\b`)
	reMDYText  = regexp.MustCompile(`(?i)\b([\p{L}]{3,}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	reNumDate  = regexp.MustCompile(`\b(\d{1,2})([./])(\d{1,2})[./](\d{4})\b`)
	reTimeText = regexp.MustCompile(`(?i)(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?:\s*(?:uhr|h))?\s*\(?\s*(utc|gmt|z|e[sd]t|c[sd]t|m[sd]t|p[sd]t|bst|cet|cest|eet|eest|msk|jst|kst|aest|aedt)?\s*([+-]\d{1,2}(?::?\d{2})?)?\b`)
)

// parseDate reads a date in s. hasTime is false when s gives only the day.
func parseDate(s string) (t time.Time, hasTime, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if !hasYear(s) {
		// Of the layouts, only RFC 850's year has two digits.
		if v, err := time.Parse(time.RFC850, s); err == nil {
			return sane(v.UTC(), true)
		}
		return
	}
	return parseDateLayouts(s)
}

// parseDateLayouts is parseDate without the four-digit prefilter.
func parseDateLayouts(s string) (t time.Time, hasTime, ok bool) {
	for _, l := range isoLayouts {
		if v, err := time.Parse(l, s); err == nil {
			if l == time.RFC1123 || l == "Mon, 2 Jan 2006 15:04:05 MST" || l == "2006-01-02 15:04:05 MST" || l == time.UnixDate {
				v = applyZoneName(v, v.Location().String())
			}
			return sane(v.UTC(), len(l) > 10)
		}
	}
	return findDateText(s)
}

func applyZoneName(v time.Time, name string) time.Time {
	if off, ok := zoneOffsets[strings.ToLower(name)]; ok {
		return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), 0, time.FixedZone(name, off*3600))
	}
	return v
}

func sane(t time.Time, hasTime bool) (time.Time, bool, bool) {
	if t.Year() < 1990 || t.Year() > time.Now().Year()+1 {
		return time.Time{}, false, false
	}
	return t, hasTime, true
}

// hasYear reports whether s has four ASCII digits in a row: every layout
// parseDate tries but RFC 850 and every pattern findDate looks for has a
// four-digit year, so a text without one (most that are tried) needs no
// more work.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; '0' <= c && c <= '9' {
			if run++; run == 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// findDate looks for a date, and a time next to it, in free text.
func findDate(s string) (time.Time, bool, bool) {
	if !hasYear(s) {
		return time.Time{}, false, false
	}
	return findDateText(s)
}

// findDateText is findDate without the four-digit prefilter.
func findDateText(s string) (time.Time, bool, bool) {
	var (
		y, d  int
		m     time.Month
		start int
		end   int
	)
	if loc := reISODate.FindStringSubmatchIndex(s); loc != nil {
		sub := submatches(s, loc)
		y, _ = strconv.Atoi(sub[1])
		mi, _ := strconv.Atoi(sub[2])
		d, _ = strconv.Atoi(sub[3])
		m = time.Month(mi)
		if sub[4] != "" {
			hh, _ := strconv.Atoi(sub[4])
			mm, _ := strconv.Atoi(sub[5])
			ss, _ := strconv.Atoi(sub[6])
			loc := time.UTC
			if z := sub[7]; z != "" && z != "Z" && z != "z" {
				loc = offsetZone(z)
			}
			if valid(y, m, d, hh, mm) {
				return sane(time.Date(y, m, d, hh, mm, ss, 0, loc).UTC(), true)
			}
			return time.Time{}, false, false
		}
		start, end = loc[0], loc[1]
	} else if loc := reCJKDate.FindStringSubmatchIndex(s); loc != nil {
		sub := submatches(s, loc)
		y, _ = strconv.Atoi(sub[1])
		mi, _ := strconv.Atoi(sub[2])
		d, _ = strconv.Atoi(sub[3])
		m = time.Month(mi)
		start, end = loc[0], loc[1]
	} else if loc, sub := matchText(s, reDMYText, 1, 2, 3); loc != nil {
		d, _ = strconv.Atoi(sub[0])
		m, _ = monthOf(sub[1])
		y, _ = strconv.Atoi(sub[2])
		start, end = loc[0], loc[1]
	} else if loc, sub := matchText(s, reMDYText, 2, 1, 3); loc != nil {
		d, _ = strconv.Atoi(sub[0])
		m, _ = monthOf(sub[1])
		y, _ = strconv.Atoi(sub[2])
		start, end = loc[0], loc[1]
	} else if loc := reNumDate.FindStringSubmatchIndex(s); loc != nil {
		sub := submatches(s, loc)
		a, _ := strconv.Atoi(sub[1])
		b, _ := strconv.Atoi(sub[3])
		y, _ = strconv.Atoi(sub[4])
		if sub[2] == "/" && a <= 12 {
			m, d = time.Month(a), b
		} else {
			d, m = a, time.Month(b)
		}
		start, end = loc[0], loc[1]
	} else {
		return time.Time{}, false, false
	}
	if !valid(y, m, d, 0, 0) {
		return time.Time{}, false, false
	}
	// A time right after the date, else right before it.
	if hh, mm, zone, ok := findTime(s[end:min(len(s), end+40)], true); ok {
		return sane(time.Date(y, m, d, hh, mm, 0, 0, zone).UTC(), true)
	}
	if hh, mm, zone, ok := findTime(s[max(0, start-25):start], false); ok {
		return sane(time.Date(y, m, d, hh, mm, 0, 0, zone).UTC(), true)
	}
	return sane(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), false)
}

func matchText(s string, re *regexp.Regexp, di, mi, yi int) ([]int, []string) {
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		sub := submatches(s, loc)
		if _, ok := monthOf(sub[mi]); ok {
			return loc, []string{sub[di], sub[mi], sub[yi]}
		}
	}
	return nil, nil
}

func findTime(s string, after bool) (hh, mm int, zone *time.Location, ok bool) {
	locs := reTimeText.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return
	}
	loc := locs[0]
	if after {
		// only filler words between the date and the time
		gap := strings.ToLower(s[:loc[0]])
		for _, w := range strings.FieldsFunc(gap, func(r rune) bool { return !unicode.IsLetter(r) }) {
			switch w {
			case "at", "um", "à", "a", "las", "alle", "ore", "om", "в", "updated", "utc", "gmt", "kl", "klo":
			default:
				return
			}
		}
	} else {
		loc = locs[len(locs)-1]
	}
	sub := submatches(s, loc)
	hh, _ = strconv.Atoi(sub[1])
	mm, _ = strconv.Atoi(sub[2])
	ampm := strings.ToLower(strings.ReplaceAll(sub[4], ".", ""))
	if ampm == "pm" && hh < 12 {
		hh += 12
	} else if ampm == "am" && hh == 12 {
		hh = 0
	}
	if hh > 23 || mm > 59 {
		return 0, 0, nil, false
	}
	zone = time.UTC
	if z := strings.ToLower(sub[5]); z != "" {
		if off, ok := zoneOffsets[z]; ok {
			zone = time.FixedZone(z, off*3600)
		}
	}
	if sub[6] != "" {
		zone = offsetZone(sub[6])
	}
	return hh, mm, zone, true
}

func offsetZone(z string) *time.Location {
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	z = strings.ReplaceAll(z[1:], ":", "")
	var h, m int
	switch len(z) {
	case 1, 2:
		h, _ = strconv.Atoi(z)
	case 3:
		h, _ = strconv.Atoi(z[:1])
		m, _ = strconv.Atoi(z[1:])
	default:
		h, _ = strconv.Atoi(z[:2])
		m, _ = strconv.Atoi(z[2:4])
	}
	return time.FixedZone("", sign*(h*3600+m*60))
}

func valid(y int, m time.Month, d, hh, mm int) bool {
	return y >= 1990 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31 && hh >= 0 && hh < 24 && mm >= 0 && mm < 60
}

func submatches(s string, loc []int) []string {
	out := make([]string, len(loc)/2)
	for i := range out {
		if loc[2*i] >= 0 {
			out[i] = s[loc[2*i]:loc[2*i+1]]
		}
	}
	return out
}

var reURLDate = regexp.MustCompile(`/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)`)

// urlDate reads a date from a URL path such as /2017/06/06/slug.
func urlDate(u string) (time.Time, bool) {
	m := reURLDate.FindStringSubmatch(u)
	if m == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t, _, ok := sane(time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), false)
	return t, ok
}
