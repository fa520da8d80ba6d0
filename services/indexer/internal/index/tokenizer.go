package index

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// fastUnicodeTokenizer yields exactly the tokens of bleve's unicode
// tokenizer (Unicode word boundaries by blevesearch/segment's ragel
// machine), faster: cutting words was an eighth of what indexing an
// article cost. Text is split at ASCII white space, which every word
// boundary rule breaks at; a piece of ASCII only is cut here by the rules
// below, any other piece by the unicode tokenizer itself.
//
// The rules, for ASCII: letters, digits and '_' make words; ':' '.' '\”
// join two letters, and ',' ';' '.' '\” join two digits (UAX #29 WB6,
// WB7, WB11, WB12); everything else is a boundary and no word. A word
// with a digit and no letter is Numeric, any other AlphaNumeric.
// Text that is not valid UTF-8 goes to the unicode tokenizer whole.
// TestFastUnicodeTokenizer and FuzzFastUnicodeTokenizer compare the two.
type fastUnicodeTokenizer struct {
	// slow is bleve's unicode tokenizer.
	slow analysis.Tokenizer
}

// ASCII classes of the word boundary rules.
const (
	clsOther = iota
	clsSpace // ASCII white space: always a boundary
	clsLetter
	clsDigit
	clsUnder     // '_' (ExtendNumLet)
	clsMidLetter // ':' joins letters
	clsMidNum    // ',' ';' join digits
	clsMidNumLet // '.' '\'' join letters, and digits
	clsNonASCII  // a byte of a multi-byte rune
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80:
			t[c] = clsNonASCII
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			t[c] = clsLetter
		case c >= '0' && c <= '9':
			t[c] = clsDigit
		case c == '_':
			t[c] = clsUnder
		case c == ':':
			t[c] = clsMidLetter
		case c == ',' || c == ';':
			t[c] = clsMidNum
		case c == '.' || c == '\'':
			t[c] = clsMidNumLet
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			t[c] = clsSpace
		}
	}
	return t
}()

// Tokenize cuts input into words, as the unicode tokenizer does.
func (ft fastUnicodeTokenizer) Tokenize(input []byte) analysis.TokenStream {
	if !utf8.Valid(input) {
		// The segmenter stops at the first invalid byte: so do we.
		return ft.slow.Tokenize(input)
	}
	out := make(analysis.TokenStream, 0, len(input)/6+1)
	// Tokens are allocated in blocks, as the unicode tokenizer does.
	var block []analysis.Token
	newToken := func() *analysis.Token {
		if len(block) == 0 {
			block = make([]analysis.Token, max(len(input)/12, 16))
		}
		t := &block[0]
		block = block[1:]
		return t
	}
	pos := 1
	emit := func(start, end int, typ analysis.TokenType) {
		t := newToken()
		*t = analysis.Token{Term: input[start:end:end], Start: start, End: end, Position: pos, Type: typ}
		out = append(out, t)
		pos++
	}
	for i := 0; i < len(input); {
		for i < len(input) && charClass[input[i]] == clsSpace {
			i++
		}
		start, ascii := i, true
		for i < len(input) && charClass[input[i]] != clsSpace {
			ascii = ascii && input[i] < 0x80
			i++
		}
		if start == i {
			break
		}
		if !ascii {
			for _, t := range ft.slow.Tokenize(input[start:i]) {
				t.Start += start
				t.End += start
				t.Position = pos
				out = append(out, t)
				pos++
			}
			continue
		}
		scanASCII(input, start, i, emit)
	}
	return out
}

// scanASCII cuts input[from:to], ASCII without white space, into words.
func scanASCII(input []byte, from, to int, emit func(start, end int, typ analysis.TokenType)) {
	isWord := func(c uint8) bool { return c == clsLetter || c == clsDigit || c == clsUnder }
	for i := from; i < to; {
		c := charClass[input[i]]
		if !isWord(c) {
			i++
			continue
		}
		start, letter, digit := i, false, false
		for i < to {
			c = charClass[input[i]]
			if isWord(c) {
				letter = letter || c == clsLetter
				digit = digit || c == clsDigit
				i++
				continue
			}
			// A joiner needs the same kind of character on both sides.
			if i+1 < to {
				prev, next := charClass[input[i-1]], charClass[input[i+1]]
				joinsLetters := (c == clsMidLetter || c == clsMidNumLet) && prev == clsLetter && next == clsLetter
				joinsDigits := (c == clsMidNum || c == clsMidNumLet) && prev == clsDigit && next == clsDigit
				if joinsLetters || joinsDigits {
					i += 2
					letter = letter || joinsLetters
					digit = digit || joinsDigits
					continue
				}
			}
			break
		}
		typ := analysis.AlphaNumeric
		if digit && !letter {
			typ = analysis.Numeric
		}
		emit(start, i, typ)
	}
}
