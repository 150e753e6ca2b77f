package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestMatcherEvidence(t *testing.T) {
	m, err := Compile([]Spec{
		{ID: "medical-error", Category: "medical_error", Severity: "high",
			Query: `(врач OR роддом OR дарыгер OR оорукана) AND ("врачебная ошибка" OR халатность OR шалаакылык)`, Exclude: "ветеринар*"},
		{ID: "arrest", Category: "arrest", Severity: "high", Query: "(задержан OR кармалды) NEAR/3 (врач OR дарыгер)"},
		{ID: "shortage", Category: "drug_shortage", Severity: "medium", Query: "инсулин* AND NOT outlet:sport.kg"},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := NewArticle("Врачебная ошибка в роддоме",
		"В роддоме Бишкека роженице ввели антисептик. Следователи говорят о халатности. Главный врач задержан до выяснения обстоятельств дела.",
		"Kaktus.media", "ru")
	got := m.Match(a)
	if len(got) != 2 || got[0].Rule.ID != "medical-error" || got[1].Rule.ID != "arrest" {
		t.Fatalf("Match = %v", got)
	}
	ev := got[0].Evidence
	if len(ev) == 0 || ev[0].Field != "title" || !slices.Equal(ev[0].Words(), []string{"Врачебная", "ошибка", "роддоме"}) {
		t.Errorf("title evidence = %+v (%q)", ev, ev[0].Words())
	}
	var body []string
	for _, e := range ev[1:] {
		if e.Field != "body" {
			t.Errorf("evidence field %q", e.Field)
		}
		body = append(body, e.Words()...)
	}
	if !slices.Contains(body, "халатности") || !slices.Contains(body, "роддоме") {
		t.Errorf("body evidence words %q", body)
	}
	// NEAR marks the words it joins, not the words between them.
	if w := got[1].Evidence[0].Words(); !slices.Equal(w, []string{"врач", "задержан"}) {
		t.Errorf("NEAR evidence %q in %q", w, got[1].Evidence[0].Text)
	}
	if txt := got[1].Evidence[0].Text; !strings.HasPrefix(txt, "…") || !strings.Contains(txt, "Главный врач задержан") {
		t.Errorf("NEAR evidence text %q", txt)
	}

	if ids := m.MatchIDs(NewArticle("Ветеринарная халатность", "Врачебная ошибка ветеринара в клинике для собак.", "x.kg", "ru")); len(ids) != 0 {
		t.Errorf("exclude ignored: %v", ids)
	}
	if ids := m.MatchIDs(NewArticle("Инсулин закончился", "", "24.kg", "ru")); !slices.Equal(ids, []string{"shortage"}) {
		t.Errorf("prefix rule: %v", ids)
	}
	if ids := m.MatchIDs(NewArticle("Инсулин закончился", "", "sport.kg", "ru")); len(ids) != 0 {
		t.Errorf("outlet NOT ignored: %v", ids)
	}
	ky := NewArticle("Ооруканада шалаакылык", "Бишкектеги ооруканасында дарыгер кармалды.", "azattyk.org", "ky")
	if ids := m.MatchIDs(ky); !slices.Equal(ids, []string{"medical-error", "arrest"}) {
		t.Errorf("Kyrgyz article: %v", ids)
	}
}

func TestCompileErrors(t *testing.T) {
	_, err := Compile([]Spec{
		{ID: "a", Query: "врач AND"},
		{ID: "b", Query: "врач", Exclude: `"ветеринар`},
		{ID: "a2", Query: "ok"},
		{ID: "a2", Query: "ok"},
	})
	var re *RuleError
	if err == nil || !strings.Contains(err.Error(), "rule a: query: line 1, column 9") ||
		!strings.Contains(err.Error(), "rule b: exclude: line 1, column 1") || !strings.Contains(err.Error(), "a2: the id is used twice") {
		t.Fatalf("Compile error: %v", err)
	}
	_ = re
}

// TestPrefilterLosesNothing checks that the term prefilter never skips a
// rule that matches: the matcher's answer equals evaluating every rule.
func TestPrefilterLosesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("врач врачи врачей больница больнице ошибка ошибки роддом роддоме оорукана ооруканада дарыгер дарыгерлер бейтап кезек инсулин инсулина и в жана")
	word := func() string { return words[rng.IntN(len(words))] }
	var specs []Spec
	for i := range 400 {
		var q string
		switch rng.IntN(7) {
		case 0:
			q = word() + " AND " + word()
		case 1:
			q = word() + " OR NOT " + word()
		case 2:
			w := []rune(word())
			q = fmt.Sprintf(`"%s %s" OR %s*`, word(), word(), string(w[:min(3, len(w))]))
		case 3:
			q = fmt.Sprintf("%s NEAR/%d (%s OR =%s)", word(), 1+rng.IntN(4), word(), word())
		case 4:
			q = "NOT " + word()
		case 5:
			q = "title:" + word() + " AND outlet:24.kg"
		default:
			q = word()
		}
		specs = append(specs, Spec{ID: fmt.Sprint("r", i), Query: q})
	}
	m, err := Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	for range 300 {
		title := randomText(rng, word, 1+rng.IntN(5))
		body := randomText(rng, word, rng.IntN(30))
		a := NewArticle(title, body, []string{"24.kg", "kaktus.media"}[rng.IntN(2)], []string{"ru", "ky"}[rng.IntN(2)])
		var all []string
		for _, r := range m.Rules() {
			if r.Matches(a) {
				all = append(all, r.ID)
			}
		}
		if got := m.MatchIDs(a); !slices.Equal(got, all) {
			t.Fatalf("article %q / %q: matcher %v, every rule %v", title, body, got, all)
		}
	}
}

// TestMatchBatch checks that matching articles in batches, which
// prepares them together and evaluates each rule on all of them in turn,
// gives each article what matching it alone gives: in a batch longer
// than BatchSize, with articles of three languages and articles matching
// nothing between, and from goroutines at once.
func TestMatchBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	words := strings.Fields("врач врачи больница больнице ошибка ошибки роддом оорукана ооруканада дарыгер бейтап кезек инсулин и в жана")
	word := func() string { return words[rng.IntN(len(words))] }
	var specs []Spec
	for i := range 200 {
		w := []rune(word())
		q := fmt.Sprintf("(%s NEAR/%d %s) OR (%s AND %s*)", word(), 1+rng.IntN(4), word(), word(), string(w[:min(3, len(w))]))
		specs = append(specs, Spec{ID: fmt.Sprint("r", i), Query: q, Exclude: "NOT " + word()})
	}
	m, err := Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	var as []*Article
	for i := range 3*BatchSize + 5 {
		body := randomText(rng, word, 5+rng.IntN(40))
		if i%7 == 0 {
			body = "ничего по теме"
		}
		// Articles of three languages, mixed, are matched in order of
		// language and must come back in their own order.
		lang := []string{"ru", "ky", "en"}[rng.IntN(3)]
		as = append(as, NewArticle(randomText(rng, word, 3), body, "24.kg", lang))
	}
	show := func(ms []Match) string { return fmt.Sprint(ms) }
	want := make([]string, len(as))
	matched := 0
	for k, a := range as {
		want[k] = show(m.Match(a))
		matched += len(m.Match(a))
	}
	if matched < len(as) {
		t.Fatalf("only %d matches in %d articles: the test says little", matched, len(as))
	}
	check := func() error {
		got := m.MatchBatch(as)
		if len(got) != len(as) {
			return fmt.Errorf("%d answers for %d articles", len(got), len(as))
		}
		for k := range as {
			if s := show(got[k]); s != want[k] {
				return fmt.Errorf("article %d: batch %s, alone %s", k, s, want[k])
			}
		}
		return nil
	}
	if err := check(); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- check() }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestNestedNear: a word between the two words of an inner NEAR is near
// the pair.
func TestNestedNear(t *testing.T) {
	r, err := CompileRule(Spec{ID: "n", Query: "задержан NEAR/8 (главный NEAR/5 больницы)"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"главный врач задержан в больницы", true},
		{"задержан главный врач больницы", true},
		{"главный врач больницы много лет работал и только потом, спустя годы, был задержан", false},
		{"задержан", false},
	} {
		if got := r.Matches(NewArticle(tc.text, "", "x", "ru")); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.text, got, tc.want)
		}
	}
	self, _ := CompileRule(Spec{ID: "s", Query: "врач NEAR/3 =врач"})
	if self.Matches(NewArticle("врач пришёл", "", "x", "ru")) {
		t.Error("a word is near itself")
	}
	if !self.Matches(NewArticle("врач и врач", "", "x", "ru")) {
		t.Error("two words within 3 not near")
	}
}

// TestPreparedAgreesWithStrings checks the matcher's fast paths (the
// program, atoms, word sets, gates and live alternatives; see program.go
// and prepare.go) against the strings: every rule, evaluated by its
// matcher's program on an article it prepared and by its tree on the same
// article unprepared, must give the same answer and the same evidence.
func TestPreparedAgreesWithStrings(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields("врач врачи врачей врача больница больнице больниц ошибка ошибки ошибок роддом роддоме оорукана ооруканада дарыгер дарыгерлер бейтап кезек инсулин инсулина задержан задержали и в жана")
	word := func() string { return words[rng.IntN(len(words))] }
	var atom func(depth int) string
	atom = func(depth int) string {
		switch rng.IntN(8) {
		case 0:
			w := []rune(word())
			return string(w[:1+rng.IntN(len(w))]) + "*"
		case 1:
			return "=" + word()
		case 2:
			return fmt.Sprintf(`"%s %s"`, word(), word())
		case 3:
			if depth > 0 {
				return fmt.Sprintf("(%s NEAR/%d %s)", atom(depth-1), 1+rng.IntN(5), atom(depth-1))
			}
		case 4:
			if depth > 0 {
				alts := []string{atom(depth - 1), word(), word()}
				for range rng.IntN(4) {
					alts = append(alts, atom(depth-1))
				}
				return "(" + strings.Join(alts, " OR ") + ")"
			}
		}
		return word()
	}
	var query func(depth int) string
	query = func(depth int) string {
		switch rng.IntN(7) {
		case 0:
			return query(depth-1) + " AND " + query(depth-1)
		case 1:
			if depth > 0 {
				alts := []string{query(depth - 1), word(), word()}
				for range rng.IntN(4) {
					alts = append(alts, []string{"lang:ky", "NOT " + word(), atom(2)}[rng.IntN(3)])
				}
				return "(" + strings.Join(alts, " OR ") + ")"
			}
		case 2:
			return "title:" + atom(2)
		case 3:
			return atom(2) + " AND NOT " + atom(2)
		}
		return atom(2)
	}
	var specs []Spec
	for i := range 500 {
		s := Spec{ID: fmt.Sprint("r", i), Query: query(2)}
		if rng.IntN(3) == 0 {
			s.Exclude = query(1)
		}
		specs = append(specs, s)
	}
	m, err := Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for range 300 {
		title := randomText(rng, word, 1+rng.IntN(6))
		body := randomText(rng, word, rng.IntN(60))
		a := NewArticle(title, body, "24.kg", []string{"ru", "ky"}[rng.IntN(2)])
		type answer struct {
			ok bool
			ev string
		}
		eval := func(r *Rule) answer {
			if !r.Matches(a) {
				return answer{}
			}
			return answer{true, fmt.Sprint(evidence(r.ID, a, r.hits(a)))}
		}
		b := m.batches.Get().(*batch)
		b.start([]*Article{a})
		fast := make([]answer, len(m.rules))
		for i, r := range m.rules {
			// Every rule, not only those the article's triggers pick.
			if b.matchesIn(int32(i), 1) != 0 {
				fast[i] = answer{true, fmt.Sprint(evidence(r.ID, a, b.ps[0].hits(int32(i))))}
			}
		}
		b.reset()
		m.batches.Put(b)
		for i, r := range m.rules {
			if slow := eval(r); slow != fast[i] {
				t.Fatalf("rule %s %q / %q on %q / %q:\nprepared %+v\nstrings  %+v", r.ID, r.Query, r.Exclude, title, body, fast[i], slow)
			}
			if fast[i].ok {
				matched++
			}
		}
	}
	if matched < 1000 {
		t.Errorf("only %d matches: the test says little", matched)
	}
}

// TestOrNeedsAcrossFields checks the quick test of what an OR's phrases,
// NEARs and ANDs need, which looks at both fields at once: words of a
// phrase or NEAR split between the title and the body pass it, and the
// leaf must still reject them, while words of one field, and an AND's
// words in either, must still match.
func TestOrNeedsAcrossFields(t *testing.T) {
	m, err := Compile([]Spec{
		{ID: "phrase", Query: `инсулин* OR "врачебная ошибка"`},
		{ID: "near", Query: `кезек OR (врач NEAR/2 (ошибка OR "дурное обращение"))`},
		{ID: "title", Query: `кезек OR title:(врач NEAR/2 ошибка)`},
		{ID: "nested", Query: `кезек OR ((врач OR "главный врач") NEAR/3 (ошибка NEAR/1 роддом))`},
		{ID: "and", Query: `кезек OR (врач AND (ошибка OR халатность) AND NOT ветеринар)`},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		title, body string
		want        []string
	}{
		{"Врачебная новость", "Ошибка в отчёте", nil},
		{"Новость", "Врачебная ошибка в роддоме", []string{"phrase"}},
		{"Врач", "ошибка", []string{"and"}},
		{"Врач", "халатность ветеринара", nil},
		{"Врач", "", nil},
		{"Врач допустил ошибку", "", []string{"near", "title", "and"}},
		{"Новость", "Главный врач и ошибка роддома", []string{"near", "nested", "and"}},
		{"Ошибка роддома", "Главный врач", []string{"and"}},
		{"Новость", "Врач где-то далеко, совсем далеко отсюда, а ошибка", []string{"and"}},
	} {
		a := NewArticle(c.title, c.body, "24.kg", "ru")
		var slow []string
		for _, r := range m.Rules() {
			if r.Matches(a) {
				slow = append(slow, r.ID)
			}
		}
		got := m.MatchIDs(a)
		if !slices.Equal(got, slow) || !slices.Equal(got, c.want) {
			t.Errorf("%q / %q: matcher %v, strings %v, want %v", c.title, c.body, got, slow, c.want)
		}
	}
}

// randomText is n words drawn by word.
func randomText(rng *rand.Rand, word func() string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = word()
	}
	return strings.Join(ws, " ")
}

// TestSharedSets checks that rules spelling out the same list of words,
// in any order, in an OR or as a NEAR's operand, share one word set, and
// that each still matches what it matches read alone.
func TestSharedSets(t *testing.T) {
	m, err := Compile([]Spec{
		{ID: "and", Query: "(врач OR медсестра) AND ошибка"},
		{ID: "near", Query: "(врач OR медсестра) NEAR/3 ошибка"},
		{ID: "order", Query: "(медсестра OR врач) AND NOT больница"},
		{ID: "other", Query: "(врач OR фельдшер) AND ошибка"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.nSets != 2 {
		t.Errorf("%d word sets, want 2: {врач, медсестра} shared, {врач, фельдшер}", m.nSets)
	}
	matched := 0
	for _, body := range []string{
		"Врач допустил ошибку.",
		"Медсестра в больнице допустила ошибку.",
		"Ошибка была замечена через неделю, когда врач вернулся.",
		"Фельдшер допустил ошибку.",
		"Медсестра ушла в отпуск.",
	} {
		a := NewArticle("Новость", body, "24.kg", "ru")
		var got, want []string
		for _, mt := range m.Match(a) {
			got = append(got, mt.Rule.ID)
		}
		for _, r := range m.Rules() {
			if r.Matches(a) {
				want = append(want, r.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: matcher %v, rules read alone %v", body, got, want)
		}
		matched += len(got)
	}
	if matched < 6 {
		t.Errorf("only %d matches: the test says little", matched)
	}
}

// TestByLanguage checks the order in which MatchBatch matches articles:
// by language, each language's in their own order, and as they are when
// they fill one batch at most or are in that order already.
func TestByLanguage(t *testing.T) {
	langs := func(s string) []*Article {
		var as []*Article
		for _, l := range strings.Fields(s) {
			as = append(as, &Article{Lang: l})
		}
		return as
	}
	if got := byLanguage(langs("ru ky ru en")); got != nil {
		t.Errorf("one batch: order %v, want none", got)
	}
	var mixed []*Article
	for i := range BatchSize + 6 {
		mixed = append(mixed, &Article{Lang: []string{"ru", "ky", "en"}[i%3]})
	}
	order := byLanguage(mixed)
	if len(order) != len(mixed) {
		t.Fatalf("%d articles in order for %d", len(order), len(mixed))
	}
	for i := 1; i < len(order); i++ {
		x, y := mixed[order[i-1]], mixed[order[i]]
		if x.Lang > y.Lang || x.Lang == y.Lang && order[i-1] > order[i] {
			t.Fatalf("order %v: article %d (%s) before %d (%s)", order, order[i-1], x.Lang, order[i], y.Lang)
		}
	}
	seen := map[int]bool{}
	for _, k := range order {
		seen[k] = true
	}
	if len(seen) != len(mixed) {
		t.Fatalf("order %v does not hold every article once", order)
	}
	slices.SortStableFunc(mixed, func(x, y *Article) int { return strings.Compare(x.Lang, y.Lang) })
	if got := byLanguage(mixed); got != nil {
		t.Errorf("articles in order of language: order %v, want none", got)
	}
}
