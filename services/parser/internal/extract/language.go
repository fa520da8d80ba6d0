package extract

import (
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// Language detection for pages that declare none (no <html lang>, no
// Content-Language, no inLanguage, no og:locale).
//
// whatlanggo (a port of the Rust whatlang: trigram profiles for 84
// languages, pure Go, no model files, a few hundred KB in the binary, no
// dependencies) is used rather than lingua-go: lingua is more accurate on
// short strings but embeds about 100 MB of n-gram models, which would
// multiply the size and start-up memory of every parser binary for a
// fallback that is rarely taken and is given a full article body, where
// trigram detection is reliable. Only a reliable answer is kept: absent
// beats wrong.

// langSample bounds the text given to the detector: its cost grows with
// the text and the first paragraphs decide the language as well as all.
const langSample = 500

// detectLanguage returns the ISO 639-1 code of the text's language, or ""
// when the text is too short or the detector is not confident.
func detectLanguage(text string) string {
	if len(text) > langSample {
		cut := langSample
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	if utf8.RuneCountInString(text) < 40 {
		return ""
	}
	info := whatlanggo.Detect(text)
	if !info.IsReliable() {
		return ""
	}
	return info.Lang.Iso6391()
}
