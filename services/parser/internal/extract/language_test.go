package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abadojack/whatlanggo"
	"github.com/newsflow/newsflow/pkg/events"
)

// reference is whatlanggo.Detect as detectLanguage used it before the
// trigram index.
func reference(text string) string {
	info := whatlanggo.Detect(text)
	if !info.IsReliable() {
		return ""
	}
	return info.Lang.Iso6391()
}

func TestDetectLanguage(t *testing.T) {
	cases := []struct{ text, want string }{
		{"The committee said on Tuesday that it would publish the report next week, after a long delay.", "en"},
		{"Le gouvernement a annoncé mardi qu'il publierait le rapport sur la réforme des retraites la semaine prochaine, après un long retard dû aux négociations avec les syndicats et les partis de l'opposition.", "fr"},
		{"Die Regierung kündigte am Dienstag an, den Bericht in der kommenden Woche zu veröffentlichen.", "de"},
		{"El gobierno anunció el martes que publicará el informe la próxima semana, tras un largo retraso.", "es"},
		{"Правительство во вторник объявило, что опубликует доклад о пенсионной реформе на следующей неделе после долгой задержки, вызванной переговорами с профсоюзами и партиями оппозиции.", "ru"},
		{"أعلنت الحكومة يوم الثلاثاء أنها ستنشر التقرير الأسبوع المقبل بعد تأخير طويل جدا في العمل", "ar"},
		{"政府は火曜日、長い遅れの後、来週報告書を公表すると発表した。これは大きなニュースです。", "ja"},
		{"short", ""},
		{"1234567890 !!! ??? ... 1234567890 !!! ??? ... 1234567890 !!! ???", ""},
	}
	for _, c := range cases {
		if got := detectLanguage(c.text); got != c.want {
			t.Errorf("detectLanguage(%.30q) = %q, want %q", c.text, got, c.want)
		}
		if got, ref := detectSample(c.text), reference(c.text); len(c.text) >= 40 && got != ref {
			t.Errorf("detectLanguage(%.30q) = %q, whatlanggo %q", c.text, got, ref)
		}
	}
	if trigramIndexes() == nil {
		t.Fatal("no trigram index: whatlanggo's profiles were not found, every detection takes the slow path")
	}
}

// The index answers as whatlanggo does on every page's text, cut where
// detectLanguage cuts it and at shorter lengths, in many languages.
func TestDetectLanguageMatchesWhatlanggo(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testdata, "*", "*.html"))
	if dir := os.Getenv("NEWSFLOW_DEV_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
		files = append(files, more...)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Article(&events.Page{SchemaVersion: events.SchemaVersion, URL: "https://example.com/a", FetchedAt: time.Now(), HTML: string(b)})
		if err != nil {
			continue
		}
		for _, size := range []int{60, 120, 250, langSample, 2000} {
			text := a.Text
			if len(text) > size {
				text = strings.ToValidUTF8(text[:size], "")
			}
			if utf8Len := len([]rune(text)); utf8Len < 40 {
				continue
			}
			n++
			if got, want := detectSample(text), reference(text); got != want {
				t.Errorf("%s at %d bytes: %q, whatlanggo %q", filepath.Base(f), size, got, want)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d texts compared", n)
	}
}

func FuzzDetectLanguage(f *testing.F) {
	f.Add("The committee said on Tuesday that it would publish the report next week.")
	f.Add("Правительство во вторник объявило, что опубликует доклад на следующей неделе.")
	f.Add("שלום עולם, זהו טקסט בעברית כדי לבדוק את זיהוי השפה של הספרייה הזאת")
	f.Add("ሰላም ልዑል፣ ይህ የአማርኛ ጽሑፍ ነው ቋንቋውን ለመለየት የሚያገለግል ነው")
	f.Add("नमस्ते दुनिया, यह हिंदी में एक पाठ है जो भाषा की पहचान के लिए है")
	f.Add("abc абвгд абвгд абвгд абвгд абвгд абвгд абвгд abcdefghijklmnopqrstuvwxyzabcdefgh")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4096 {
			return
		}
		text = strings.ToValidUTF8(text, "\uFFFD")
		if got, want := detectScript(text), whatlanggo.DetectScript(text); got != want {
			t.Errorf("detectScript(%q) = %v, whatlanggo %v", text, got, want)
		}
		if len([]rune(text)) < 40 {
			return
		}
		if got, want := detectSample(text), reference(text); got != want {
			t.Errorf("detectSample(%q) = %q, whatlanggo %q", text, got, want)
		}
	})
}
