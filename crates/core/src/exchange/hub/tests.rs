use proptest::prelude::*;

use super::*;

fn enrolled(next: u64) -> Enrolled {
    Enrolled {
        token: None,
        team: "north".into(),
        device: "0198e6de-a5ef-71d0-8d5b-010203040501".into(),
        officer: "Anna Berg".into(),
        label: "Field tablet".into(),
        role: "officer".into(),
        max_marking: "restricted".into(),
        next_sequence: next,
    }
}

fn link() -> HubLink {
    HubLink {
        enrolled: enrolled(1),
        token: "lh1_abc".into(),
        cursor: None,
        unacked: None,
        full_push: false,
        last_sync_ms: None,
        stopped: None,
    }
}

fn pending(sequence: u64) -> PendingPush {
    PendingPush::new(
        sequence,
        Scope::Changes,
        3,
        &bytes(sequence),
        ExportState { sequence, last_ms: Some(5), ..ExportState::default() },
    )
}

fn bytes(sequence: u64) -> String {
    format!("bundle {sequence}")
}

fn answer(status: u16, body: &str) -> Answer {
    Answer { status, body: body.into(), ..Answer::default() }
}

fn refusal(status: u16, error: &str) -> Answer {
    answer(status, &format!(r#"{{"error":"{error}","message":"the hub's words"}}"#))
}

fn pushed(sequence: u64, status: &str) -> Answer {
    answer(
        200,
        &format!(
            r#"{{"status":"{status}","device":"d","sequence":{sequence},"next_sequence":{},"records":3,"changed":3,"position":7}}"#,
            sequence + 1
        ),
    )
}

#[test]
fn read_code_accepts_typed_codes_in_any_case_with_spaces_and_dashes() {
    assert_eq!(read_code("3qj1h rekcg wb2rf y8h70"), Ok("3QJ1H-REKCG-WB2RF-Y8H70".into()));
    assert_eq!(read_code(" 3QJ1H-REKCG-WB2RF-Y8H70 "), Ok("3QJ1H-REKCG-WB2RF-Y8H70".into()));
}

#[test]
fn read_code_reads_o_i_and_l_as_the_hub_does() {
    assert_eq!(read_code("3QJIH-REKCG-WB2RF-Y8H7O"), Ok("3QJ1H-REKCG-WB2RF-Y8H70".into()));
    assert_eq!(read_code("3QJLH-REKCG-WB2RF-Y8H70"), Ok("3QJ1H-REKCG-WB2RF-Y8H70".into()));
}

#[test]
fn read_code_takes_the_code_out_of_a_pasted_link() {
    assert_eq!(
        read_code("https://hub.example/?enrol=3QJ1H-REKCG-WB2RF-Y8H70&x=1"),
        Ok("3QJ1H-REKCG-WB2RF-Y8H70".into())
    );
}

#[test]
fn read_code_refuses_empty_input_and_wrong_lengths_with_different_messages() {
    assert_eq!(read_code("   "), Err(CodeError::Empty));
    assert_eq!(read_code("3QJ1H-REKCG"), Err(CodeError::Shape));
    assert_eq!(read_code("3QJ1H-REKCG-WB2RF-Y8H70!"), Err(CodeError::Shape));
    assert_ne!(CodeError::Empty.message(), CodeError::Shape.message());
}

#[test]
fn enrolment_answer_makes_a_link_that_pushes_everything_first() {
    let body = serde_json::to_string(&Enrolled { token: Some("lh1_x".into()), ..enrolled(1) }).unwrap();
    let link = HubLink::from_enrolment(&answer(201, &body)).unwrap();
    assert_eq!(link.token, "lh1_x");
    assert_eq!(link.enrolled.token, None);
    assert_eq!(link.next(0), Next::Export(Scope::All));
    assert_eq!(link.ceiling(), Some(Ceiling::Restricted));
}

#[test]
fn enrolment_refusals_are_told_apart() {
    let cases = [
        (refusal(401, "unknown-code"), Problem::UnknownCode),
        (refusal(410, "used-code"), Problem::UsedCode),
        (refusal(410, "expired-code"), Problem::ExpiredCode),
        (refusal(409, "enrolled"), Problem::AlreadyEnrolled),
        (refusal(403, "forbidden"), Problem::Forbidden("the hub's words".into())),
        (refusal(503, "storage"), Problem::Storage),
        (answer(502, "<html>bad gateway</html>"), Problem::Nonsense { status: 502 }),
    ];
    let mut messages = std::collections::BTreeSet::new();
    for (a, want) in cases {
        let got = HubLink::from_enrolment(&a).unwrap_err();
        assert_eq!(got, want);
        assert!(messages.insert(got.message()), "two refusals share one message");
    }
}

#[test]
fn enrolment_answer_without_a_token_is_nonsense() {
    let body = serde_json::to_string(&enrolled(1)).unwrap();
    assert_eq!(HubLink::from_enrolment(&answer(201, &body)), Err(Problem::Nonsense { status: 201 }));
    assert_eq!(HubLink::from_enrolment(&answer(201, "hello")), Err(Problem::Nonsense { status: 201 }));
}

#[test]
fn rate_limit_waits_at_least_as_long_as_the_hub_says() {
    let a = Answer { status: 429, retry_after: Some(40), ..refusal(429, "rate-limited") };
    assert_eq!(Problem::of_answer(&a), Problem::RateLimited { after_s: Some(40) });
    assert!(backoff_ms(1, Some(40), 0) >= 40_000);
}

#[test]
fn a_push_that_timed_out_is_sent_again_byte_for_byte() {
    let mut l = link();
    l.push_made(pending(4));
    assert_eq!(l.on_push(Err(Transport::TimedOut)), Err(Problem::TimedOut));
    assert_eq!(l.next(0), Next::Resend);
    assert_eq!(l.kept_bytes(Some(bytes(4))), Some(bytes(4)));
    assert_eq!(l.on_push(Ok(&pushed(4, "repeat"))).unwrap().unwrap().status, PushStatus::Repeat);
    assert_eq!(l.unacked, None);
    assert_eq!(l.next(0), Next::Pull);
}

#[test]
fn a_gap_drops_the_push_for_one_of_everything() {
    let mut l = link();
    l.push_made(pending(6));
    let gap = answer(409, r#"{"error":"gap","message":"resend from 3","expected":3}"#);
    assert_eq!(l.on_push(Ok(&gap)), Ok(None));
    assert_eq!(l.unacked, None);
    assert_eq!(l.next(0), Next::Export(Scope::All));
    l.push_made(PendingPush { scope: Scope::All, ..pending(7) });
    l.on_push(Ok(&pushed(7, "applied"))).unwrap();
    assert_eq!(l.next(2), Next::Export(Scope::Changes));
}

#[test]
fn a_shared_id_stops_pushing_until_a_person_acts() {
    let mut l = link();
    l.push_made(pending(2));
    assert_eq!(l.on_push(Ok(&refusal(409, "shared-id"))), Err(Problem::SharedId));
    assert_eq!(l.next(5), Next::Stopped);
    let (words, tone) = status(&l, StatusInput { online: true, waiting: 0, problem: None, now_ms: 0 });
    assert_eq!(tone, Tone::Trouble);
    assert!(words.contains("two devices share this id"), "{words}");
    l.resume();
    assert_eq!(l.next(5), Next::Resend);
}

#[test]
fn a_revoked_device_stops_on_pull_too() {
    let mut l = link();
    assert_eq!(l.on_pull(Ok(&refusal(401, "revoked"))), Err(Problem::Revoked));
    assert_eq!(l.next(0), Next::Stopped);
}

#[test]
fn a_push_answer_for_another_sequence_is_nonsense_and_keeps_the_push() {
    let mut l = link();
    l.push_made(pending(4));
    assert_eq!(l.on_push(Ok(&pushed(9, "applied"))), Err(Problem::Nonsense { status: 200 }));
    assert!(l.unacked.is_some());
}

#[test]
fn a_refused_bundle_is_dropped_for_a_later_push_of_everything() {
    let mut l = link();
    l.push_made(pending(4));
    let a = answer(422, r#"{"error":"invalid-bundle","message":"no","problems":["record x: bad"]}"#);
    assert_eq!(l.on_push(Ok(&a)), Err(Problem::Refused(vec!["record x: bad".into()])));
    assert_eq!(l.unacked, None);
    l.resume();
    assert_eq!(l.next(0), Next::Export(Scope::All));
}

#[test]
fn pull_answers_give_pages_and_the_in_sync_cursor() {
    let mut l = link();
    let page = Answer { status: 200, body: "{}".into(), cursor: Some("9".into()), more: true, retry_after: None };
    assert_eq!(l.on_pull(Ok(&page)), Ok(Pulled::Page { bundle: "{}".into(), cursor: "9".into(), more: true }));
    let none = Answer { status: 204, cursor: Some("9".into()), ..Answer::default() };
    assert_eq!(l.on_pull(Ok(&none)), Ok(Pulled::InSync { cursor: "9".into() }));
    let no_cursor = Answer { status: 204, ..Answer::default() };
    assert_eq!(l.on_pull(Ok(&no_cursor)), Err(Problem::Nonsense { status: 204 }));
}

#[test]
fn reconcile_never_lets_the_sequence_fall_behind_the_hub_or_the_kept_push() {
    let mut l = link();
    l.enrolled.next_sequence = 6;
    let mut state = ExportState { sequence: 2, ..ExportState::default() };
    l.reconcile(&mut state);
    assert_eq!(state.sequence, 5);
    l.push_made(pending(8));
    l.reconcile(&mut state);
    assert_eq!(state.sequence, 8);
    assert_eq!(state.last_ms, Some(5));
}

#[test]
fn status_words_follow_the_state() {
    let mut l = link();
    let at = |online, waiting, problem| status(&l, StatusInput { online, waiting, problem, now_ms: 600_000 }).0;
    assert_eq!(at(true, 0, None), "Not synced yet");
    assert_eq!(at(true, 3, None), "3 changes waiting");
    assert_eq!(at(true, 1, None), "1 change waiting");
    assert_eq!(at(false, 3, None), "Offline — 3 changes waiting");
    assert_eq!(at(true, 3, Some(&Problem::Unreachable)), "Cannot reach the team hub — 3 changes waiting");
    l.synced(480_000);
    let at = |online, waiting| status(&l, StatusInput { online, waiting, problem: None, now_ms: 600_000 }).0;
    assert_eq!(at(true, 0), "Synced 2 min ago");
    assert_eq!(at(false, 0), "Offline — synced 2 min ago");
}

#[test]
fn a_browser_without_a_database_says_the_changes_wait_and_keeps_syncing() {
    let l = link();
    let (words, tone) =
        status(&l, StatusInput { online: true, waiting: 2, problem: Some(&Problem::NoDatabase), now_ms: 600_000 });
    assert_eq!((words.as_str(), tone), ("Changes cannot be sent from this window — 2 changes waiting", Tone::Trouble));
    let told = Problem::NoDatabase.message();
    assert!(told.contains("private windows") && told.contains("nothing is lost"), "{told}");
    // Pulls still come, and the window may be one that can keep a push after a reload: asked again.
    assert!(!Problem::NoDatabase.stops_sync());
}

#[test]
fn a_push_that_waited_in_vain_for_another_tab_says_so_and_keeps_syncing() {
    let l = link();
    let problem = Problem::OtherTabExporting;
    let (words, _) = status(&l, StatusInput { online: true, waiting: 3, problem: Some(&problem), now_ms: 600_000 });
    assert_eq!(words, "Waiting for another tab — 3 changes waiting");
    assert!(problem.message().contains("tries again by itself"));
    assert!(!problem.stops_sync(), "the next pass makes the push");
}

#[test]
fn synced_counts_minutes_hours_and_days() {
    assert_eq!(synced(Some(0), 59_999), "Synced just now");
    assert_eq!(synced(Some(0), 3 * 3_600_000), "Synced 3 h ago");
    assert_eq!(synced(Some(0), 30 * 3_600_000), "Synced 1 day ago");
    assert_eq!(synced(Some(0), 3 * 86_400_000), "Synced 3 days ago");
}

#[test]
fn link_survives_storage_as_json() {
    let mut l = link();
    l.push_made(pending(3));
    l.stopped = Some(Problem::Refused(vec!["x".into()]));
    let text = serde_json::to_string(&l).unwrap();
    assert_eq!(serde_json::from_str::<HubLink>(&text).unwrap(), l);
}

fn any_answer() -> impl Strategy<Value = Result<Answer, Transport>> {
    prop_oneof![
        Just(Err(Transport::TimedOut)),
        Just(Err(Transport::Unreachable)),
        (0u64..6).prop_map(|s| Ok(pushed(s, "applied"))),
        Just(Ok(answer(409, r#"{"error":"gap","message":"m","expected":1}"#))),
        Just(Ok(refusal(409, "shared-id"))),
        Just(Ok(refusal(503, "storage"))),
        Just(Ok(refusal(429, "rate-limited"))),
        (100u16..600, ".{0,20}").prop_map(|(s, b)| Ok(answer(s, &b))),
    ]
}

proptest! {
    #[test]
    fn backoff_grows_within_its_bounds(failures in 1u32..64, random: u32) {
        let d = backoff_ms(failures, None, random);
        let cap = (FIRST_BACKOFF_MS << (failures - 1).min(20)).min(MAX_BACKOFF_MS);
        prop_assert!(d >= cap / 2 && d <= cap);
        prop_assert!(backoff_ms(failures + 1, None, 0) >= backoff_ms(failures, None, 0));
    }

    #[test]
    fn a_push_leaves_the_device_only_on_a_matching_200_or_a_gap(answers in prop::collection::vec(any_answer(), 1..12)) {
        let mut l = link();
        l.push_made(pending(3));
        for a in &answers {
            let had = l.unacked.clone();
            let result = l.on_push(a.as_ref().map_err(|t| *t));
            let gap = matches!(a, Ok(x) if x.status == 409 && x.body.contains("\"gap\""));
            if had.is_some() && l.unacked.is_none() {
                // Dropped: only for an acknowledgement of this very sequence, a gap (a push of everything
                // follows), or a refusal that stops syncing and asks for a push of everything.
                prop_assert!(matches!(result, Ok(Some(ref p)) if p.sequence == 3) || gap || l.full_push);
            }
            if matches!(l.next(0), Next::Stopped) {
                prop_assert!(l.stopped.as_ref().is_some_and(Problem::stops_sync));
            }
            if l.unacked.is_none() {
                l.resume();
                l.push_made(pending(3));
            }
        }
    }

    #[test]
    fn read_code_is_idempotent(input in "[0-9A-Za-z -]{0,30}") {
        if let Ok(code) = read_code(&input) {
            prop_assert_eq!(read_code(&code), Ok(code.clone()));
            prop_assert_eq!(code.len(), 23);
        }
    }
}

/// A real "changes" export of one new contact, kept as a push: what the app makes before it sends.
fn exported_push(nb: &mut crate::Notebook, state: &mut ExportState) -> (PendingPush, crate::RecordId, String) {
    use crate::formats::wire::DeviceV1;
    let device = DeviceV1 { id: nb.device(), label: "Field tablet".into(), officer: "Anna Berg".into() };
    let id = nb.create(crate::Kind::Contact, 1_000, [2; 10]);
    let replicas = [nb.device()].into_iter().collect();
    let request = super::super::ExportRequest {
        device: &device,
        replicas: &replicas,
        scope: Scope::Changes,
        bundle_id: uuid::Uuid::from_u128(7),
        now_ms: 2_000,
        today: crate::date::Date { year: 2026, month: 3, day: 14 },
        ceiling: Ceiling::All,
    };
    let export = super::super::export(nb, state, request).unwrap();
    let push = PendingPush::new(state.sequence, Scope::Changes, 1, &export.text, state.clone());
    (push, id, export.text)
}

#[test]
fn leaving_with_an_unacknowledged_push_counts_its_records_as_not_exported_again() {
    let mut nb = crate::Notebook::new(crate::DeviceId::new_v7(0, [1; 10]));
    let mut state = ExportState::default();
    let (push, id, text) = exported_push(&mut nb, &mut state);
    let replicas = [nb.device()].into_iter().collect();
    assert!(state.pending(&nb, &replicas).is_empty());
    let mut l = link();
    l.push_made(push);
    l.leave(&mut state, Some(&text), 3_000);
    assert_eq!(state.pending(&nb, &replicas).iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
}

#[test]
fn leaving_with_the_push_bytes_lost_counts_everything_this_device_edited_as_not_exported() {
    let mut nb = crate::Notebook::new(crate::DeviceId::new_v7(0, [1; 10]));
    let mut state = ExportState::default();
    let (first, earlier, _) = exported_push(&mut nb, &mut state);
    let mut l = link();
    l.push_made(first);
    l.on_push(Ok(&pushed(1, "applied"))).unwrap();
    let (push, id, text) = exported_push(&mut nb, &mut state);
    l.push_made(push);
    let replicas = [nb.device()].into_iter().collect();
    let cut_short = &text[..text.len() / 2];
    l.leave(&mut state, Some(cut_short), 3_000);
    let mut waiting: Vec<_> = state.pending(&nb, &replicas).iter().map(|r| r.id).collect();
    waiting.sort();
    let mut both = vec![earlier, id];
    both.sort();
    assert_eq!(waiting, both);
}

#[test]
fn kept_bytes_that_are_the_push_are_sent_again() {
    let mut l = link();
    l.push_made(pending(4));
    assert_eq!(l.kept_bytes(Some(bytes(4))), Some(bytes(4)));
    assert_eq!(l.next(0), Next::Resend);
}

#[test]
fn missing_kept_bytes_give_a_push_of_everything_at_the_next_sequence() {
    let mut l = link();
    l.push_made(pending(4));
    assert_eq!(l.kept_bytes(None), None);
    assert_eq!(l.unacked, None);
    assert_eq!(l.next(0), Next::Export(Scope::All));
}

#[test]
fn kept_bytes_cut_short_or_of_another_push_are_not_sent() {
    for stored in ["bundle", "bundle 3", "bundle 44", ""] {
        let mut l = link();
        l.push_made(pending(4));
        assert_eq!(l.kept_bytes(Some(stored.into())), None, "{stored:?}");
        assert_eq!(l.next(0), Next::Export(Scope::All));
    }
}

#[test]
fn a_link_kept_before_the_bytes_moved_out_of_it_reads_and_recovers() {
    let mut l = link();
    l.push_made(pending(4));
    let mut value = serde_json::to_value(&l).unwrap();
    let unacked = value["unacked"].as_object_mut().unwrap();
    unacked.remove("checksum");
    unacked.insert("text".into(), bytes(4).into());
    let mut old: HubLink = serde_json::from_value(value).unwrap();
    assert_eq!(old.next(0), Next::Resend);
    assert_eq!(old.kept_bytes(Some(bytes(4))), None);
    assert_eq!(old.next(0), Next::Export(Scope::All));
}

#[test]
fn the_kept_link_stays_small_however_large_the_push() {
    let mut l = link();
    let large = "x".repeat(8 << 20);
    l.push_made(PendingPush::new(4, Scope::All, 5_000, &large, ExportState::default()));
    assert!(serde_json::to_string(&l).unwrap().len() < 1_000);
    assert_eq!(l.kept_bytes(Some(large.clone())), Some(large));
}

#[test]
fn leaving_after_the_hub_acknowledged_everything_leaves_the_export_state_alone() {
    let mut nb = crate::Notebook::new(crate::DeviceId::new_v7(0, [1; 10]));
    let mut state = ExportState::default();
    let (push, _, _) = exported_push(&mut nb, &mut state);
    let mut l = link();
    l.push_made(push);
    l.on_push(Ok(&pushed(1, "applied"))).unwrap();
    let before = state.clone();
    l.leave(&mut state, None, 3_000);
    assert_eq!(state, before);
}
