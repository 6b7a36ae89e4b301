//! scikit-learn's default tokenizer, `(?u)\b\w\w+\b` after lowercasing, and word n-grams joined by a space.
//!
//! Python's `\w` on `str` matches a character when `str.isalnum()` holds or it is `_`; here
//! that is [`char::is_alphanumeric`] or `_`. The two differ only on characters Unicode calls
//! alphabetic without being letters or numbers (`Other_Alphabetic`: combining vowel signs of
//! Indic scripts such as Devanagari's `ा`, circled letters such as `Ⓐ`), which Rust counts
//! as word characters and Python does not: a Hindi word with a vowel sign is one token here
//! and several (or fewer) in scikit-learn. Latin, Greek, Cyrillic, CJK, digits and `_` agree.
//!
//! The pattern matches the maximal runs of word characters (the greedy `\w\w+` between two
//! `\b`), keeping those of at least two characters (code points, as Python counts).
//! Lowercasing is Unicode's full mapping, Python's `str.lower()` (final sigma included).

use std::borrow::Cow;

/// Whether Python's `(?u)\w` matches `c` (see the module's note on `Other_Alphabetic`).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Appends `text`'s tokens (already lowercased if wanted) to `out`, in order.
pub fn tokenize<'a>(text: &'a str, out: &mut Vec<&'a str>) {
    let mut start = None;
    let mut n_chars = 0;
    for (at, c) in text.char_indices() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(at);
                n_chars = 0;
            }
            n_chars += 1;
        } else if let Some(from) = start.take() {
            if n_chars >= 2 {
                out.push(&text[from..at]);
            }
        }
    }
    if let Some(from) = start {
        if n_chars >= 2 {
            out.push(&text[from..]);
        }
    }
}

/// Calls `emit` with every term of `text`: its tokens' n-grams for each n in `ngram_range`
/// (n-grams joined by one space, as scikit-learn's analyzer `"word"` does), unigrams first.
/// A term occurring twice is emitted twice.
pub fn for_each_term(
    text: &str,
    lowercase: bool,
    ngram_range: (usize, usize),
    mut emit: impl FnMut(&str),
) {
    let text: Cow<str> = if lowercase {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    };
    let mut tokens = Vec::new();
    tokenize(&text, &mut tokens);
    let (min_n, max_n) = ngram_range;
    let mut joined = String::new();
    for n in min_n..=max_n.min(tokens.len()) {
        for window in tokens.windows(n) {
            if n == 1 {
                emit(window[0]);
            } else {
                joined.clear();
                for (i, token) in window.iter().enumerate() {
                    if i > 0 {
                        joined.push(' ');
                    }
                    joined.push_str(token);
                }
                emit(&joined);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, lowercase: bool, ngram_range: (usize, usize)) -> Vec<String> {
        let mut out = Vec::new();
        for_each_term(text, lowercase, ngram_range, |term| {
            out.push(term.to_string())
        });
        out
    }

    /// Expected lists are `TfidfVectorizer().build_analyzer()(text)` (scikit-learn 1.9.1,
    /// Python 3), with `ngram_range=(1, 2)` for the bigram case.
    #[test]
    fn matches_scikit_learns_default_analyzer() {
        let cases: [(&str, (usize, usize), &[&str]); 8] = [
            (
                "Hello, World! It's a test_case 42x.",
                (1, 1),
                &["hello", "world", "it", "test_case", "42x"],
            ),
            ("a b c", (1, 1), &[]),
            ("", (1, 1), &[]),
            (
                "Café CRÈME naïve — déjà-vu",
                (1, 1),
                &["café", "crème", "naïve", "déjà", "vu"],
            ),
            (
                "ΟΔΟΣ Straße 東京タワー x1",
                (1, 1),
                &["οδος", "straße", "東京タワー", "x1"],
            ),
            (
                "http://ow.ly/KiDDJ #Health @bbc",
                (1, 1),
                &["http", "ow", "ly", "kiddj", "health", "bbc"],
            ),
            (
                "The cat sat; a cat ran",
                (1, 2),
                &[
                    "the", "cat", "sat", "cat", "ran", "the cat", "cat sat", "sat cat", "cat ran",
                ],
            ),
            ("x² 3½ ab", (1, 1), &["x²", "3½", "ab"]),
        ];
        for (text, ngram_range, expected) in cases {
            assert_eq!(terms(text, true, ngram_range), expected, "{text:?}");
        }
    }

    #[test]
    fn keeps_case_when_asked_and_builds_only_the_asked_ngrams() {
        assert_eq!(terms("Big Data big", false, (1, 1)), ["Big", "Data", "big"]);
        assert_eq!(
            terms("one two three", true, (2, 3)),
            ["one two", "two three", "one two three"]
        );
        assert_eq!(terms("one", true, (2, 2)), Vec::<String>::new());
    }

    /// The documented difference: scikit-learn finds no token in `"हिंदी Ⓐb"` (its `\w` stops
    /// at the vowel signs and at `ⓐ`); Rust counts them as alphanumeric.
    #[test]
    fn other_alphabetic_marks_are_word_characters_here() {
        assert_eq!(terms("हिंदी Ⓐb", true, (1, 1)), ["हिंदी", "ⓐb"]);
    }
}
