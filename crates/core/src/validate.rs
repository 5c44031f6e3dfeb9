//! Validation with messages specific enough to act on.
//!
//! Forms save as the officer types, so validation never blocks a save: it reports problems next to the
//! field, and the data stays exactly as typed until it is fixed.

use crate::date::{Date, Time};
use crate::model::{Action, Contact, Meeting};
use crate::schema::Field;

/// One thing wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The field the message belongs next to.
    pub field: Field,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

fn problem(field: Field, message: impl Into<String>) -> Problem {
    Problem { field, message: message.into() }
}

/// Why an email address is not well formed, or `None` when it is.
pub fn email_problem(email: &str) -> Option<String> {
    let e = email.trim();
    let shown: String = e.chars().take(60).collect();
    if e.chars().any(char::is_whitespace) {
        return Some(format!("“{shown}” has a space in it"));
    }
    let Some((local, domain)) = e.rsplit_once('@') else {
        return Some(format!("“{shown}” needs an @, as in name@example.org"));
    };
    if local.is_empty() {
        return Some(format!("“{shown}” has nothing before the @"));
    }
    if local.contains('@') {
        return Some(format!("“{shown}” has more than one @"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-')) {
        return Some(format!("“{shown}” needs a domain after the @, as in name@example.org"));
    }
    None
}

/// Problems with a contact.
pub fn contact(c: &Contact) -> Vec<Problem> {
    let mut out = Vec::new();
    if c.name.trim().is_empty() {
        out.push(problem(Field::Name, "A contact needs a name"));
    }
    for e in c.emails.iter().filter(|e| !e.trim().is_empty()) {
        if let Some(m) = email_problem(e) {
            out.push(problem(Field::Emails, m));
        }
    }
    out
}

/// Problems with a meeting.
pub fn meeting(m: &Meeting) -> Vec<Problem> {
    let mut out = Vec::new();
    if m.title.trim().is_empty() {
        out.push(problem(Field::Title, "A meeting needs a title"));
    }
    if !m.date.trim().is_empty() {
        if let Err(e) = Date::parse(&m.date) {
            out.push(problem(Field::Date, e.to_string()));
        }
    }
    let start = (!m.start.trim().is_empty()).then(|| Time::parse(&m.start));
    let end = (!m.end.trim().is_empty()).then(|| Time::parse(&m.end));
    if let Some(Err(e)) = &start {
        out.push(problem(Field::Start, e.to_string()));
    }
    if let Some(Err(e)) = &end {
        out.push(problem(Field::End, e.to_string()));
    }
    if let (Some(Ok(s)), Some(Ok(e))) = (start, end) {
        if e < s {
            out.push(problem(Field::End, format!("The meeting ends ({e}) before it starts ({s})")));
        }
    }
    out
}

/// Problems with a follow-up action.
pub fn action(a: &Action) -> Vec<Problem> {
    let mut out = Vec::new();
    if a.text.trim().is_empty() {
        out.push(problem(Field::Text, "Say what is to be done"));
    }
    if !a.due.trim().is_empty() {
        if let Err(e) = Date::parse(&a.due) {
            out.push(problem(Field::Due, e.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_without_a_name_is_told_it_needs_one() {
        let p = contact(&Contact::default());
        assert_eq!(p, vec![problem(Field::Name, "A contact needs a name")]);
    }

    #[test]
    fn names_in_any_script_are_accepted() {
        for name in ["Мария Иванова", "李小龍", "محمد", "Zoë Müller"] {
            let c = Contact { name: name.into(), ..Default::default() };
            assert!(contact(&c).is_empty(), "{name}");
        }
    }

    #[test]
    fn malformed_emails_get_a_specific_message() {
        assert!(email_problem("anna@example.org").is_none());
        assert!(email_problem("δοκιμή@παράδειγμα.δοκιμή").is_none());
        assert!(email_problem("anna.example.org").unwrap().contains("needs an @"));
        assert!(email_problem("@example.org").unwrap().contains("nothing before"));
        assert!(email_problem("anna@localhost").unwrap().contains("domain"));
        assert!(email_problem("anna@ex..org").unwrap().contains("domain"));
        assert!(email_problem("an na@example.org").unwrap().contains("space"));
        let c = Contact { name: "A".into(), emails: vec!["bad".into()], ..Default::default() };
        assert_eq!(contact(&c)[0].field, Field::Emails);
    }

    #[test]
    fn a_meeting_that_ends_before_it_starts_is_flagged_on_the_end_field() {
        let m = Meeting { title: "Talks".into(), start: "14:00".into(), end: "13:30".into(), ..Default::default() };
        let p = meeting(&m);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, Field::End);
        assert!(p[0].message.contains("ends (13:30) before it starts (14:00)"));
    }

    #[test]
    fn a_meeting_needs_a_title_and_a_real_date() {
        let m = Meeting { date: "2026-02-30".into(), ..Default::default() };
        let fields: Vec<Field> = meeting(&m).iter().map(|p| p.field).collect();
        assert_eq!(fields, vec![Field::Title, Field::Date]);
    }

    #[test]
    fn a_due_date_that_does_not_parse_is_reported() {
        let a = Action { text: "Send minutes".into(), due: "next week".into(), ..Default::default() };
        let p = action(&a);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, Field::Due);
        assert!(p[0].message.contains("YYYY-MM-DD"));
    }
}
