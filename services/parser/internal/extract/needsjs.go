package extract

import "strings"

// jsShell holds what the raw page says about needing JavaScript, read
// before scripts are stripped for parsing.
type jsShell struct {
	scripts     int  // <script> elements
	noscriptMsg bool // "enable JavaScript" and the like
	emptyRoot   bool // an app's mount point with nothing in it
}

var (
	noscriptPhrases = []string{"enable javascript", "javascript is required", "javascript is disabled",
		"requires javascript", "turn on javascript", "javascript must be enabled", "without javascript",
		"activez javascript", "javascript aktivieren", "habilita javascript", "activa javascript"}
	emptyRoots = []string{`id="root"></div>`, `id="app"></div>`, `id="__next"></div>`, `id="__nuxt"></div>`,
		`id="root"/>`, `id="app"/>`, `id='root'></div>`, `id='app'></div>`, `<app-root></app-root>`,
		`id="__next"><div></div></div>`, `id="svelte"></div>`}
)

// jsSignals scans the raw page once; it is cheap beside the parse.
func jsSignals(raw string) jsShell {
	l := strings.ToLower(raw)
	s := jsShell{scripts: strings.Count(l, "<script")}
	for _, p := range noscriptPhrases {
		if strings.Contains(l, p) {
			s.noscriptMsg = true
			break
		}
	}
	for _, r := range emptyRoots {
		if strings.Contains(l, r) {
			s.emptyRoot = true
			break
		}
	}
	return s
}

// needsJS decides from the raw signals and the text the page itself
// yielded (before any feed fallback) whether it is a script-rendered shell:
// little text, and an empty mount point, an "enable JavaScript" notice or
// a pile of scripts. A page with a full article never needs JavaScript.
func (s jsShell) needsJS(pageText int) bool {
	if pageText >= charThreshold {
		return false
	}
	return s.emptyRoot || s.noscriptMsg || (pageText < charThreshold/5 && s.scripts >= 5)
}
