package rules_test

import (
	"fmt"

	"kuzot/rules"
)

// A rule set scores an article; the evidence marks the words that matched,
// in any of their forms, Russian or Kyrgyz.
func ExampleCompile() {
	m, err := rules.Compile([]rules.Spec{
		{ID: "arrest-ky", Category: "arrest", Severity: "high", Query: "(дарыгер OR оорукана) AND (кармалды OR камакка)"},
		{ID: "arrest-ru", Category: "arrest", Severity: "high", Query: "(задержан OR арестован) NEAR/3 врач", Exclude: "ветеринар*"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := rules.NewArticle("Бишкекте башкы дарыгер кармалды", "Ооруканасынын башкы дарыгери пара алып жатканда кармалды.", "azattyk.org", "ky")
	for _, match := range m.Match(a) {
		for _, e := range match.Evidence {
			fmt.Println(match.Rule.ID, e.Field, e.Words())
		}
	}
	fmt.Println(m.MatchIDs(rules.NewArticle("Задержан главный врач", "", "24.kg", "ru")))
	fmt.Println(m.MatchIDs(rules.NewArticle("Задержан главный ветеринар, врач по образованию", "", "24.kg", "ru")))
	// Output:
	// arrest-ky title [дарыгер кармалды]
	// arrest-ky body [Ооруканасынын дарыгери кармалды]
	// [arrest-ru]
	// []
}

// Many articles, a backtest's page or a labelled corpus, are matched
// faster as a batch, each with the matches Match would give it.
func ExampleMatcher_MatchBatch() {
	m, err := rules.Compile([]rules.Spec{
		{ID: "queue", Category: "care_access", Severity: "medium", Query: "кезек* NEAR/3 (оорукана* OR бейтап*)"},
		{ID: "shortage", Category: "drug_shortage", Severity: "high", Query: `инсулин* AND (дефицит OR "не хватает")`},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	as := []*rules.Article{
		rules.NewArticle("Ооруканада узун кезек", "Бейтаптар кезекте саатка турушат.", "kloop.kg", "ky"),
		rules.NewArticle("В аптеках не хватает инсулина", "", "24.kg", "ru"),
		rules.NewArticle("Погода", "Завтра снег.", "24.kg", "ru"),
	}
	for i, ms := range m.MatchBatch(as) {
		var ids []string
		for _, match := range ms {
			ids = append(ids, match.Rule.ID)
		}
		fmt.Println(i, ids)
	}
	// Output:
	// 0 [queue]
	// 1 [shortage]
	// 2 []
}
