use super::*;
use crate::crdt::id::DeviceId;
use crate::model::DeviceProfile;
use crate::schema::Value;

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn today() -> Date {
    Date::parse("2026-03-10").unwrap()
}

/// A notebook with two meetings (one involving Austria through a participant) and a set of actions.
struct Fixture {
    nb: Notebook,
    staff_talks: RecordId,
    visit: RecordId,
    n: u8,
}

impl Fixture {
    fn new() -> Self {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let austrian = nb.create(Kind::Contact, 1_000, [2; 10]);
        nb.set(austrian, Field::Name, text("Hptm Wöber"), 1_001).unwrap();
        nb.set(austrian, Field::Nation, text("Austria"), 1_001).unwrap();
        let staff_talks = nb.create(Kind::Meeting, 1_002, [3; 10]);
        nb.set(staff_talks, Field::Title, text("Staff talks"), 1_003).unwrap();
        nb.set(staff_talks, Field::Date, text("2026-03-01"), 1_003).unwrap();
        nb.set(staff_talks, Field::Participants, Value::List(vec![austrian.to_string()]), 1_003).unwrap();
        let visit = nb.create(Kind::Meeting, 1_004, [4; 10]);
        nb.set(visit, Field::Title, text("Site visit"), 1_005).unwrap();
        Fixture { nb, staff_talks, visit, n: 10 }
    }

    fn action(&mut self, meeting: RecordId, what: &str, owner: &str, due: &str, done: bool) -> RecordId {
        self.n += 1;
        let a = self.nb.create(Kind::Action, 2_000 + u64::from(self.n), [self.n; 10]);
        self.nb.set(a, Field::Text, text(what), 3_000).unwrap();
        self.nb.set(a, Field::Meeting, text(&meeting.to_string()), 3_000).unwrap();
        self.nb.set(a, Field::Owner, text(owner), 3_000).unwrap();
        self.nb.set(a, Field::Due, text(due), 3_000).unwrap();
        self.nb.set(a, Field::Done, Value::Bool(done), 3_000).unwrap();
        a
    }

    fn groups(&self, f: &FollowUpFilter) -> Vec<(Group, Vec<RecordId>)> {
        f.groups(&self.nb, "Lt Col Ana Ruiz", today()).into_iter().map(|g| (g.group, g.ids)).collect()
    }
}

#[test]
fn open_actions_fall_into_overdue_this_week_and_later_by_due_date() {
    let mut fx = Fixture::new();
    let (s, v) = (fx.staff_talks, fx.visit);
    let undated = fx.action(s, "Undated", "", "", false);
    let later = fx.action(s, "Later", "", "2026-03-17", false);
    let sunday = fx.action(v, "Last day of the week", "", "2026-03-16", false);
    let today_one = fx.action(v, "Today", "", "2026-03-10", false);
    let yesterday = fx.action(s, "Yesterday", "", "2026-03-09", false);
    let long_ago = fx.action(s, "Long ago", "", "2026-01-02", false);
    let wordy = fx.action(s, "Wordy", "", "after the exercise", false);
    fx.action(s, "Done", "", "2026-03-01", true);
    assert_eq!(
        fx.groups(&FollowUpFilter::default()),
        vec![
            (Group::Overdue, vec![long_ago, yesterday]),
            (Group::ThisWeek, vec![today_one, sunday]),
            (Group::Later, vec![later, undated, wordy]),
        ]
    );
}

#[test]
fn completed_actions_are_a_group_of_their_own_only_when_asked_for() {
    let mut fx = Fixture::new();
    let s = fx.staff_talks;
    let open = fx.action(s, "Open", "", "2026-03-20", false);
    let old = fx.action(s, "Done long ago", "", "2026-02-01", true);
    let recent = fx.action(s, "Done lately", "", "2026-03-08", true);
    let all = FollowUpFilter { completed: true, ..Default::default() };
    let groups = fx.groups(&all);
    assert_eq!(groups.len(), 4);
    assert_eq!(groups[2], (Group::Later, vec![open]));
    assert_eq!(groups[3], (Group::Completed, vec![recent, old]), "the latest due first");
    assert!(fx.groups(&FollowUpFilter::default()).iter().all(|(_, ids)| !ids.contains(&old)));
}

#[test]
fn mine_keeps_the_actions_of_this_devices_officer_whatever_the_spelling() {
    let mut fx = Fixture::new();
    let s = fx.staff_talks;
    let mine = fx.action(s, "Mine", "lt col ANA Ruiz ", "2026-03-11", false);
    fx.action(s, "Theirs", "Maj Ben Hale", "2026-03-11", false);
    fx.action(s, "Nobody's", "", "2026-03-11", false);
    let f = FollowUpFilter { mine: true, ..Default::default() };
    assert_eq!(fx.groups(&f)[1], (Group::ThisWeek, vec![mine]));
    let nameless = f.groups(&fx.nb, "  ", today());
    assert!(nameless.iter().all(|g| g.ids.is_empty()), "an officer without a name owns nothing");
}

#[test]
fn owner_nation_and_meeting_filters_all_have_to_match() {
    let mut fx = Fixture::new();
    let (s, v) = (fx.staff_talks, fx.visit);
    let ben_talks = fx.action(s, "Ben at the talks", "Maj Ben Hale", "2026-03-20", false);
    let ben_visit = fx.action(v, "Ben on the visit", "maj ben hale", "2026-03-20", false);
    let ana_talks = fx.action(s, "Ana at the talks", "Ana", "2026-03-20", false);
    let later = |f: &FollowUpFilter| fx.groups(f)[2].1.clone();
    let ben = FollowUpFilter { owner: Some("MAJ BEN HALE".into()), ..Default::default() };
    assert_eq!(later(&ben), vec![ben_talks, ben_visit]);
    let austria = FollowUpFilter { nation: Some("austria".into()), ..Default::default() };
    assert_eq!(later(&austria), vec![ben_talks, ana_talks], "a participant's nation is the meeting's");
    let ben_in_austria = FollowUpFilter { nation: Some("Austria".into()), ..ben.clone() };
    assert_eq!(later(&ben_in_austria), vec![ben_talks]);
    let the_visit = FollowUpFilter { meeting: Some(v), ..Default::default() };
    assert_eq!(later(&the_visit), vec![ben_visit]);
}

#[test]
fn an_action_naming_a_contact_of_the_nation_passes_the_nation_filter() {
    let mut fx = Fixture::new();
    let v = fx.visit;
    let swiss = fx.nb.create(Kind::Contact, 5_000, [90; 10]);
    fx.nb.set(swiss, Field::Nation, text("Switzerland"), 5_001).unwrap();
    let a = fx.action(v, "Call the Swiss", "", "", false);
    fx.nb.set(a, Field::Contact, text(&swiss.to_string()), 5_002).unwrap();
    fx.action(v, "Something else", "", "", false);
    let f = FollowUpFilter { nation: Some("switzerland".into()), ..Default::default() };
    assert_eq!(fx.groups(&f)[2].1, vec![a]);
}

#[test]
fn actions_of_deleted_meetings_are_not_listed() {
    let mut fx = Fixture::new();
    let v = fx.visit;
    fx.action(v, "Gone with the meeting", "", "2026-03-01", false);
    fx.nb.delete(v, 9_000).unwrap();
    assert!(fx.groups(&FollowUpFilter { completed: true, ..Default::default() }).iter().all(|(_, ids)| ids.is_empty()));
    assert!(follow_up_owners(&fx.nb).is_empty());
    assert!(follow_up_meetings(&fx.nb).is_empty());
}

#[test]
fn the_filter_goes_into_the_url_and_comes_back_unchanged() {
    let f = FollowUpFilter {
        mine: true,
        owner: Some("Hptm Wöber".into()),
        nation: Some("Austria".into()),
        meeting: Some(RecordId::new_v7(7, [7; 10])),
        completed: true,
    };
    let pairs = f.to_query_pairs();
    assert_eq!(FollowUpFilter::from_query_pairs(&pairs), f);
    assert!(f.to_query_string().starts_with("mine=1&owner=Hptm%20W%C3%B6ber&nation=Austria&meeting="));
    assert!(f.to_query_string().ends_with("&completed=1"));
    assert_eq!(FollowUpFilter::default().to_query_string(), "");
}

#[test]
fn bad_follow_up_parameters_are_ignored() {
    let pairs: Vec<(String, String)> =
        [("mine", "no"), ("meeting", "not-an-id"), ("owner", "  "), ("completed", "TRUE")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    assert_eq!(FollowUpFilter::from_query_pairs(&pairs), FollowUpFilter { completed: true, ..Default::default() });
    assert!(!FollowUpFilter { completed: true, ..Default::default() }.narrows());
}

#[test]
fn owner_choices_offer_the_officer_known_officers_contacts_and_owners_already_typed() {
    let mut fx = Fixture::new();
    let s = fx.staff_talks;
    fx.action(s, "Typed by hand", "The embassy", "", false);
    fx.action(s, "Same officer", "lt col ana ruiz", "", false);
    fx.nb.learn_devices([DeviceProfile {
        id: DeviceId::new_v7(5, [5; 10]),
        label: "Field laptop".into(),
        officer: "Maj Ben Hale".into(),
    }]);
    let choices = owner_choices(&fx.nb, "Lt Col Ana Ruiz");
    assert_eq!(choices.len(), 4, "{choices:?}");
    for name in ["Hptm Wöber", "Maj Ben Hale", "The embassy"] {
        assert!(choices.iter().any(|c| c == name), "{name} in {choices:?}");
    }
    assert!(choices.iter().any(|c| text::same(c, "Lt Col Ana Ruiz")), "the officer once, however spelt");
}

#[test]
fn meeting_choices_are_the_meetings_with_actions_newest_first_with_their_dates() {
    let mut fx = Fixture::new();
    let (s, v) = (fx.staff_talks, fx.visit);
    fx.action(s, "One", "", "", false);
    fx.action(v, "Two", "", "", true);
    fx.action(s, "Three", "", "", false);
    assert_eq!(
        follow_up_meetings(&fx.nb),
        vec![(s, "1 Mar 2026 · Staff talks".to_string()), (v, "Site visit".to_string())]
    );
}

#[test]
fn this_week_is_today_and_the_six_days_after() {
    let t = today();
    assert_eq!(Group::of(Some(t.add_days(-1)), t), Group::Overdue);
    assert_eq!(Group::of(Some(t), t), Group::ThisWeek);
    assert_eq!(Group::of(Some(t.add_days(THIS_WEEK_DAYS - 1)), t), Group::ThisWeek);
    assert_eq!(Group::of(Some(t.add_days(THIS_WEEK_DAYS)), t), Group::Later);
    assert_eq!(Group::of(None, t), Group::Later);
}
