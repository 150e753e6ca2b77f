package digest

import "testing"

func TestArticlesWord(t *testing.T) {
	for _, c := range []struct {
		n    int
		lang string
		want string
	}{
		{1, "ru", "публикация"}, {21, "ru", "публикация"}, {11, "ru", "публикаций"}, {3, "ru", "публикации"},
		{24, "ru", "публикации"}, {12, "ru", "публикаций"}, {5, "ru", "публикаций"}, {0, "ru", "публикаций"},
		{112, "ru", "публикаций"}, {3, "ky", "жарыялоо"}, {1, "en", "article"}, {2, "en", "articles"},
	} {
		if got := articlesWord(c.n, c.lang); got != c.want {
			t.Errorf("articlesWord(%d, %s) = %s, want %s", c.n, c.lang, got, c.want)
		}
	}
}
