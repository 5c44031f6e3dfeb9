//! The protocol suite, against a real hub on 127.0.0.1 with a real SQLite file (tests/common).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{now_ms, pull_ids, records_of, start, start_beside, Officer};
use liaison_core::formats::bundle::Scope;
use liaison_core::marking::Ceiling;
use liaison_core::{Field, Kind, RecordId};
use liaison_hub::server::{Config, Rate};
use liaison_hub::sync::{self, PageLimits, Role};

const TEAM: &str = "north";

fn pushed(a: &liaison_hub::client::Answer) -> (u16, String) {
    (a.status, a.json()["status"].as_str().or(a.json()["error"].as_str()).unwrap_or_default().to_string())
}

#[test]
fn a_pushed_bundle_reaches_every_other_device_of_the_team_and_not_its_own() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(1, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    let bo = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::All, None);
    let id = anna.create(Kind::Contact, &[(Field::Name, "Ilse Vogt")]);
    let a = anna.push_changes(&c, TEAM).unwrap_or_default();
    assert_eq!(pushed(&a), (200, "applied".into()), "{}", a.body);
    assert_eq!(a.json()["next_sequence"], 2);

    let page = c.pull(&bo, TEAM, None, 0, None).unwrap_or_default();
    assert_eq!(page.status, 200);
    let records = records_of(&page);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, id);
    assert_eq!(records[0].text("name"), "Ilse Vogt");
    // Anna pushed exactly that state: she has seen it, and one round trip says she is in sync.
    let own = c.pull(&anna.token, TEAM, None, 0, None).unwrap_or_default();
    assert_eq!(own.status, 204);
    assert!(!own.more);
    let me = c.me(&anna.token).unwrap_or_default().json();
    assert_eq!((me["team"].as_str(), me["next_sequence"].as_u64()), (Some(TEAM), Some(2)));
}

#[test]
fn a_replayed_bundle_and_identical_parallel_pushes_are_applied_exactly_once() {
    let hub = start(Config::default());
    let mut anna = Officer::new(2, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    anna.create(Kind::Contact, &[(Field::Name, "One")]);
    let first = anna.export(Scope::Changes);
    let c = hub.client();
    let statuses: Vec<_> =
        (0..3).map(|_| pushed(&c.push(&anna.token, TEAM, first.as_bytes()).unwrap_or_default())).collect();
    assert_eq!(statuses, [(200, "applied".into()), (200, "repeat".into()), (200, "repeat".into())]);

    anna.create(Kind::Contact, &[(Field::Name, "Two")]);
    let second = anna.export(Scope::Changes);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (url, token, body) = (hub.url.clone(), anna.token.clone(), second.clone());
            std::thread::spawn(move || {
                pushed(&liaison_hub::client::Client::new(&url).push(&token, TEAM, body.as_bytes()).unwrap_or_default())
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap_or_default()).collect();
    assert_eq!(results.iter().filter(|r| **r == (200, "applied".to_string())).count(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| **r == (200, "repeat".to_string())).count(), 7, "{results:?}");
    // Two pushes applied: the team is at position 2, and holds the two records once each.
    let bo = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::All, None);
    let page = c.pull(&bo, TEAM, None, 0, None).unwrap_or_default();
    assert_eq!(records_of(&page).len(), 2);
    assert_eq!(page.cursor.as_deref(), Some("3"));
}

#[test]
fn a_gap_is_refused_with_the_expected_sequence_and_a_bundle_of_everything_may_skip_ahead() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(3, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    anna.create(Kind::Contact, &[(Field::Name, "One")]);
    let one = anna.export(Scope::Changes);
    anna.create(Kind::Contact, &[(Field::Name, "Two")]);
    let _lost = anna.export(Scope::Changes);
    anna.create(Kind::Contact, &[(Field::Name, "Three")]);
    let three = anna.export(Scope::Changes);
    assert_eq!(pushed(&c.push(&anna.token, TEAM, one.as_bytes()).unwrap_or_default()).0, 200);
    let gap = c.push(&anna.token, TEAM, three.as_bytes()).unwrap_or_default();
    assert_eq!(pushed(&gap), (409, "gap".into()));
    assert_eq!(gap.json()["expected"], 2);
    let all = anna.export(Scope::All);
    let a = c.push(&anna.token, TEAM, all.as_bytes()).unwrap_or_default();
    assert_eq!(pushed(&a), (200, "applied".into()), "{}", a.body);
    assert_eq!(a.json()["next_sequence"], 5);
    assert_eq!(a.json()["changed"], 2);
}

#[test]
fn another_bundle_at_a_taken_sequence_is_refused_as_two_devices_sharing_an_id() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(4, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    anna.create(Kind::Contact, &[(Field::Name, "Here")]);
    let mine = anna.export(Scope::Changes);
    // A copied profile: the same device id and sequence, other edits.
    let mut clone = Officer::new(4, "Anna Berg");
    clone.dev = anna.dev.clone();
    clone.create(Kind::Contact, &[(Field::Name, "There")]);
    let theirs = clone.export(Scope::Changes);
    assert_eq!(pushed(&c.push(&anna.token, TEAM, mine.as_bytes()).unwrap_or_default()).0, 200);
    let a = c.push(&anna.token, TEAM, theirs.as_bytes()).unwrap_or_default();
    assert_eq!(pushed(&a), (409, "shared-id".into()));
    assert!(a.message().contains("two devices share this id"), "{}", a.message());
}

#[test]
fn every_page_size_delivers_every_record_exactly_once() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(5, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    let mut all = BTreeSet::new();
    // Several pushes, some records edited again later: positions hold several records, some records move.
    for round in 0..4 {
        for k in 0..3 {
            all.insert(anna.create(Kind::Contact, &[(Field::Name, &format!("c{round}{k}"))]));
        }
        if let Some(first) = all.iter().next().copied() {
            anna.set(first, Field::Notes, &format!("edited in round {round}"));
        }
        assert_eq!(pushed(&anna.push_changes(&c, TEAM).unwrap_or_default()).0, 200);
    }
    let bo = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::All, None);
    for max in 1..=all.len() + 1 {
        let (ids, pages) = pull_ids(&c, &bo, TEAM, Some(max));
        let unique: BTreeSet<RecordId> = ids.iter().copied().collect();
        assert_eq!(ids.len(), all.len(), "page size {max}: a record came twice or not at all");
        assert_eq!(unique, all, "page size {max}");
        assert_eq!(pages, all.len().div_ceil(max), "page size {max}");
    }
}

#[test]
fn pages_keep_to_the_byte_limit_unless_one_record_alone_is_larger() {
    let hub = start(Config { page: PageLimits { bytes: 2_000, records: 1_000 }, ..Config::default() });
    let c = hub.client();
    let mut anna = Officer::new(6, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    let mut all = BTreeSet::new();
    for k in 0..30 {
        let notes = if k == 7 { "x".repeat(5_000) } else { format!("note {k}") };
        all.insert(anna.create(Kind::Contact, &[(Field::Name, &format!("c{k}")), (Field::Notes, &notes)]));
    }
    assert_eq!(pushed(&anna.push_changes(&c, TEAM).unwrap_or_default()).0, 200);
    let bo = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::All, None);
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let a = c.pull(&bo, TEAM, cursor.as_deref(), 0, None).unwrap_or_default();
        let records = records_of(&a);
        assert!(
            a.body.len() <= 2_000 || records.len() == 1,
            "a page of {} bytes holds {}",
            a.body.len(),
            records.len()
        );
        seen.extend(records.iter().map(|r| r.id));
        cursor = a.cursor.clone();
        if !a.more {
            break;
        }
    }
    assert_eq!(seen.len(), all.len());
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), all);
}

#[test]
fn the_cursor_brings_only_what_changed_and_a_waiting_pull_wakes_on_a_push() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(7, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    let bo = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::All, None);
    let first = anna.create(Kind::Contact, &[(Field::Name, "One")]);
    let second = anna.create(Kind::Contact, &[(Field::Name, "Two")]);
    anna.push_changes(&c, TEAM).unwrap_or_default();
    let (_, cursor) = c.pull_all(&bo, TEAM, None).unwrap_or_default();
    assert_eq!(c.pull(&bo, TEAM, Some(&cursor), 0, None).unwrap_or_default().status, 204);

    let (url, bo2, cursor2) = (hub.url.clone(), bo.clone(), cursor.clone());
    let waiting = std::thread::spawn(move || {
        liaison_hub::client::Client::new(&url).pull(&bo2, TEAM, Some(&cursor2), 30, None).unwrap_or_default()
    });
    std::thread::sleep(Duration::from_millis(200));
    anna.set(second, Field::Notes, "met again");
    anna.push_changes(&c, TEAM).unwrap_or_default();
    let woke = waiting.join().unwrap_or_default();
    assert_eq!(woke.status, 200, "{}", woke.body);
    let records = records_of(&woke);
    assert_eq!(records.iter().map(|r| r.id).collect::<Vec<_>>(), [second]);
    assert_eq!(records[0].text("notes"), "met again");
    assert_ne!(first, second);
}

#[test]
fn a_device_never_receives_a_record_above_its_marking_ceiling() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(8, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    let low = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::Restricted, None);
    let open = anna.create(Kind::Contact, &[(Field::Name, "Open")]);
    let secret_contact = anna.create(Kind::Contact, &[(Field::Name, "Hidden"), (Field::Marking, "SECRET")]);
    let restricted = anna.create(Kind::Meeting, &[(Field::Title, "Talks"), (Field::Marking, "RESTRICTED")]);
    let restricted_action =
        anna.create(Kind::Action, &[(Field::Text, "Call"), (Field::Meeting, &restricted.to_string())]);
    let secret = anna.create(Kind::Meeting, &[(Field::Title, "Plans"), (Field::Marking, "SECRET")]);
    let secret_action = anna.create(Kind::Action, &[(Field::Text, "Brief"), (Field::Meeting, &secret.to_string())]);
    let orphan = anna.create(Kind::Action, &[(Field::Text, "Orphan")]);
    anna.push_changes(&c, TEAM).unwrap_or_default();

    let (got, _) = pull_ids(&c, &low, TEAM, None);
    let got: BTreeSet<_> = got.into_iter().collect();
    assert_eq!(got, BTreeSet::from([open, restricted, restricted_action]));
    for hidden in [secret_contact, secret, secret_action, orphan] {
        assert!(!got.contains(&hidden));
    }
    // Lowered later, the meeting and its action come, in the next pull.
    let (_, cursor) = c.pull_all(&low, TEAM, None).unwrap_or_default();
    anna.set(secret, Field::Marking, "RESTRICTED");
    anna.push_changes(&c, TEAM).unwrap_or_default();
    let a = c.pull(&low, TEAM, Some(&cursor), 0, None).unwrap_or_default();
    let now: BTreeSet<_> = records_of(&a).into_iter().map(|r| r.id).collect();
    assert_eq!(now, BTreeSet::from([secret, secret_action]));
}

#[test]
fn tokens_teams_revocation_and_codes_are_checked_on_every_request() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(9, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    anna.create(Kind::Contact, &[(Field::Name, "One")]);
    let bundle = anna.export(Scope::Changes);
    let south = hub.enrol("south", "Sam Ek", Role::Coordinator, Ceiling::All, None);

    let status = |a: Result<liaison_hub::client::Answer, String>| a.map(|a| a.status).unwrap_or(0);
    assert_eq!(status(c.pull("", TEAM, None, 0, None)), 401);
    assert_eq!(status(c.pull("lh1_0000", TEAM, None, 0, None)), 401);
    assert_eq!(status(c.me("not a token")), 401);
    // Another team's data: its path, and its devices' bundles.
    assert_eq!(status(c.pull(&south, TEAM, None, 0, None)), 403);
    assert_eq!(status(c.push(&south, TEAM, bundle.as_bytes())), 403);
    assert_eq!(status(c.push(&south, "south", bundle.as_bytes())), 403);
    // An officer pushes only its own device's bundles.
    let bo = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::All, None);
    assert_eq!(status(c.push(&bo, TEAM, bundle.as_bytes())), 403);
    assert_eq!(status(c.push(&anna.token, TEAM, bundle.as_bytes())), 200);

    // Revocation works at the next request.
    assert!(sync::revoke(&hub.store(), &anna.dev.id.to_string(), now_ms()).unwrap_or(false));
    let a = c.pull(&anna.token, TEAM, None, 0, None).unwrap_or_default();
    assert_eq!((a.status, a.json()["error"].as_str()), (401, Some("revoked")));

    // Codes: unknown, used, expired.
    let code = hub.invite(TEAM, "Cai Nor", Role::Officer, Ceiling::All);
    assert_eq!(status(c.enrol("AAAAA-BBBBB-CCCCC-DDDDD", None, None)), 401);
    assert_eq!(status(c.enrol(&code.to_lowercase(), None, None)), 201);
    assert_eq!(status(c.enrol(&code, None, None)), 410);
    let expired =
        sync::invite(&hub.store(), TEAM, "Dag Ul", Role::Officer, Ceiling::All, 1, now_ms() - 10).unwrap_or_default();
    let a = c.enrol(&expired, None, None).unwrap_or_default();
    assert_eq!((a.status, a.json()["error"].as_str()), (410, Some("expired-code")));
}

#[test]
fn a_coordinator_relays_its_officers_bundles_in_their_own_sequence() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(10, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    let coordinator = hub.enrol(TEAM, "Cai Nor", Role::Coordinator, Ceiling::All, None);
    anna.create(Kind::Contact, &[(Field::Name, "By USB stick")]);
    let by_hand = anna.export(Scope::Changes);
    let a = c.push(&coordinator, TEAM, by_hand.as_bytes()).unwrap_or_default();
    assert_eq!(pushed(&a), (200, "applied".into()), "{}", a.body);
    assert_eq!(a.json()["device"].as_str(), Some(anna.dev.id.to_string().as_str()));
    // Anna's own push of the same bundle is a repeat; her next one follows it.
    assert_eq!(pushed(&c.push(&anna.token, TEAM, by_hand.as_bytes()).unwrap_or_default()), (200, "repeat".into()));
    anna.create(Kind::Contact, &[(Field::Name, "By network")]);
    let a = anna.push_changes(&c, TEAM).unwrap_or_default();
    assert_eq!((pushed(&a), a.json()["sequence"].as_u64()), ((200, "applied".into()), Some(2)));
    // A coordinator of another team may not relay this team's officer.
    let south = hub.enrol("south", "Sam Ek", Role::Coordinator, Ceiling::All, None);
    anna.create(Kind::Contact, &[(Field::Name, "Elsewhere")]);
    assert_eq!(c.push(&south, "south", anna.export(Scope::Changes).as_bytes()).map(|a| a.status), Ok(403));
}

#[test]
fn a_body_over_the_limit_gets_413_and_too_many_requests_get_429_with_retry_after() {
    let hub = start(Config { body_limit: 4_000, rate: Rate { per_second: 0.01, burst: 3.0 }, ..Config::default() });
    let c = hub.client();
    let mut anna = Officer::new(11, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    anna.create(Kind::Contact, &[(Field::Name, "Big"), (Field::Notes, &"x".repeat(10_000))]);
    let big = anna.export(Scope::Changes);
    assert_eq!(c.push(&anna.token, TEAM, big.as_bytes()).map(|a| a.status), Ok(413));
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(c.me(&anna.token).unwrap_or_default());
    }
    let last = answers.last().cloned().unwrap_or_default();
    assert_eq!(answers.iter().filter(|a| a.status == 200).count(), 3);
    assert_eq!(last.status, 429);
    assert!(last.retry_after.unwrap_or(0) >= 1);
}

#[test]
fn the_api_sends_its_security_headers_and_no_cors_grant() {
    let hub = start(Config::default());
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    for path in ["/healthz", "/v1/me", "/v1/nothing"] {
        let resp = agent
            .get(format!("{}{path}", hub.url))
            .header("origin", "https://evil.example")
            .call()
            .unwrap_or_else(|e| panic!("{e}"));
        let h = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(h("content-security-policy").contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("referrer-policy"), "no-referrer");
        assert_eq!(h("cache-control"), "no-store");
        assert_eq!(h("access-control-allow-origin"), "");
    }
    let health = hub.client().health().unwrap_or_default();
    assert_eq!((health.status, health.json()["status"].as_str()), (200, Some("ok")));
}

#[test]
fn two_hub_servers_with_nothing_shared_but_the_database_serve_one_team_alike() {
    let first = start(Config::default());
    let second = start_beside(&first, Config::default());
    let clients = [first.client(), second.client()];
    let mut officers: Vec<Officer> = (0..3).map(|i| Officer::new(20 + i, &format!("Officer {i}"))).collect();
    for o in officers.iter_mut() {
        o.token = first.enrol(TEAM, &o.dev.officer.clone(), Role::Officer, Ceiling::All, Some(o.dev.id));
    }
    let mut ids = Vec::new();
    for round in 0..6 {
        for (i, o) in officers.iter_mut().enumerate() {
            ids.push(o.create(Kind::Contact, &[(Field::Name, &format!("r{round} o{i}"))]));
            // What the others pushed, from the other process, then an edit of the first record if it came.
            let (pages, _) = clients[(round + i + 1) % 2].pull_all(&o.token, TEAM, None).unwrap_or_default();
            for p in pages {
                let b = liaison_core::formats::bundle::read_bundle(p.as_bytes(), now_ms());
                for r in b.map(|b| b.records).unwrap_or_default() {
                    o.nb.merge_record(&r, now_ms()).unwrap_or_else(|e| panic!("{e}"));
                }
            }
            if let Some(shared) = ids.first().copied().filter(|id| o.nb.record(*id).is_some()) {
                o.set(shared, Field::Notes, &format!("round {round} by officer {i}"));
            }
            // Each push goes to the other process than the previous one.
            let a = o.push_changes(&clients[(round + i) % 2], TEAM).unwrap_or_default();
            assert_eq!(pushed(&a), (200, "applied".into()), "{}", a.body);
        }
    }
    let observer = first.enrol(TEAM, "Observer", Role::Officer, Ceiling::All, None);
    let picture = |c: &liaison_hub::client::Client| {
        let (pages, cursor) = c.pull_all(&observer, TEAM, None).unwrap_or_default();
        let mut records: Vec<String> = Vec::new();
        for p in pages {
            records.extend(
                liaison_core::formats::bundle::read_bundle(p.as_bytes(), now_ms())
                    .map(|b| b.records)
                    .unwrap_or_default()
                    .iter()
                    .map(liaison_core::formats::wire::encode_record),
            );
        }
        records.sort();
        (records, cursor)
    };
    let (a, b) = (picture(&clients[0]), picture(&clients[1]));
    assert_eq!(a.0.len(), ids.len());
    assert_eq!(a, b);
}

#[test]
fn a_link_to_a_record_of_the_wrong_kind_on_the_hub_is_refused_so_pages_stay_valid() {
    let hub = start(Config::default());
    let c = hub.client();
    let mut anna = Officer::new(30, "Anna Berg");
    anna.token = hub.enrol(TEAM, "Anna Berg", Role::Officer, Ceiling::All, Some(anna.dev.id));
    let contact = anna.create(Kind::Contact, &[(Field::Name, "A contact")]);
    assert_eq!(pushed(&anna.push_changes(&c, TEAM).unwrap_or_default()).0, 200);
    // An action naming the hub's contact as its meeting.
    anna.create(Kind::Action, &[(Field::Text, "Wrong"), (Field::Meeting, &contact.to_string())]);
    let a = anna.push_changes(&c, TEAM).unwrap_or_default();
    assert_eq!(pushed(&a), (422, "invalid-bundle".into()), "{}", a.body);
    assert!(a.body.contains("not a meeting"), "{}", a.body);

    // The other way round: an action names a meeting the hub has not seen, then that id comes as a contact.
    let mut bo = Officer::new(31, "Bo Lind");
    bo.token = hub.enrol(TEAM, "Bo Lind", Role::Officer, Ceiling::All, Some(bo.dev.id));
    let later = bo.create(Kind::Contact, &[(Field::Name, "Not a meeting")]);
    let mut cai = Officer::new(32, "Cai Nor");
    cai.token = hub.enrol(TEAM, "Cai Nor", Role::Officer, Ceiling::All, Some(cai.dev.id));
    cai.create(Kind::Action, &[(Field::Text, "Early"), (Field::Meeting, &later.to_string())]);
    assert_eq!(pushed(&cai.push_changes(&c, TEAM).unwrap_or_default()).0, 200);
    let a = bo.push_changes(&c, TEAM).unwrap_or_default();
    assert_eq!(pushed(&a), (422, "invalid-bundle".into()), "{}", a.body);
    // Nothing of a refused push was applied: an observer sees the contact and Cai's action only.
    let observer = hub.enrol(TEAM, "Observer", Role::Officer, Ceiling::All, None);
    assert_eq!(pull_ids(&c, &observer, TEAM, None).0.len(), 2);
}
