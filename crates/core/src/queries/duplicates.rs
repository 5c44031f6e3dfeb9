//! Suggestions of contacts that may be the same person, and what merging a pair keeps. Never acted on
//! automatically: a person merges a pair field by field (see [`crate::notebook::Notebook::merge_contacts`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::crdt::id::RecordId;
use crate::model::Contact;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind, Shape, Value};
use crate::text;

/// Why two contacts may be one person.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// They share an email address (case ignored).
    SameEmail(String),
    /// They share a phone number (only digits compared).
    SamePhone(String),
    /// Their names (or aliases) match once folded: case, accents, spacing, German "oe" for "ö", and
    /// Cyrillic or Greek against Latin ignored.
    SameName(String),
    /// Their names (or aliases) are one or two typing slips apart once folded ([`text::tolerance`]):
    /// "Kowalenko" and "Kovalenko".
    SimilarName(String, String),
}

impl Reason {
    /// A sentence for the suggestion list.
    pub fn describe(&self) -> String {
        match self {
            Reason::SameEmail(e) => format!("same email {e}"),
            Reason::SamePhone(p) => format!("same phone {p}"),
            Reason::SameName(_) => "same name, ignoring case, accents, spacing and script".into(),
            Reason::SimilarName(a, b) => format!("similar names {a} and {b}"),
        }
    }
}

/// A suggested pair, the older id first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The older contact (by id, which is creation order).
    pub a: RecordId,
    /// The newer contact.
    pub b: RecordId,
    /// Every reason found.
    pub reasons: Vec<Reason>,
}

fn phone_key(p: &str) -> Option<String> {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then_some(digits)
}

/// Every pair of live contacts that may be one person, except pairs a person said are different.
pub fn candidates(nb: &Notebook, not_duplicates: &BTreeSet<(RecordId, RecordId)>) -> Vec<Candidate> {
    let contacts: Vec<Contact> = nb.contacts().into_iter().filter(|c| c.merged_into.is_none()).collect();
    let mut by_key: BTreeMap<(u8, String), Vec<RecordId>> = BTreeMap::new();
    for c in &contacts {
        let Some(id) = c.id else { continue };
        for e in &c.emails {
            let e = text::email_key(e);
            if !e.is_empty() {
                by_key.entry((0, e)).or_default().push(id);
            }
        }
        for p in c.phones.iter().filter_map(|p| phone_key(p)) {
            by_key.entry((1, p)).or_default().push(id);
        }
        for name in std::iter::once(&c.name).chain(&c.aliases) {
            let name = text::key(name);
            if name.is_empty() {
                continue;
            }
            // Every spelling one character shorter: two names within one slip of each other share one
            // (or one is the other), so near pairs are found without comparing every pair of contacts.
            for short in one_shorter(&name) {
                by_key.entry((3, short)).or_default().push(id);
            }
            by_key.entry((3, name.clone())).or_default().push(id);
            by_key.entry((2, name)).or_default().push(id);
        }
    }
    let names: BTreeMap<RecordId, Vec<String>> = contacts
        .iter()
        .filter_map(|c| {
            let names = std::iter::once(&c.name).chain(&c.aliases).map(|n| text::key(n)).filter(|n| !n.is_empty());
            Some((c.id?, names.collect()))
        })
        .collect();
    let mut pairs: BTreeMap<(RecordId, RecordId), BTreeSet<Reason>> = BTreeMap::new();
    for ((kind, key), mut ids) in by_key {
        ids.sort();
        ids.dedup();
        // A key shared by dozens is not evidence about any one pair (a switchboard number, say).
        if ids.len() > 8 {
            continue;
        }
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                if not_duplicates.contains(&(*a, *b)) {
                    continue;
                }
                let reason = match kind {
                    0 => Reason::SameEmail(key.clone()),
                    1 => Reason::SamePhone(key.clone()),
                    2 => Reason::SameName(key.clone()),
                    _ => match similar(&names[a], &names[b]) {
                        Some((x, y)) => Reason::SimilarName(x, y),
                        None => continue,
                    },
                };
                pairs.entry((*a, *b)).or_default().insert(reason);
            }
        }
    }
    pairs
        .into_iter()
        .map(|((a, b), mut r)| {
            // Names that are one once folded are not also "similar".
            if r.iter().any(|r| matches!(r, Reason::SameName(_))) {
                r.retain(|r| !matches!(r, Reason::SimilarName(..)));
            }
            Candidate { a, b, reasons: r.into_iter().collect() }
        })
        .collect()
}

/// The longest name key that gets a near-name search: longer ones are compared exactly only.
const MAX_NEAR_KEY: usize = 64;

/// `key` with one character left out, for each character, when the key is long enough to forgive a slip.
fn one_shorter(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    if text::tolerance(chars.len()) == 0 || chars.len() > MAX_NEAR_KEY {
        return Vec::new();
    }
    (0..chars.len())
        .map(|skip| chars.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, c)| *c).collect())
        .collect()
}

/// Two different names, one of each list, with as many words, each word within the [`text::tolerance`]
/// of the shorter of the two: "Oleksandr Kowalenko" and "Oleksandr Kovalenko", but not "Anna Berg" and
/// "Anna Borg", whose short words forgive nothing.
fn similar(a: &[String], b: &[String]) -> Option<(String, String)> {
    let near = |x: &str, y: &str| {
        let max = text::tolerance(x.chars().count().min(y.chars().count()));
        x == y || (max > 0 && text::within_edits(x, y, max))
    };
    a.iter().flat_map(|x| b.iter().map(move |y| (x, y))).find_map(|(x, y)| {
        let (xs, ys): (Vec<&str>, Vec<&str>) = (x.split(' ').collect(), y.split(' ').collect());
        let alike = x != y && xs.len() == ys.len() && xs.iter().zip(&ys).all(|(p, q)| near(p, q));
        alike.then(|| (x.clone(), y.clone()))
    })
}

/// Which of a pair's values a merge keeps for one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The first contact's value.
    First,
    /// The second contact's value.
    Second,
    /// Both contacts' items, for list fields; both notes, each under its author, for Notes.
    Both,
}

/// The fields a person chooses between when merging two contacts: every contact field but the redirect,
/// which the merge itself writes, the name's parts, which follow the name chosen, and the aliases, which
/// keep every name of both (see [`merge_values`]).
pub fn merge_fields() -> impl Iterator<Item = Field> {
    Field::of(Kind::Contact)
        .iter()
        .copied()
        .filter(|f| !matches!(f, Field::MergedInto | Field::NameParts | Field::Aliases))
}

/// Whether a merge offers [`Choice::Both`] for a field: lists, and notes (one officer's notes about a
/// person are never thrown away to keep the other's).
pub fn offers_both(field: Field) -> bool {
    field.shape() == Shape::List || field == Field::Notes
}

fn value_of(c: &Contact, field: Field) -> Value {
    // A field contacts lack (never one of `merge_fields`) counts as blank.
    c.value(field).unwrap_or(Value::Text(String::new()))
}

/// Whether the pair holds different values for a field. A field they agree on is no choice: the screen
/// shows the value once, and the merge keeps it.
pub fn differs(a: &Contact, b: &Contact, field: Field) -> bool {
    value_of(a, field) != value_of(b, field)
}

/// The choice a merge starts with for a field: both when the field [`offers_both`] and both sides hold
/// different values that are not blank, else the first contact's value unless it is blank.
pub fn default_choice(a: &Contact, b: &Contact, field: Field) -> Choice {
    let (x, y) = (value_of(a, field), value_of(b, field));
    let blank = |v: &Value| v.display().trim().is_empty();
    match (offers_both(field), x == y) {
        (true, false) if !blank(&x) && !blank(&y) => Choice::Both,
        _ if blank(&x) => Choice::Second,
        _ => Choice::First,
    }
}

/// Who recorded a contact and when: the officer (as [`super::conflicts::officer`] names them) of its
/// oldest stamp still held, and that stamp's wall time in ms. The oldest stamp anywhere, not the life
/// register's, because a merge taken back restores the record and so replaces its creation stamp.
pub fn recorded(nb: &Notebook, id: RecordId) -> Option<(String, u64)> {
    let stamp = nb.record(id)?.stamps().min()?;
    Some((super::conflicts::officer(nb, stamp.device), stamp.wall_ms))
}

/// The values a merge of `a` and `b` writes to the survivor: for every [`merge_fields`] field, what
/// `choices` says, or the [`default_choice`]. Both lists are joined in order, the first contact's items
/// first, leaving out an item of the second whose [`text::key`] is already there. Both notes are joined
/// as [`super::conflicts::combine_both`] joins text, each under its side's label in `labels` (who recorded
/// it and when). The survivor's aliases keep both contacts' aliases and the name that was not kept, so the
/// other spelling is still found.
pub fn merge_values(
    a: &Contact,
    b: &Contact,
    choices: &BTreeMap<Field, Choice>,
    labels: [&str; 2],
) -> Vec<(Field, Value)> {
    let mut values: Vec<(Field, Value)> = merge_fields()
        .map(|field| {
            let choice = choices.get(&field).copied().unwrap_or_else(|| default_choice(a, b, field));
            let (x, y) = (value_of(a, field), value_of(b, field));
            let value = match choice {
                Choice::First => x,
                Choice::Second => y,
                Choice::Both if field.shape() != Shape::List => {
                    super::conflicts::combine_both(field, &[(labels[0].to_string(), x), (labels[1].to_string(), y)])
                }
                Choice::Both => {
                    let key = |item: &str| if field == Field::Emails { text::email_key(item) } else { text::key(item) };
                    let mut all = x.as_list().to_vec();
                    let mut keys: BTreeSet<String> = all.iter().map(|item| key(item)).collect();
                    for item in y.as_list() {
                        if keys.insert(key(item)) {
                            all.push(item.clone());
                        }
                    }
                    Value::List(all)
                }
            };
            (field, value)
        })
        .collect();
    // The parts of whichever name was kept, so that they never describe another name; when both sides
    // have that name, the parts of the one that has them.
    let name = choices.get(&Field::Name).copied().unwrap_or_else(|| default_choice(a, b, Field::Name));
    let (kept, other) = if name == Choice::Second { (b, a) } else { (a, b) };
    let parts =
        if kept.name_parts.is_empty() && other.name == kept.name { &other.name_parts } else { &kept.name_parts };
    values.push((Field::NameParts, Value::Text(crate::model::encode_name_parts(parts))));
    let mut aliases: Vec<String> = Vec::new();
    let mut keys: BTreeSet<String> = BTreeSet::from([text::key(&kept.name), String::new()]);
    for alias in a.aliases.iter().chain(&b.aliases).chain(std::iter::once(&other.name)) {
        if keys.insert(text::key(alias)) {
            aliases.push(alias.trim().to_string());
        }
    }
    values.push((Field::Aliases, Value::List(aliases)));
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::id::DeviceId;

    #[test]
    fn both_email_lists_keep_addresses_that_differ_in_accents_and_drop_ones_that_differ_in_case() {
        let a = Contact { emails: vec!["müller@bmlv.example".into()], ..Contact::default() };
        let b =
            Contact { emails: vec!["muller@bmlv.example".into(), "MÜLLER@bmlv.example".into()], ..Contact::default() };
        let choices = BTreeMap::from([(Field::Emails, Choice::Both)]);
        let merged = merge_values(&a, &b, &choices, ["A", "B"]);
        let emails = merged.iter().find(|(f, _)| *f == Field::Emails).map(|(_, v)| v.as_list().to_vec());
        assert_eq!(emails, Some(vec!["müller@bmlv.example".to_string(), "muller@bmlv.example".to_string()]));
    }

    #[test]
    fn names_fold_across_case_accents_and_spacing() {
        assert_eq!(text::key("  Jürgen   MÜLLER "), "jurgen muller");
        assert_eq!(text::key("Élise Martin"), text::key("elise  martin"));
        assert_eq!(text::key("Łukasz Øster"), "lukasz oster");
        assert_eq!(text::key("Мария Иванова"), "mariya ivanova");
        assert_eq!(text::key("李小龍"), "李小龍");
    }

    fn contact(nb: &mut Notebook, n: u8, name: &str, email: &str, phone: &str) -> RecordId {
        let id = nb.create(Kind::Contact, 1_000 + u64::from(n), [n; 10]);
        nb.set(id, Field::Name, Value::Text(name.into()), 2_000).unwrap();
        if !email.is_empty() {
            nb.set(id, Field::Emails, Value::List(vec![email.into()]), 2_000).unwrap();
        }
        if !phone.is_empty() {
            nb.set(id, Field::Phones, Value::List(vec![phone.into()]), 2_000).unwrap();
        }
        id
    }

    #[test]
    fn suggests_pairs_by_email_phone_or_folded_name_and_never_others() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let a = contact(&mut nb, 1, "Jürgen Müller", "J.Mueller@example.at", "");
        let b = contact(&mut nb, 2, "Juergen M.", "j.mueller@example.at", "");
        let c = contact(&mut nb, 3, "jurgen  muller", "", "+43 1 555 0100");
        let d = contact(&mut nb, 4, "Someone Else", "", "0043-1-555-0100");
        let _e = contact(&mut nb, 5, "Nobody", "nobody@example.org", "");
        let found = candidates(&nb, &BTreeSet::new());
        let pairs: Vec<(RecordId, RecordId)> = found.iter().map(|c| (c.a, c.b)).collect();
        assert!(pairs.contains(&(a, b)), "same email");
        assert!(pairs.contains(&(a, c)), "same folded name");
        assert!(!pairs.contains(&(c, d)), "0043 and +43 differ in digits; no guessing");
        assert_eq!(pairs.len(), 2);
    }

    #[test]
    fn a_pair_marked_as_different_people_is_not_suggested_again() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let a = contact(&mut nb, 1, "Anna Berg", "", "");
        let b = contact(&mut nb, 2, "Anna Berg", "", "");
        assert_eq!(candidates(&nb, &BTreeSet::new()).len(), 1);
        assert!(candidates(&nb, &BTreeSet::from([(a, b)])).is_empty());
    }

    #[test]
    fn merging_a_pair_redirects_meetings_to_the_survivor() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let a = contact(&mut nb, 1, "Anna Berg", "anna@example.org", "");
        let b = contact(&mut nb, 2, "Anna BERG", "", "+47 555 12345");
        let m = nb.create(Kind::Meeting, 3_000, [9; 10]);
        nb.set(m, Field::Participants, Value::List(vec![b.to_string()]), 3_000).unwrap();
        nb.merge_contacts(a, b, vec![(Field::Phones, Value::List(vec!["+47 555 12345".into()]))], 4_000).unwrap();
        assert!(nb.contact(b).is_none());
        assert_eq!(nb.contact(a).unwrap().phones, ["+47 555 12345"]);
        assert_eq!(nb.meetings_with(a).len(), 1);
        let meeting = nb.meeting(m).unwrap();
        assert_eq!(nb.participants(&meeting)[0].id, Some(a));
        assert!(candidates(&nb, &BTreeSet::new()).is_empty());
        let before = vec![(Field::Phones, Value::List(Vec::new()))];
        nb.unmerge_contacts(a, b, before, 5_000).unwrap();
        assert_eq!(nb.contact(b).unwrap().merged_into, None);
        assert!(nb.contact(a).unwrap().phones.is_empty());
        assert_eq!(nb.participants(&nb.meeting(m).unwrap())[0].id, Some(b));
        assert_eq!(candidates(&nb, &BTreeSet::new()).len(), 1);
    }

    fn person(name: &str, emails: &[&str], phones: &[&str]) -> Contact {
        Contact {
            name: name.into(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            phones: phones.iter().map(|p| p.to_string()).collect(),
            ..Contact::default()
        }
    }

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|i| i.to_string()).collect())
    }

    #[test]
    fn a_merge_offers_every_contact_field_but_the_redirect_the_name_parts_and_the_aliases() {
        let fields: Vec<Field> = merge_fields().collect();
        assert_eq!(fields.len(), Field::of(Kind::Contact).len() - 3);
        assert!(!fields.contains(&Field::MergedInto) && !fields.contains(&Field::NameParts));
        assert!(!fields.contains(&Field::Aliases));
        assert_eq!(fields[0], Field::Name);
    }

    #[test]
    fn a_merge_starts_from_both_of_differing_lists_and_otherwise_from_the_first_value_unless_blank() {
        let a = person("Anna Berg", &["anna@example.org"], &["+47 555 12345"]);
        let b = person("Anna BERG", &["berg@example.org"], &["+47 555 12345"]);
        assert_eq!(default_choice(&a, &b, Field::Emails), Choice::Both);
        assert_eq!(default_choice(&a, &b, Field::Phones), Choice::First);
        assert_eq!(default_choice(&a, &b, Field::Name), Choice::First);
        let blank = person("  ", &[], &[]);
        assert_eq!(default_choice(&blank, &b, Field::Name), Choice::Second);
        assert_eq!(default_choice(&blank, &b, Field::Title), Choice::Second);
    }

    #[test]
    fn both_lists_are_joined_first_contact_first_without_items_that_differ_only_in_case_or_accents() {
        let mut a = person("Anna Berg", &["Anna@Example.org", "anna@example.org"], &[]);
        a.languages = vec!["Français".into()];
        let mut b = person("", &["anna@example.org", "berg@example.org", "BERG@example.org"], &[]);
        b.languages = vec!["francais".into(), "Deutsch".into()];
        let values: BTreeMap<Field, Value> = merge_values(&a, &b, &BTreeMap::new(), ["A", "B"]).into_iter().collect();
        assert_eq!(values[&Field::Emails], list(&["Anna@Example.org", "anna@example.org", "berg@example.org"]));
        assert_eq!(values[&Field::Languages], list(&["Français", "Deutsch"]));
        assert_eq!(values[&Field::Name], Value::Text("Anna Berg".into()));
        assert!(!values.contains_key(&Field::MergedInto));
    }

    #[test]
    fn a_chosen_value_replaces_the_default_for_its_field_only() {
        let a = person("Anna Berg", &["anna@example.org"], &[]);
        let b = person("Anna M. Berg", &["berg@example.org"], &[]);
        let choices = BTreeMap::from([(Field::Name, Choice::Second), (Field::Emails, Choice::First)]);
        let values: BTreeMap<Field, Value> = merge_values(&a, &b, &choices, ["A", "B"]).into_iter().collect();
        assert_eq!(values[&Field::Name], Value::Text("Anna M. Berg".into()));
        assert_eq!(values[&Field::Emails], list(&["anna@example.org"]));
        assert_eq!(values[&Field::Phones], list(&[]));
    }

    #[test]
    fn both_notes_are_kept_each_under_who_recorded_it() {
        let mut a = person("Karin Wöber", &[], &[]);
        a.notes = "Prefers German.".into();
        let mut b = person("Karin Woeber", &[], &[]);
        b.notes = "Met at EUFOR HQ.".into();
        assert!(offers_both(Field::Notes) && !offers_both(Field::Title));
        assert_eq!(default_choice(&a, &b, Field::Notes), Choice::Both);
        let values: BTreeMap<Field, Value> =
            merge_values(&a, &b, &BTreeMap::new(), ["Hptm Caflisch, 1 Dec", "Maj Huber, 2 Dec"]).into_iter().collect();
        assert_eq!(
            values[&Field::Notes],
            Value::Text("Hptm Caflisch, 1 Dec:\nPrefers German.\n\nMaj Huber, 2 Dec:\nMet at EUFOR HQ.".into())
        );
    }

    #[test]
    fn the_name_not_kept_becomes_an_alias_with_both_contacts_aliases() {
        let mut a = person("Oleksandr Kovalenko", &[], &[]);
        a.aliases = vec!["Sasha Kovalenko".into()];
        let mut b = person("Олександр Коваленко", &[], &[]);
        b.aliases = vec!["Alexander Kowalenko".into(), "sasha  kovalenko".into()];
        let values: BTreeMap<Field, Value> = merge_values(&a, &b, &BTreeMap::new(), ["A", "B"]).into_iter().collect();
        assert_eq!(values[&Field::Name], Value::Text("Oleksandr Kovalenko".into()));
        // The Cyrillic name folds to the kept one, but is another spelling people search by.
        assert_eq!(values[&Field::Aliases], list(&["Sasha Kovalenko", "Alexander Kowalenko"]));
        let c = person("Alexander Kowalenko", &[], &[]);
        let choices = BTreeMap::from([(Field::Name, Choice::Second)]);
        let values: BTreeMap<Field, Value> = merge_values(&a, &c, &choices, ["A", "B"]).into_iter().collect();
        assert_eq!(values[&Field::Aliases], list(&["Sasha Kovalenko", "Oleksandr Kovalenko"]));
    }

    #[test]
    fn a_contact_was_recorded_by_its_oldest_stamp_even_after_a_merge_was_taken_back() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let a = contact(&mut nb, 1, "Anna Berg", "", "");
        let b = contact(&mut nb, 2, "Anna Berg", "", "");
        nb.merge_contacts(a, b, Vec::new(), 9_000).unwrap();
        nb.unmerge_contacts(a, b, Vec::new(), 9_500).unwrap();
        assert_eq!(recorded(&nb, b).map(|(_, when)| when), Some(2_000), "the name, written before the merge");
    }

    #[test]
    fn identical_values_are_no_choice() {
        let a = person("Anna Berg", &["anna@example.org"], &[]);
        let b = person("Anna Berg", &["anna@example.org"], &["+47 555 12345"]);
        assert!(!differs(&a, &b, Field::Name));
        assert!(!differs(&a, &b, Field::Emails));
        assert!(differs(&a, &b, Field::Phones));
    }

    #[test]
    fn near_names_and_aliases_are_suggested_and_far_ones_not() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let a = contact(&mut nb, 1, "Oleksandr Kovalenko", "", "");
        let b = contact(&mut nb, 2, "Oleksandr Kowalenko", "", "");
        let c = contact(&mut nb, 3, "Karin Wöber", "", "");
        let d = contact(&mut nb, 4, "Karin Woeber", "", "");
        let e = contact(&mut nb, 5, "Anna Berg", "", "");
        let f = contact(&mut nb, 6, "Anna Bergström", "", "");
        nb.set(e, Field::Aliases, Value::List(vec!["Anna Bergstrom".into()]), 2_500).unwrap();
        let _g = contact(&mut nb, 7, "Anna Borg", "", "");
        let found = candidates(&nb, &BTreeSet::new());
        let pairs: BTreeMap<(RecordId, RecordId), Vec<Reason>> =
            found.into_iter().map(|c| ((c.a, c.b), c.reasons)).collect();
        assert_eq!(
            pairs.get(&(a, b)),
            Some(&vec![Reason::SimilarName("oleksandr kovalenko".into(), "oleksandr kowalenko".into())])
        );
        assert_eq!(pairs.get(&(c, d)), Some(&vec![Reason::SameName("karin wober".into())]));
        assert_eq!(pairs.get(&(e, f)), Some(&vec![Reason::SameName("anna bergstrom".into())]));
        assert_eq!(pairs.len(), 3, "Anna Berg and Anna Borg are one slip apart but too short to forgive: {pairs:?}");
    }
}
