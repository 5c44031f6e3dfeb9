use super::*;
use crate::crdt::id::DeviceId;
use crate::schema::{Kind, Value};

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn today() -> Date {
    Date::parse("2026-03-10").unwrap()
}

struct Fixture {
    nb: Notebook,
    n: u8,
}

impl Fixture {
    fn new() -> Self {
        Fixture { nb: Notebook::new(DeviceId::new_v7(0, [1; 10])), n: 10 }
    }

    fn contact(&mut self, name: &str, organisation: &str, nation: &str) -> RecordId {
        self.n += 1;
        let c = self.nb.create(Kind::Contact, 1_000 + u64::from(self.n), [self.n; 10]);
        self.nb.set(c, Field::Name, text(name), 2_000).unwrap();
        self.nb.set(c, Field::Organisation, text(organisation), 2_000).unwrap();
        self.nb.set(c, Field::Nation, text(nation), 2_000).unwrap();
        c
    }

    fn meeting(&mut self, date: &str, people: &[RecordId]) -> RecordId {
        self.n += 1;
        let m = self.nb.create(Kind::Meeting, 1_000 + u64::from(self.n), [self.n; 10]);
        self.nb.set(m, Field::Date, text(date), 2_000).unwrap();
        self.nb
            .set(m, Field::Participants, Value::List(people.iter().map(|p| p.to_string()).collect()), 2_000)
            .unwrap();
        m
    }

    fn order(&self, sort: ContactSort) -> Vec<RecordId> {
        ContactTable::new(&self.nb, &ListFilter::default(), sort, today()).ids
    }
}

fn by(column: ContactColumn, descending: bool) -> ContactSort {
    ContactSort { column, descending }
}

#[test]
fn last_met_is_the_newest_meeting_by_today_and_agrees_with_the_contact_page() {
    let mut fx = Fixture::new();
    let ana = fx.contact("Ana", "", "");
    let ben = fx.contact("Ben", "", "");
    let never = fx.contact("Nobody", "", "");
    fx.meeting("2026-01-05", &[ana, ben]);
    fx.meeting("2026-03-02", &[ana]);
    fx.meeting("2026-04-01", &[ana, ben]);
    fx.meeting("", &[ben]);
    let met = last_met_by_contact(&fx.nb, today());
    assert_eq!(met.get(&ana), Date::parse("2026-03-02").ok().as_ref());
    assert_eq!(met.get(&ben), Date::parse("2026-01-05").ok().as_ref(), "a meeting after today is not met yet");
    assert_eq!(met.get(&never), None);
    for c in [ana, ben, never] {
        assert_eq!(met.get(&c).copied(), fx.nb.last_met(c, today()));
    }
}

#[test]
fn last_met_counts_meetings_of_a_duplicate_merged_into_the_contact() {
    let mut fx = Fixture::new();
    let keep = fx.contact("Oleksandr Kovalenko", "", "");
    let gone = fx.contact("Kowalenko", "", "");
    fx.meeting("2026-03-05", &[gone]);
    fx.nb.merge_contacts(keep, gone, vec![], 9_000).unwrap();
    let met = last_met_by_contact(&fx.nb, today());
    assert_eq!(met.get(&keep), Date::parse("2026-03-05").ok().as_ref());
    assert_eq!(met.get(&gone), None);
}

#[test]
fn sorting_by_last_met_puts_the_latest_first_and_those_never_met_last_either_way() {
    let mut fx = Fixture::new();
    let old = fx.contact("Old", "", "");
    let never = fx.contact("Never", "", "");
    let recent = fx.contact("Recent", "", "");
    fx.meeting("2026-01-05", &[old]);
    fx.meeting("2026-03-09", &[recent]);
    let first = ContactSort::default().choose(ContactColumn::LastMet);
    assert_eq!(first, by(ContactColumn::LastMet, true));
    assert_eq!(fx.order(first), vec![recent, old, never]);
    assert_eq!(fx.order(first.choose(ContactColumn::LastMet)), vec![old, recent, never]);
}

#[test]
fn sorting_a_text_column_folds_it_and_keeps_blanks_last() {
    let mut fx = Fixture::new();
    let zurich = fx.contact("Anna", "Zürich Police", "CHE");
    let blank = fx.contact("Bert", "", "AUT");
    let oebh = fx.contact("Carl", "Österreichisches Bundesheer", "aut");
    let nato = fx.contact("Dora", "nato", "BEL");
    assert_eq!(fx.order(by(ContactColumn::Organisation, false)), vec![nato, oebh, zurich, blank]);
    assert_eq!(fx.order(by(ContactColumn::Organisation, true)), vec![zurich, oebh, nato, blank]);
    assert_eq!(fx.order(by(ContactColumn::Nation, false)), vec![blank, oebh, nato, zurich], "ties by name");
    assert_eq!(fx.order(by(ContactColumn::Name, true)), vec![nato, oebh, blank, zurich]);
}

#[test]
fn the_table_sorts_only_the_contacts_the_filter_passes() {
    let mut fx = Fixture::new();
    let a = fx.contact("Anna", "", "AUT");
    fx.contact("Bert", "", "CHE");
    let c = fx.contact("Carl", "", "Austria ");
    fx.nb.set(c, Field::Nation, text("aut"), 3_000).unwrap();
    let f = ListFilter { nation: Some("AUT".into()), ..Default::default() };
    let table = ContactTable::new(&fx.nb, &f, by(ContactColumn::Name, true), today());
    assert_eq!(table.ids, vec![c, a]);
}

#[test]
fn the_order_goes_into_the_url_and_the_default_leaves_it_clean() {
    assert!(ContactSort::default().to_query_pairs().is_empty());
    for column in ContactColumn::ALL {
        for descending in [false, true] {
            let s = by(column, descending);
            assert_eq!(ContactSort::from_query_pairs(&s.to_query_pairs()), s);
        }
    }
    let odd = [("sort".to_string(), "shoe size".to_string()), ("dir".to_string(), "sideways".to_string())];
    assert_eq!(ContactSort::from_query_pairs(&odd), ContactSort::default());
    let only_column = [("sort".to_string(), "last-met".to_string())];
    assert_eq!(ContactSort::from_query_pairs(&only_column), by(ContactColumn::LastMet, true));
}

#[test]
fn aria_sort_names_the_direction_of_the_sorted_column_only() {
    let s = by(ContactColumn::Nation, true);
    assert_eq!(s.aria(ContactColumn::Nation), "descending");
    assert_eq!(s.aria(ContactColumn::Name), "none");
    assert_eq!(ContactSort::default().aria(ContactColumn::Name), "ascending");
}

#[test]
fn the_count_says_how_many_of_how_many() {
    assert_eq!(count_phrase(42, 42, "contact", "contacts"), "42 contacts");
    assert_eq!(count_phrase(1, 1, "contact", "contacts"), "1 contact");
    assert_eq!(count_phrase(3, 42, "contact", "contacts"), "3 of 42 contacts");
    assert_eq!(count_phrase(0, 1, "contact", "contacts"), "0 of 1 contact");
}

#[test]
fn phone_links_keep_the_digits_and_a_leading_plus() {
    assert_eq!(tel_uri(" +43 (1) 5200-12345 ").as_deref(), Some("tel:+431520012345"));
    assert_eq!(tel_uri("0664 123 45 67").as_deref(), Some("tel:06641234567"));
    assert_eq!(tel_uri("ask the front desk"), None);
}

#[test]
fn email_links_need_an_at_between_two_parts_and_are_encoded() {
    assert_eq!(mailto_uri(" j.mueller+eu@bmlv.gv.at ").as_deref(), Some("mailto:j.mueller+eu@bmlv.gv.at"));
    assert_eq!(mailto_uri("o'brien@example.ie").as_deref(), Some("mailto:o%27brien@example.ie"));
    assert_eq!(mailto_uri("someone.example.org"), None);
    assert_eq!(mailto_uri("@example.org"), None);
}
