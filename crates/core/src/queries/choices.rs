//! The values the filters' dropdowns offer.

use super::shared::Tally;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind, Value};

fn distinct(nb: &Notebook, contact: Field, meeting: Field) -> Vec<String> {
    let mut t = Tally::default();
    for r in nb.records().filter(|r| !r.is_deleted()) {
        let f = match r.kind {
            Kind::Contact => contact,
            Kind::Meeting => meeting,
            Kind::Action => continue,
        };
        match r.get(f.key()) {
            Some(Value::Text(s)) => t.add(s),
            Some(Value::List(l)) => l.iter().for_each(|s| t.add(s)),
            _ => {}
        }
    }
    t.spellings().into_iter().map(|(_, s, _)| s).collect()
}

/// Every nation in the notebook (contacts' nation, meetings' nations), each once (folded), in its most
/// used spelling, in folded order: the choices of the nation filter.
pub fn nations(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Nation, Field::Nations)
}

/// Every organisation in the notebook (contacts' organisation, meetings' organisations), as [`nations`].
pub fn organisations(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Organisation, Field::Organisations)
}

/// Every tag on contacts and meetings, as [`nations`].
pub fn tags(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Tags, Field::Tags)
}

/// Every marking label on contacts and meetings, as [`nations`].
pub fn markings(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Marking, Field::Marking)
}
