//! Markings on export: every export can leave out records above a chosen marking.
//!
//! The ceiling uses the grades of [`crate::marking::marking_level`], ordered
//! Open < Restricted < Confidential < Secret. Two grades need a place in that order:
//! - an unmarked record counts as Open: nobody marked it, and the officer sees it unmarked everywhere;
//! - a label this version does not grade ("Company internal", a national caveat we do not know) counts
//!   as the most restrictive, above Secret, so it is left out of every export except one of everything.
//!   Guessing that an unknown label is harmless is the one mistake that would leak.
//!
//! A follow-up action has no marking of its own: it carries its meeting's, since it is part of what was
//! said there. An action whose meeting is not in the notebook cannot be graded, and counts as an unknown
//! label.

use crate::crdt::record::Record;
use crate::model::Action;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};

/// How sensitive a marking is, for the colour of its band. Unknown labels are [`MarkingLevel::Other`].
///
/// The variants are declared from least to most restrictive, and compare so: a label this version
/// cannot grade is above SECRET, because guessing that it is harmless is the mistake that would leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkingLevel {
    /// No marking given.
    None,
    /// UNCLASSIFIED, PUBLIC, OFFICIAL and the like.
    Open,
    /// RESTRICTED, or any releasability caveat (REL TO …, NOFORN).
    Restricted,
    /// CONFIDENTIAL.
    Confidential,
    /// SECRET and above.
    Secret,
    /// A label this version does not grade.
    Other,
}

/// Grades a marking label. Matching ignores case and surrounding space.
pub fn marking_level(marking: &str) -> MarkingLevel {
    let m = marking.trim().to_uppercase();
    let has = |w: &str| m.split(|c: char| !c.is_alphanumeric()).any(|t| t == w);
    if m.is_empty() {
        MarkingLevel::None
    } else if has("SECRET") {
        MarkingLevel::Secret
    } else if has("CONFIDENTIAL") {
        MarkingLevel::Confidential
    } else if has("RESTRICTED") || m.contains("REL TO") || has("NOFORN") {
        MarkingLevel::Restricted
    } else if has("UNCLASSIFIED") || has("PUBLIC") || has("OFFICIAL") {
        MarkingLevel::Open
    } else {
        MarkingLevel::Other
    }
}

/// The marking a page or file that shows all of these labels must carry: the most restrictive of them,
/// graded by [`marking_level`]. Different labels of the same grade ("NATO RESTRICTED" and "REL TO AUT,
/// CHE") are all kept, in the order given and joined by " / ", since neither covers the other. Empty
/// when none is marked.
pub fn highest_marking<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
    let mut top = MarkingLevel::None;
    let mut kept: Vec<&str> = Vec::new();
    for label in labels.into_iter().map(str::trim).filter(|l| !l.is_empty()) {
        let level = marking_level(label);
        if level > top {
            top = level;
            kept.clear();
        }
        if level == top && !kept.iter().any(|k| k.to_uppercase() == label.to_uppercase()) {
            kept.push(label);
        }
    }
    kept.join(" / ")
}

/// The marking a printed page (or any view) showing these records must carry: [`highest_marking`] of
/// every value their markings hold. A marking with a conflict counts with both values, as on export,
/// because until a person chooses, either may be the right one.
pub fn highest_marking_of<'a>(records: impl IntoIterator<Item = &'a Record>) -> String {
    highest_marking(records.into_iter().flat_map(|r| {
        r.fields.get(Field::Marking.key()).into_iter().flat_map(|reg| reg.entries().iter().map(|e| e.value.as_text()))
    }))
}

/// The highest marking an export may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ceiling {
    /// Unmarked and open records only (UNCLASSIFIED, PUBLIC, OFFICIAL).
    Open,
    /// Up to RESTRICTED, including releasability caveats (REL TO …, NOFORN).
    Restricted,
    /// Up to CONFIDENTIAL.
    Confidential,
    /// Up to SECRET and above, but not labels this version cannot grade.
    Secret,
    /// Everything, labels this version cannot grade included.
    All,
}

impl Ceiling {
    /// Every ceiling, lowest first, for a choice in the app.
    pub const EVERY: [Ceiling; 5] =
        [Ceiling::Open, Ceiling::Restricted, Ceiling::Confidential, Ceiling::Secret, Ceiling::All];

    /// Reads `open`, `restricted`, `confidential`, `secret` or `all` (case ignored), as the CLI's
    /// `--max-marking` and a URL would spell them.
    pub fn parse(s: &str) -> Option<Ceiling> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Some(Ceiling::Open),
            "restricted" => Some(Ceiling::Restricted),
            "confidential" => Some(Ceiling::Confidential),
            "secret" => Some(Ceiling::Secret),
            "all" => Some(Ceiling::All),
            _ => None,
        }
    }

    /// The name [`Ceiling::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Ceiling::Open => "open",
            Ceiling::Restricted => "restricted",
            Ceiling::Confidential => "confidential",
            Ceiling::Secret => "secret",
            Ceiling::All => "all",
        }
    }

    /// What a person reads in a choice: "Up to RESTRICTED".
    pub fn label(self) -> &'static str {
        match self {
            Ceiling::Open => "Unmarked and UNCLASSIFIED only",
            Ceiling::Restricted => "Up to RESTRICTED",
            Ceiling::Confidential => "Up to CONFIDENTIAL",
            Ceiling::Secret => "Up to SECRET",
            Ceiling::All => "Everything, whatever its marking",
        }
    }

    /// The most restrictive marking level the ceiling lets through, in [`MarkingLevel`]'s own order.
    fn top(self) -> MarkingLevel {
        match self {
            Ceiling::Open => MarkingLevel::Open,
            Ceiling::Restricted => MarkingLevel::Restricted,
            Ceiling::Confidential => MarkingLevel::Confidential,
            Ceiling::Secret => MarkingLevel::Secret,
            Ceiling::All => MarkingLevel::Other,
        }
    }
}

/// Whether a record with this marking may go into an export with this ceiling. Unmarked counts as open;
/// a label this version cannot grade passes only [`Ceiling::All`].
///
/// This is the one test every export uses, the JSON bundle export included: filter its records with
/// [`record_within`], which applies this to every value a record's marking holds.
pub fn within(ceiling: Ceiling, marking: &str) -> bool {
    marking_level(marking) <= ceiling.top()
}

/// Whether a record may go into an export with this ceiling, judged on everything the export would
/// carry of it. A contact or meeting passes when every value of its marking passes: concurrent edits can
/// leave two markings in one record, and a bundle carries both, so the stricter one decides. An action
/// is judged by its meeting's record (deleted or not, since its marking still applies); an action whose
/// meeting is not here fails every ceiling but [`Ceiling::All`].
pub fn record_within(nb: &Notebook, record: &Record, ceiling: Ceiling) -> bool {
    match record.kind {
        Kind::Contact | Kind::Meeting => marking_values_within(record, ceiling),
        Kind::Action => match record.text(Field::Meeting.key()).parse().ok().and_then(|id| nb.record(id)) {
            Some(meeting) if meeting.kind == Kind::Meeting => marking_values_within(meeting, ceiling),
            _ => ceiling == Ceiling::All,
        },
    }
}

fn marking_values_within(record: &Record, ceiling: Ceiling) -> bool {
    match record.fields.get(Field::Marking.key()) {
        None => within(ceiling, ""),
        Some(reg) => reg.entries().iter().all(|e| within(ceiling, e.value.as_text())),
    }
}

/// Whether the record behind a view (by its id) may be exported; a view with no id, or whose record is
/// not in the notebook, is judged by the marking it shows.
pub(crate) fn view_within(nb: &Notebook, id: Option<crate::crdt::id::RecordId>, shown: &str, ceiling: Ceiling) -> bool {
    match id.and_then(|id| nb.record(id)) {
        Some(r) => record_within(nb, r, ceiling),
        None => within(ceiling, shown),
    }
}

/// The marking an action carries: its meeting's, or `None` when the meeting is not in the notebook.
pub fn action_marking(nb: &Notebook, action: &Action) -> Option<String> {
    let meeting = nb.record(action.meeting?)?;
    (meeting.kind == Kind::Meeting).then(|| meeting.text(Field::Marking.key()).to_string())
}

/// The classification levels the marking picker offers, least to most restrictive.
pub const LEVELS: [&str; 8] = [
    "UNCLASSIFIED",
    "NATO UNCLASSIFIED",
    "RESTRICTED",
    "NATO RESTRICTED",
    "CONFIDENTIAL",
    "NATO CONFIDENTIAL",
    "SECRET",
    "NATO SECRET",
];

/// The nations (ISO 3166-1 alpha-3) and organisations the releasability picker offers: NATO's
/// members and the partners a liaison officer most often shares with.
pub const NATIONS: [&str; 36] = [
    "NATO", "EU", "ALB", "AUT", "BEL", "BGR", "CAN", "CHE", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
    "GRC", "HRV", "HUN", "IRL", "ISL", "ITA", "LTU", "LUX", "LVA", "MKD", "MNE", "NLD", "NOR", "POL", "PRT", "ROU",
    "SVK", "SVN", "SWE", "USA",
];

/// The English name of a code in [`NATIONS`] ("AUT" is "Austria"), for the picker's labels; `None` for
/// a code it does not offer, which the picker then shows as written.
pub fn nation_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "NATO" => "NATO members",
        "EU" => "European Union",
        "ALB" => "Albania",
        "AUT" => "Austria",
        "BEL" => "Belgium",
        "BGR" => "Bulgaria",
        "CAN" => "Canada",
        "CHE" => "Switzerland",
        "CZE" => "Czechia",
        "DEU" => "Germany",
        "DNK" => "Denmark",
        "ESP" => "Spain",
        "EST" => "Estonia",
        "FIN" => "Finland",
        "FRA" => "France",
        "GBR" => "United Kingdom",
        "GRC" => "Greece",
        "HRV" => "Croatia",
        "HUN" => "Hungary",
        "IRL" => "Ireland",
        "ISL" => "Iceland",
        "ITA" => "Italy",
        "LTU" => "Lithuania",
        "LUX" => "Luxembourg",
        "LVA" => "Latvia",
        "MKD" => "North Macedonia",
        "MNE" => "Montenegro",
        "NLD" => "Netherlands",
        "NOR" => "Norway",
        "POL" => "Poland",
        "PRT" => "Portugal",
        "ROU" => "Romania",
        "SVK" => "Slovakia",
        "SVN" => "Slovenia",
        "SWE" => "Sweden",
        "USA" => "United States",
        _ => return None,
    })
}

/// Whether the picker can change this stored label without losing any of it: it is empty, or it reads
/// as a level and nations (however spelled), or as "REL TO" nations alone. A label such as "Company
/// internal" or "UNCLASSIFIED // NOFORN" is kept as written until the officer chooses a level.
pub fn picker_can_edit(marking: &str) -> bool {
    let p = marking_parts(marking);
    marking.trim().is_empty() || !p.level.is_empty() || compose_marking("", &p.rel_to) == marking.trim().to_uppercase()
}

/// A marking as the picker shows it: a classification level and the nations it is releasable to. A
/// stored label the picker cannot show this way ("Company internal", a bare "REL TO AUT") keeps
/// `level` empty, and the label stays as it was until the officer picks a level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarkingParts {
    /// One of [`LEVELS`], or empty.
    pub level: String,
    /// Nations after "REL TO", in the order written.
    pub rel_to: Vec<String>,
    /// Whether the label is exactly what [`compose_marking`] makes of these parts. When it is not,
    /// the picker shows the label as it is stored and changes it only when the officer picks.
    pub exact: bool,
}

/// Reads a stored marking into the picker's parts: "RESTRICTED REL TO AUT, CHE" is RESTRICTED for
/// AUT and CHE. Case and spacing are forgiven; what is not a level and "REL TO" nations is not
/// guessed at.
pub fn marking_parts(marking: &str) -> MarkingParts {
    let m = marking.trim().to_uppercase();
    let (head, rel) = match m.find("REL TO") {
        Some(at) => (m[..at].trim().trim_end_matches(['/', ' ']).trim(), Some(&m[at + "REL TO".len()..])),
        None => (m.as_str(), None),
    };
    let head = head.split_whitespace().collect::<Vec<_>>().join(" ");
    let level = LEVELS.iter().find(|l| **l == head).map(|l| l.to_string()).unwrap_or_default();
    let rel_to: Vec<String> = rel
        .map(|r| r.split([',', ' ', '/']).map(str::trim).filter(|n| !n.is_empty()).map(String::from).collect())
        .unwrap_or_default();
    let exact = !level.is_empty() && compose_marking(&level, &rel_to) == marking.trim();
    MarkingParts { level, rel_to, exact }
}

/// The label for a level and nations: "RESTRICTED", or "RESTRICTED REL TO AUT, CHE". Nations are
/// upper-cased, repeats dropped, in the order given. No level and no nations is no marking.
pub fn compose_marking(level: &str, rel_to: &[String]) -> String {
    let mut nations: Vec<String> = Vec::new();
    for n in rel_to.iter().map(|n| n.trim().to_uppercase()).filter(|n| !n.is_empty()) {
        if !nations.contains(&n) {
            nations.push(n);
        }
    }
    let level = level.trim().to_uppercase();
    match (level.is_empty(), nations.is_empty()) {
        (_, true) => level,
        (true, false) => format!("REL TO {}", nations.join(", ")),
        (false, false) => format!("{level} REL TO {}", nations.join(", ")),
    }
}

#[cfg(test)]
mod picker_tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_level_and_nations_make_one_label_that_reads_back_the_same() {
        let label = compose_marking("RESTRICTED", &v(&["aut", "CHE", "AUT"]));
        assert_eq!(label, "RESTRICTED REL TO AUT, CHE");
        assert_eq!(
            marking_parts(&label),
            MarkingParts { level: "RESTRICTED".into(), rel_to: v(&["AUT", "CHE"]), exact: true }
        );
        assert_eq!(compose_marking("NATO SECRET", &[]), "NATO SECRET");
        assert_eq!(compose_marking("", &[]), "");
    }

    #[test]
    fn stored_labels_the_picker_cannot_show_are_kept_as_they_are() {
        let bare = marking_parts("REL TO AUT, CHE");
        assert_eq!((bare.level.as_str(), bare.rel_to.clone(), bare.exact), ("", v(&["AUT", "CHE"]), false));
        let other = marking_parts("Company internal");
        assert_eq!((other.level.as_str(), other.exact), ("", false));
        let lower = marking_parts("restricted  rel to aut,che");
        assert_eq!((lower.level.as_str(), lower.rel_to, lower.exact), ("RESTRICTED", v(&["AUT", "CHE"]), false));
    }

    #[test]
    fn every_level_with_any_nations_reads_back_as_it_was_made() {
        let picks: [&[&str]; 4] = [&[], &["AUT"], &["CHE", "AUT"], &["NATO", "EU", "USA", "GBR"]];
        for level in LEVELS.iter().copied().chain([""]) {
            for nations in picks {
                let label = compose_marking(level, &v(nations));
                let back = marking_parts(&label);
                assert_eq!((back.level.as_str(), back.rel_to.clone()), (level, v(nations)), "{label}");
                assert_eq!(back.exact, !level.is_empty(), "{label}");
                assert_eq!(compose_marking(&back.level, &back.rel_to), label);
            }
        }
    }

    #[test]
    fn every_nation_offered_has_a_name_and_labels_the_picker_cannot_read_are_not_edited() {
        assert!(NATIONS.iter().all(|n| nation_name(n).is_some()));
        assert_eq!(nation_name("AUT"), Some("Austria"));
        assert_eq!(nation_name("XYZ"), None);
        for editable in ["", "RESTRICTED", "restricted rel to aut", "REL TO AUT, CHE", "NATO SECRET REL TO USA"] {
            assert!(picker_can_edit(editable), "{editable}");
        }
        for kept in ["Company internal", "UNCLASSIFIED // NOFORN", "TOP SECRET"] {
            assert!(!picker_can_edit(kept), "{kept}");
        }
    }

    #[test]
    fn every_level_the_picker_offers_is_graded_in_order() {
        let grades: Vec<MarkingLevel> = LEVELS.iter().map(|l| marking_level(l)).collect();
        assert!(grades.windows(2).all(|w| w[0] <= w[1]), "{grades:?}");
        assert!(grades.iter().all(|g| *g != MarkingLevel::Other));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_highest_marking_of_several_is_the_most_restrictive_and_keeps_equal_caveats() {
        assert_eq!(highest_marking(["", "UNCLASSIFIED", "SECRET", "NATO RESTRICTED"]), "SECRET");
        assert_eq!(highest_marking(["", " "]), "");
        assert_eq!(highest_marking(["", "unclassified"]), "unclassified");
        assert_eq!(highest_marking(["TOP SECRET", "Company internal"]), "Company internal", "ungraded is above SECRET");
        assert_eq!(
            highest_marking(["NATO RESTRICTED", "REL TO AUT, CHE", "nato restricted", "UNCLASSIFIED"]),
            "NATO RESTRICTED / REL TO AUT, CHE"
        );
    }

    #[test]
    fn the_highest_marking_of_records_counts_both_sides_of_a_marking_conflict() {
        use crate::crdt::id::DeviceId;
        use crate::notebook::Notebook;
        let now = 1_700_000_000_000;
        let mut a = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let contact = a.create(Kind::Contact, now, [1; 10]);
        let meeting = a.create(Kind::Meeting, now, [2; 10]);
        a.set(meeting, Field::Marking, Value::Text("RESTRICTED".into()), now + 1).unwrap();
        let mut b = Notebook::from_records(DeviceId::new_v7(0, [2; 10]), vec![a.record(contact).unwrap().clone()], now);
        a.set(contact, Field::Marking, Value::Text("CONFIDENTIAL".into()), now + 2).unwrap();
        b.set(contact, Field::Marking, Value::Text("UNCLASSIFIED".into()), now + 3).unwrap();
        a.merge_record(b.record(contact).unwrap(), now + 4).unwrap();
        assert_eq!(a.contact(contact).unwrap().marking, "UNCLASSIFIED", "the later value is shown");
        let records = [a.record(contact).unwrap(), a.record(meeting).unwrap()];
        assert_eq!(highest_marking_of(records), "CONFIDENTIAL");
    }

    #[test]
    fn markings_are_graded_by_their_strongest_word() {
        assert_eq!(marking_level(""), MarkingLevel::None);
        assert_eq!(marking_level("unclassified"), MarkingLevel::Open);
        assert_eq!(marking_level("NATO RESTRICTED"), MarkingLevel::Restricted);
        assert_eq!(marking_level("UNCLASSIFIED // REL TO AUT, CHE"), MarkingLevel::Restricted);
        assert_eq!(marking_level("CONFIDENTIAL"), MarkingLevel::Confidential);
        assert_eq!(marking_level("TOP SECRET"), MarkingLevel::Secret);
        assert_eq!(marking_level("Company internal"), MarkingLevel::Other);
    }
    use crate::crdt::id::DeviceId;
    use crate::schema::Value;

    #[test]
    fn unmarked_counts_as_open_and_unknown_labels_as_the_most_restrictive() {
        assert!(within(Ceiling::Open, ""));
        assert!(within(Ceiling::Open, "UNCLASSIFIED"));
        assert!(!within(Ceiling::Open, "NATO RESTRICTED"));
        assert!(within(Ceiling::Restricted, "UNCLASSIFIED // REL TO AUT, CHE"));
        assert!(!within(Ceiling::Restricted, "CONFIDENTIAL"));
        assert!(within(Ceiling::Secret, "TOP SECRET"));
        assert!(!within(Ceiling::Secret, "Company internal"));
        assert!(within(Ceiling::All, "Company internal"));
    }

    #[test]
    fn ceilings_parse_from_their_names() {
        for c in Ceiling::EVERY {
            assert_eq!(Ceiling::parse(c.name()), Some(c));
        }
        assert_eq!(Ceiling::parse(" SECRET "), Some(Ceiling::Secret));
        assert_eq!(Ceiling::parse("top"), None);
    }

    #[test]
    fn a_record_with_a_marking_conflict_is_judged_by_its_strictest_value() {
        let now = 1_700_000_000_000;
        let mut a = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let id = a.create(Kind::Contact, now, [1; 10]);
        let mut b = Notebook::from_records(DeviceId::new_v7(0, [2; 10]), vec![a.record(id).unwrap().clone()], now);
        a.set(id, Field::Marking, Value::Text("SECRET".into()), now + 1).unwrap();
        b.set(id, Field::Marking, Value::Text("UNCLASSIFIED".into()), now + 2).unwrap();
        a.merge_record(b.record(id).unwrap(), now + 3).unwrap();
        assert_eq!(a.contact(id).unwrap().marking, "UNCLASSIFIED", "the later value is shown");
        let r = a.record(id).unwrap();
        assert!(!record_within(&a, r, Ceiling::Confidential));
        assert!(record_within(&a, r, Ceiling::Secret));
    }

    #[test]
    fn an_action_carries_its_meetings_marking() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let m = nb.create(Kind::Meeting, 1_000, [1; 10]);
        nb.set(m, Field::Marking, Value::Text("CONFIDENTIAL".into()), 1_001).unwrap();
        let a = nb.create(Kind::Action, 1_002, [2; 10]);
        nb.set(a, Field::Meeting, Value::Text(m.to_string()), 1_003).unwrap();
        let orphan = nb.create(Kind::Action, 1_004, [3; 10]);
        let rec = nb.record(a).unwrap();
        assert!(!record_within(&nb, rec, Ceiling::Restricted));
        assert!(record_within(&nb, rec, Ceiling::Confidential));
        assert_eq!(action_marking(&nb, &nb.action(a).unwrap()).as_deref(), Some("CONFIDENTIAL"));
        let rec = nb.record(orphan).unwrap();
        assert!(!record_within(&nb, rec, Ceiling::Secret));
        assert!(record_within(&nb, rec, Ceiling::All));
    }
}
