package crawler

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// encodeAs encodes UTF-8 text into the named charset, for fixtures.
func encodeAs(t testing.TB, name, s string) []byte {
	t.Helper()
	enc, _ := charset.Lookup(name)
	if enc == nil {
		t.Fatalf("no charset %s", name)
	}
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %s: %v", name, err)
	}
	return b
}

func TestToUTF8(t *testing.T) {
	const ru = "Минздрав: вспышка кори в Бишкеке, ёлка и «новости» №5 — врачи"
	const ruKOI = "Минздрав: вспышка кори в Бишкеке, врачи и медсестры"
	page := func(head, text string) string {
		return "<html><head>" + head + "<title>x</title></head><body><p>" + text + "</p></body></html>"
	}
	metaCharset := `<meta charset="windows-1251">`
	metaHTTPEquiv := `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">`
	broken := []byte(page("", ru+ru+ru))
	broken = append(broken[:40:40], append([]byte{0xFF}, broken[40:]...)...)

	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
	}{
		{"windows-1251 with only a meta charset", encodeAs(t, "windows-1251", page(metaCharset, ru)), "text/html", page(metaCharset, ru)},
		{"windows-1251 with only a meta http-equiv", encodeAs(t, "windows-1251", page(metaHTTPEquiv, ru)), "", page(metaHTTPEquiv, ru)},
		{"windows-1251 with only the header", encodeAs(t, "windows-1251", page("", ru)), "text/html; charset=windows-1251", page("", ru)},
		{"windows-1251 with the header alias cp1251", encodeAs(t, "windows-1251", page("", ru)), "text/html; charset=CP1251", page("", ru)},
		{"windows-1251 behind a wrong utf-8 header", encodeAs(t, "windows-1251", page(metaCharset, ru)), "text/html; charset=utf-8", page(metaCharset, ru)},
		{"windows-1251 declared nowhere", encodeAs(t, "windows-1251", page("", ru)), "text/html", page("", ru)},
		{"windows-1251 with an unknown header charset", encodeAs(t, "windows-1251", page("", ru)), "text/html; charset=x-unheard-of", page("", ru)},
		{"windows-1251 feed with an XML declaration", encodeAs(t, "windows-1251", `<?xml version="1.0" encoding="windows-1251"?><rss><title>`+ru+`</title></rss>`), "application/rss+xml", `<?xml version="1.0" encoding="windows-1251"?><rss><title>` + ru + `</title></rss>`},
		{"koi8-r with a meta charset", encodeAs(t, "koi8-r", page(`<meta charset="koi8-r">`, ruKOI)), "text/html", page(`<meta charset="koi8-r">`, ruKOI)},
		{"koi8-r with only the header", encodeAs(t, "koi8-r", page("", ruKOI)), "text/html; charset=KOI8-R", page("", ruKOI)},
		{"UTF-8 with a BOM and a wrong header", append([]byte("\xEF\xBB\xBF"), page("", ru)...), "text/html; charset=windows-1251", page("", ru)},
		{"UTF-16LE with a BOM", append([]byte{0xFF, 0xFE}, encodeAs(t, "utf-16le", page("", ru))...), "text/html", page("", ru)},
		{"UTF-8 with a wrong windows-1251 header", []byte(page("", ru)), "text/html; charset=windows-1251", page("", ru)},
		{"UTF-8 with a wrong koi8-r meta", []byte(page(`<meta charset="koi8-r">`, ru)), "", page(`<meta charset="koi8-r">`, ru)},
		{"UTF-8 with one broken byte", broken, "text/html; charset=utf-8", string(bytes.Replace(broken, []byte{0xFF}, []byte("\uFFFD"), 1))},
		{"ASCII", []byte(page("", "Ministry of Health")), "text/html; charset=koi8-r", page("", "Ministry of Health")},
		{"empty", nil, "text/html", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToUTF8(tt.body, tt.contentType)
			if err != nil {
				t.Fatalf("ToUTF8: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("ToUTF8 =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTP://Kaktus.Media:80/doc/123.html?utm_source=tg&b=2&a=1#comments", "http://kaktus.media/doc/123.html?a=1&b=2"},
		{"https://24.kg:443/", "https://24.kg/"},
		{"https://24.kg", "https://24.kg/"},
		{"  https://24.kg/obschestvo/123/  ", "https://24.kg/obschestvo/123"},
		{"https://24.kg/obschestvo/123///", "https://24.kg/obschestvo/123"},
		{"http://x.kg:8080/a", "http://x.kg:8080/a"},
		{"https://24.kg./a", "https://24.kg/a"},
		{"https://user:secret@x.kg/a", "https://x.kg/a"},

		// Tracking parameters, in any case.
		{"https://kaktus.media/doc/1.html?fbclid=IwAR0&gclid=x&yclid=9&_openstat=abc&UTM_Medium=social&id=7", "https://kaktus.media/doc/1.html?id=7"},
		{"https://kaktus.media/doc/1.html?utm_source=a&utm_campaign=b", "https://kaktus.media/doc/1.html"},
		{"https://x.kg/search?b=2&a=2&a=1", "https://x.kg/search?a=2&a=1&b=2"},
		{"https://x.kg/a?b=1&&a=2&", "https://x.kg/a?a=2&b=1"},
		{"https://x.kg/a?", "https://x.kg/a"},
		{"https://x.kg/a?q=%d0%b2%d1%80%d0%b0%d1%87+%2B1", "https://x.kg/a?q=%D0%B2%D1%80%D0%B0%D1%87+%2B1"},
		{"https://x.kg/a?q=врач", "https://x.kg/a?q=%D0%B2%D1%80%D0%B0%D1%87"},

		// AMP variants.
		{"https://kaktus.media/amp/doc/1.html", "https://kaktus.media/doc/1.html"},
		{"https://24.kg/news/1/amp", "https://24.kg/news/1"},
		{"https://24.kg/news/1/AMP/", "https://24.kg/news/1"},
		{"https://amp.kaktus.media/doc/1.html", "https://kaktus.media/doc/1.html"},
		{"https://akipress.org/news:1?amp", "https://akipress.org/news:1"},
		{"https://akipress.org/news:1?amp=1&id=2", "https://akipress.org/news:1?id=2"},
		{"https://amp.kg/news/example", "https://amp.kg/news/example"},
		{"https://24.kg/news/ampula-1", "https://24.kg/news/ampula-1"},

		// Escapes in one form; IDN hosts in Unicode.
		{"https://x.kg/%7euser/%d0%bd", "https://x.kg/~user/%D0%BD"},
		{"https://x.kg/новости/врач", "https://x.kg/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/%D0%B2%D1%80%D0%B0%D1%87"},
		{"https://x.kg/a%2Fb", "https://x.kg/a%2Fb"},
		{"https://Минздрав.KG/news/", "https://минздрав.kg/news"},
		{"https://xn--e1afmkfd.xn--p1ai/", "https://пример.рф/"},
		{"http://[::1]:80/a", "http://[::1]/a"},

		// Telegram previews keep their cursor.
		{"https://t.me/s/kaktusmedia?before=123", "https://t.me/s/kaktusmedia?before=123"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CanonicalURL(tt.in)
			if err != nil {
				t.Fatalf("CanonicalURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again, err := CanonicalURL(got); err != nil || again != got {
				t.Errorf("CanonicalURL(%q) = %q, %v; want it unchanged", got, again, err)
			}
		})
	}
}

func TestCanonicalURLErrors(t *testing.T) {
	for _, in := range []string{"", "ftp://x.kg/a", "mailto:press@med.kg", "/relative/path", "http://", "http://%zz/", "http:opaque", "javascript:alert(1)"} {
		t.Run(in, func(t *testing.T) {
			if got, err := CanonicalURL(in); err == nil {
				t.Errorf("CanonicalURL(%q) = %q, want an error", in, got)
			}
		})
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"HTTP://Kaktus.Media:80/doc/123.html?utm_source=tg&b=2&a=1#comments",
		"https://amp.amp.kaktus.media/amp/amp/doc/1.html?amp&a=%zz",
		"https://Минздрав.KG/новости/?q=врач",
		"http://[fe80::1%25en0]:8080/a//b/",
		"https://xn--e1afmkfd.xn--p1ai/%7e/%2f?%41=%42",
		"https://x.kg/a b?c d=e f",
		"http://x.kg:/%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		once, err := CanonicalURL(raw)
		if err != nil {
			return
		}
		u, err := url.Parse(once)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
			t.Fatalf("CanonicalURL(%q) = %q, not an absolute http(s) URL (%v)", raw, once, err)
		}
		twice, err := CanonicalURL(once)
		if err != nil {
			t.Fatalf("CanonicalURL(%q) = %q, which then fails: %v", raw, once, err)
		}
		if twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, once, twice)
		}
	})
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"spaces and tabs", "  врач \t  пришёл  ", "врач пришёл"},
		{"NBSP and other spaces", "10\u00a0000\u202fсом\u3000и", "10 000 сом и"},
		{"zero-width characters", "мед\u00adсестра\u200b \u200dи\ufeffврач\u2060", "медсестра иврач"},
		{"a paragraph break", "первый.\n\n\n   второй.", "первый.\n\nвторой."},
		{"a line break", "строка 1 \n  строка 2", "строка 1\nстрока 2"},
		{"CRLF", "a\r\nb\r\n\r\nc", "a\nb\n\nc"},
		{"a lone CR", "a\rb", "a\nb"},
		{"Unicode separators", "a\u2028b\u2029c", "a\nb\n\nc"},
		{"blank lines with spaces", "a\n \u00a0 \n\t\nb", "a\n\nb"},
		{"trimmed ends", "\n\n  \u200b текст \n\n", "текст"},
		{"control characters", "a\x00b\x1bc\x7f", "abc"},
		{"only whitespace", " \u200b \u00a0 \n\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in); got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	const title, body = "Врачебная ошибка в роддоме", "Пациентка ёжилась.\n\nМинздрав КР начал «проверку» — 2 врача отстранены."
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	if h := ContentHash(title, body); !hex64.MatchString(h) {
		t.Fatalf("ContentHash = %q, want 64 hex digits", h)
	}
	// sha256 of the empty title, the separator and the empty body.
	if got, want := ContentHash("", ""), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"; got != want {
		t.Errorf("ContentHash(\"\", \"\") = %s, want %s", got, want)
	}
	tests := []struct {
		name        string
		title, body string
		same        bool
	}{
		{"identical", title, body, true},
		{"other whitespace and paragraphs", "  Врачебная  ошибка\u00a0в роддоме ", "Пациентка ёжилась. Минздрав КР начал «проверку» —\n2 врача отстранены.", true},
		{"other case", "ВРАЧЕБНАЯ ОШИБКА В РОДДОМЕ", body, true},
		{"е for ё", title, "Пациентка ежилась.\n\nМинздрав КР начал «проверку» — 2 врача отстранены.", true},
		{"other quotes and dashes", title, "Пациентка ёжилась.\n\nМинздрав КР начал \"проверку\" - 2 врача отстранены.", true},
		{"zero-width and soft hyphens", "Врачеб\u00adная ошиб\u200bка в роддоме", body, true},
		{"a decomposed й and ё", title, "Пациентка е\u0308жилась.\n\nМинздрав КР начал «проверку» — 2 врача отстранены.", true},
		{"another word", "Врачебная ошибка в больнице", body, false},
		{"another number", title, "Пациентка ёжилась.\n\nМинздрав КР начал «проверку» — 3 врача отстранены.", false},
		{"the title's last word moved to the body", "Врачебная ошибка в", "роддоме " + body, false},
		{"words run together", "Врачебнаяошибка в роддоме", body, false},
	}
	want := ContentHash(title, body)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContentHash(tt.title, tt.body) == want; got != tt.same {
				t.Errorf("ContentHash(%q, %q) same as the original: %v, want %v", tt.title, tt.body, got, tt.same)
			}
		})
	}
	if ContentHash("Нии\u0306", "") != ContentHash("Ний", "") || ContentHash("Ний", "") == ContentHash("Нии", "") {
		t.Errorf("a decomposed й must hash like й, and unlike и")
	}
}

// cleanTextPlain is CleanText written rune by rune, without the run
// copying that makes CleanText fast: the fuzz test holds the two equal.
func cleanTextPlain(s string) string {
	var out strings.Builder
	breaks := 0
	space := false
	for i, r := range s {
		switch {
		case r == '\n', r == '\u2028':
			breaks++
		case r == '\u2029':
			breaks += 2
		case r == '\r':
			if i+1 >= len(s) || s[i+1] != '\n' {
				breaks++
			}
		case isInvisible(r):
		case unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r):
		default:
			if out.Len() > 0 {
				switch {
				case breaks >= 2:
					out.WriteString("\n\n")
				case breaks == 1:
					out.WriteByte('\n')
				case space:
					out.WriteByte(' ')
				}
			}
			breaks, space = 0, false
			out.WriteRune(r)
		}
	}
	return out.String()
}

// foldWordsPlain is foldWords written with package unicode and a range
// loop, without the fast paths.
func foldWordsPlain(buf []byte, s string) []byte {
	inWord, started := false, false
	var last rune
	for _, r := range s {
		switch {
		case isInvisible(r):
		case r >= 0x0300 && !(unicode.IsLetter(r) || unicode.IsDigit(r)) && unicode.Is(unicode.Mn, r):
			if r == '\u0306' && last == 'и' {
				buf = utf8.AppendRune(buf[:len(buf)-utf8.RuneLen('и')], 'й')
				last = 'й'
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord && started {
				buf = append(buf, ' ')
			}
			r = unicode.ToLower(r)
			if r == 'ё' {
				r = 'е'
			}
			buf = utf8.AppendRune(buf, r)
			inWord, started, last = true, true, r
		default:
			inWord, last = false, 0
		}
	}
	return buf
}

// textPlain is textBuilder.text written rune by rune.
func textPlain(b *textBuilder, s string) {
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			if start >= 0 {
				b.cur.WriteString(s[start:i])
				start = -1
			}
			b.space = b.cur.Len() > 0
			continue
		}
		if start < 0 {
			if b.space {
				if !strings.HasSuffix(b.cur.String(), "\n") {
					b.cur.WriteByte(' ')
				}
				b.space = false
			}
			start = i
		}
	}
	if start >= 0 {
		b.cur.WriteString(s[start:])
	}
}

// FuzzTextFastPaths holds CleanText, foldWords and textBuilder.text, whose
// byte-level fast paths are easy to get subtly wrong, equal to plain
// rune-by-rune versions, and checks that the maySubscribe prefilter never
// hides a subscribeRe match.
func FuzzTextFastPaths(f *testing.F) {
	for _, s := range []string{
		"  врач \t  пришёл  ", "10\u00a0000\u202fсом\u3000и", "мед\u00adсестра\u200b \u200dи\ufeffврач\u2060",
		"первый.\n\n\n   второй.", "a\r\nb\r\n\r\nc\rd", "a\u2028b\u2029c", "a\x00b\x1bc\x7f\u0085d",
		"ВРАЧ Ёжик ӨКМӨТ Ңң Үү Нии\u0306 е\u0308", "битый \xd0 байт \xd1\xd1 и \xff\xfe конец \ufffd",
		"Бүгүн Бишкекте эмдөө күнү өтөт 💉\nСаат 9дан 17ге чейин.",
		"ПОДПИСЫВАЙТЕСЬ НА НАШ канал", "Telegram-КАНАЛЫБЫЗГА жазылыңыз", "Подпишитесь!",
		" \u1680 \u2000a\u200a\u202fb\u205f\u3000c\u0085d\u00a0e \xc2 \xe2\x80 \xef\xbb\xbf\xe1\x9a\x80 ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := CleanText(s), cleanTextPlain(s); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", s, got, want)
		}
		if got, want := foldWords(nil, s), foldWordsPlain(nil, s); !bytes.Equal(got, want) {
			t.Errorf("foldWords(%q) = %q, want %q", s, got, want)
		}
		if subscribeRe.MatchString(s) && !maySubscribe(s) {
			t.Errorf("maySubscribe(%q) = false, but subscribeRe matches", s)
		}
		// Twice, so that a second run of text meets the state the
		// first left.
		var fast, plain textBuilder
		fast.text(s)
		fast.lineBreak()
		fast.text(s)
		textPlain(&plain, s)
		plain.lineBreak()
		textPlain(&plain, s)
		if got, want := fast.cur.String(), plain.cur.String(); got != want || fast.space != plain.space {
			t.Errorf("text(%q) = %q (space %v), want %q (space %v)", s, got, fast.space, want, plain.space)
		}
	})
}

func BenchmarkNormaliseArticle(b *testing.B) {
	body := strings.Repeat("Министерство здравоохранения сообщило журналистам, что в течение недели жители района "+
		"получат помощь.\n\nСаламаттык сактоо министрлиги маалымдады: оорукана жаңы имаратка көчөт.\n\n", 20)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		ContentHash("Заголовок статьи", CleanText(body))
	}
}
