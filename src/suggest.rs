//! "Did you mean …?" suggestions for misspelt names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        // A Jaro-Winkler score of 0.8 needs a Jaro score above 0.7, and so lengths within a
        // factor of 10 of each other: the rest cannot match.
        .filter(|candidate| candidate.len() * 10 > word.len() && word.len() * 10 > candidate.len())
        .map(|candidate| (strsim::jaro_winkler(&lower, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_ignores_strangers() {
        assert_eq!(closest("boundry", ["boundary", "operator", "region"]), Some("boundary"));
        assert_eq!(closest("zzz", ["boundary", "operator"]), None);
    }
}
